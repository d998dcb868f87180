// Request heads through both parsers: the one-pass common head and llhttp
// (MessageParser forced onto llhttp by a first read of one byte) must give
// the same result, and so must llhttp resumed at a split taken from the data.
// Input: byte 0 picks the limits, byte 1 where the first read ends, the rest
// is what the client sent.
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/http_driver.h"

using namespace sluice;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  static constexpr std::size_t head_limits[] = {1024, 40, 8192, 0};
  fuzz::Drive d;
  d.kind = MessageParser::Kind::request;
  d.max_head_bytes = head_limits[data[0] & 3];
  d.max_body_bytes = (data[0] & 4) ? 4 : 0;
  d.max_messages = 2;
  d.bytes = {reinterpret_cast<const char*>(data) + 2, size - 2};

  MessageHead common;
  const bool took_common = parse_common_request_head(d.bytes.data(), 0, d.bytes.size(), d.max_head_bytes,
                                                     d.max_body_bytes, common) > 0;
  const std::string at_once = fuzz::drive(d);
  d.cuts = {1};
  const std::string llhttp_only = fuzz::drive(d);
  fuzz::expect_same(at_once, llhttp_only,
                    took_common ? "the common head and llhttp disagree" : "llhttp resumed after one byte differs",
                    d.bytes);
  d.cuts = fuzz::cuts_from(data + 1, 1, d.bytes.size());
  fuzz::expect_same(fuzz::without_error_kind(llhttp_only), fuzz::without_error_kind(fuzz::drive(d)),
                    "a head split across two reads parses differently", d.bytes);
  return 0;
}
