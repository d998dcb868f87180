// Backend responses through MessageParser: head and body framing, responses
// to HEAD, 1xx/204/304, read-until-close bodies (finish() at EOF), several
// responses on one connection. The result must not depend on where the reads
// end nor on which path (common head or llhttp) took the head.
// Input: byte 0 bit 0: the request was HEAD; bytes 1-3 where reads end; the
// rest is what the backend sent.
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/http_driver.h"

using namespace sluice;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 5) return 0;
  fuzz::Drive d;
  d.kind = MessageParser::Kind::response;
  d.response_to_head = (data[0] & 1) != 0;
  d.bytes = {reinterpret_cast<const char*>(data) + 4, size - 4};

  const std::string at_once = fuzz::drive(d);
  d.cuts = {1};
  fuzz::expect_same(at_once, fuzz::drive(d), "the common head and llhttp disagree on a response", d.bytes);
  d.cuts = fuzz::cuts_from(data + 1, 3, d.bytes.size());
  fuzz::expect_same(fuzz::without_error_kind(at_once), fuzz::without_error_kind(fuzz::drive(d)),
                    "a response split across reads parses differently", d.bytes);
  return 0;
}
