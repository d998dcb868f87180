// The echo backend's answers: what to do for one request (ResponsePlan), and
// the bytes of the status line, headers and small bodies, built into the
// connection's reused output buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <random>
#include <string>
#include <string_view>

#include "tools/echo/request.h"

namespace sluice::echo {

// Generated bodies (X-Echo-Body-Bytes) are written in slices of this size.
inline constexpr std::size_t body_slice_bytes = 64 * 1024;

// worker-confined: the two date formats, recomputed at most once per second.
struct DateCache {
  std::time_t second = -1;
  char http[40] = {};   // Sun, 29 Aug 2021 16:25:41 GMT
  char nginx[40] = {};  // 29/Aug/2021:16:25:41 +0000
  std::size_t http_len = 0, nginx_len = 0;

  void refresh();
  std::string_view http_date() const { return {http, http_len}; }
  std::string_view nginx_date() const { return {nginx, nginx_len}; }
};

// worker-confined: everything a worker's connections share.
struct WorkerState {
  std::string server_name;
  DateCache dates;
  std::mt19937_64 rng{std::random_device{}()};
};

// worker-confined (a value in the session). What to do for one complete
// request, decided before any byte is written.
struct ResponsePlan {
  int status = 200;
  bool head = false;
  bool keep_alive = true;
  bool chunked = false;
  bool generated_body = false;  // X-Echo-Body-Bytes
  std::uint64_t generated_bytes = 0;
  long long delay_ms = 0;
  bool websocket = false;
  bool json = false;
};

ResponsePlan plan_for(const Connection& c);

// Appends the status line and headers (and the small body, if any) to c.out.
void build_response(Connection& c, const ResponsePlan& plan);

// Appends the 101 that accepts a WebSocket upgrade to c.out.
void build_websocket_accept(Connection& c);

// Appends the 400 / 431 / 505 that ends a connection whose request llhttp refused.
void build_parse_error(Connection& c, llhttp_errno_t err);

// body_slice_bytes bytes; byte i is "0-9a-zA-Z-_"[i % 64], so a client can
// verify a generated body.
const char* body_pattern();

}  // namespace sluice::echo
