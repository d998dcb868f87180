// Request messages with chunked and Content-Length bodies, pipelined, through
// MessageParser in up to four reads; the driver checks that no call consumes
// more than it was given and that body_bytes matches the framing, and the
// result must not depend on where the reads end.
// Input: byte 0 picks the limits, bytes 1-3 where reads end, the rest is
// what the client sent.
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/http_driver.h"

using namespace sluice;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 5) return 0;
  static constexpr std::uint64_t body_limits[] = {0, 4, 16, 1 << 20};
  static constexpr std::size_t head_limits[] = {8192, 0};
  fuzz::Drive d;
  d.kind = MessageParser::Kind::request;
  d.max_body_bytes = body_limits[data[0] & 3];
  d.max_head_bytes = head_limits[(data[0] >> 2) & 1];
  d.bytes = {reinterpret_cast<const char*>(data) + 4, size - 4};

  const std::string at_once = fuzz::drive(d);
  d.cuts = fuzz::cuts_from(data + 1, 3, d.bytes.size());
  fuzz::expect_same(fuzz::without_error_kind(at_once), fuzz::without_error_kind(fuzz::drive(d)),
                    "a request split across reads parses differently", d.bytes);
  return 0;
}
