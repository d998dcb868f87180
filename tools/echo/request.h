// The echo backend's request side: one connection's state and the llhttp
// callbacks that fill it, so the session answers from facts already parsed.
#pragma once

#include <llhttp.h>
#include <openssl/evp.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::echo {

struct WorkerState;

inline constexpr std::size_t read_buffer_size = 16 * 1024;
// URL plus header names and values of one request; beyond this we answer 431.
inline constexpr std::size_t max_request_head_bytes = 64 * 1024;
// Request bodies up to this size get a SHA-256 in the response.
inline constexpr std::uint64_t max_hashed_body_bytes = 64 * 1024;

// worker-confined: one request's head and body facts, kept in one arena whose
// capacity survives from request to request on a keep-alive connection.
struct RequestState {
  struct Span {
    std::uint32_t off = 0, len = 0;
  };
  struct Header {
    Span name, value;
  };
  enum Hook { request_id, accept, echo_status, echo_delay, echo_body_bytes, echo_chunked,
              upgrade, ws_key, expect, hook_count };

  std::string arena;
  std::vector<Header> headers;
  Span url;
  Span current_name;
  std::array<int, hook_count> hooks{};
  std::uint64_t body_bytes = 0;
  bool hashing = false;
  bool head_too_large = false;
  bool bad_version = false;

  void reset() {
    arena.clear();
    headers.clear();
    url = {};
    current_name = {};
    hooks.fill(-1);
    body_bytes = 0;
    hashing = false;
    head_too_large = false;
    bad_version = false;
  }
  std::string_view view(Span s) const { return {arena.data() + s.off, s.len}; }
  std::string_view hook_value(Hook h) const {
    return hooks[h] < 0 ? std::string_view{} : view(headers[static_cast<std::size_t>(hooks[h])].value);
  }
  bool has(Hook h) const { return hooks[h] >= 0; }
};

// worker-confined: one accepted connection (owned by its session coroutine).
struct Connection {
  llhttp_t parser;
  RequestState req;
  std::string out;   // pending response bytes, written before the next read
  std::string body;  // scratch for the text/JSON body of the current response
  std::string body_sha256;  // hex SHA-256 of the current request body, when small enough
  std::unique_ptr<char[]> in{new char[read_buffer_size]};
  EVP_MD_CTX* sha = nullptr;
  std::string local_address;
  std::string remote_address;
  WorkerState* worker = nullptr;

  Connection() { req.reset(); }
  ~Connection() {
    if (sha) EVP_MD_CTX_free(sha);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
};

// Strict HTTP/1 request parsing into the Connection in parser.data: pauses at
// the end of each request (HPE_PAUSED) so the session answers it before the
// next, answers 100-continue, and hashes small bodies.
const llhttp_settings_t& parser_settings();

}  // namespace sluice::echo
