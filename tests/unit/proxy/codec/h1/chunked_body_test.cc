// ChunkedBody: the RFC 9112 7.1 grammar as a table of bodies accepted and
// refused, each fed whole and one byte at a time with the same result.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "proxy/codec/h1/chunked_body.h"

using namespace sluice;

namespace {

struct Outcome {
  ChunkedBody::Status status;
  std::size_t consumed;
  std::uint64_t data;
};

Outcome parse_whole(const std::string& body) {
  ChunkedBody c;
  std::size_t consumed = 0;
  auto status = c.parse(body.data(), body.data() + body.size(), consumed);
  return {status, consumed, c.data_bytes()};
}

// The same body split after every byte: resumption must not change anything.
Outcome parse_bytewise(const std::string& body) {
  ChunkedBody c;
  std::size_t total = 0;
  for (std::size_t i = 0; i < body.size(); ++i) {
    std::size_t consumed = 0;
    auto status = c.parse(body.data() + i, body.data() + i + 1, consumed);
    total += consumed;
    if (status != ChunkedBody::Status::need_more) return {status, total, c.data_bytes()};
  }
  return {ChunkedBody::Status::need_more, total, c.data_bytes()};
}

struct Case {
  const char* name;
  std::string body;
  std::uint64_t data;  // chunk data bytes when accepted
};

}  // namespace

TEST_CASE("chunked bodies that RFC 9112 allows are accepted and end where they end", "[http][chunked]") {
  const std::vector<Case> accepted{
      {"one chunk", "5\r\nhello\r\n0\r\n\r\n", 5},
      {"no chunks", "0\r\n\r\n", 0},
      {"hex sizes in both cases", "a\r\n0123456789\r\nB\r\n0123456789a\r\n0\r\n\r\n", 21},
      {"leading zeros", "0005\r\nhello\r\n000\r\n\r\n", 5},
      {"an extension with a value", "5;name=value\r\nhello\r\n0\r\n\r\n", 5},
      {"an extension without a value", "5;name\r\nhello\r\n0\r\n\r\n", 5},
      {"several extensions with values", "5;a=1;b=2;c\r\nhello\r\n0;last=yes\r\n\r\n", 5},
      {"a quoted value with an escaped quote", "5;a=\"x \\\" y\";b\r\nhello\r\n0\r\n\r\n", 5},
      {"bad whitespace around ; and =", "5 ; a = 1 ;b\t=\t\"q\"\r\nhello\r\n0\r\n\r\n", 5},
      {"trailer fields", "5\r\nhello\r\n0\r\nX-Checksum: abc\r\nX-Empty:\r\n\r\n", 5},
      {"obs-text in a quoted value", "5;a=\"\xe9t\xe9\"\r\nhello\r\n0\r\n\r\n", 5},
  };
  for (const auto& c : accepted) {
    INFO(c.name);
    const std::string with_next = c.body + "GET / HTTP/1.1\r\n";  // the next request stays unread
    for (const Outcome& o : {parse_whole(with_next), parse_bytewise(with_next)}) {
      CHECK(o.status == ChunkedBody::Status::complete);
      CHECK(o.consumed == c.body.size());
      CHECK(o.data == c.data);
    }
  }
}

TEST_CASE("chunked bodies outside the grammar are refused, split or not", "[http][chunked]") {
  const std::vector<Case> refused{
      {"no size", "\r\nhello\r\n0\r\n\r\n", 0},
      {"a size that is not hex", "5g\r\nhello\r\n0\r\n\r\n", 0},
      {"a negative size", "-5\r\nhello\r\n0\r\n\r\n", 0},
      {"a size overflowing 64 bits", "10000000000000000\r\nhello\r\n0\r\n\r\n", 0},
      {"a bare LF after the size", "5\nhello\r\n0\r\n\r\n", 0},
      {"a bare CR after the size", "5\rhello\r\n0\r\n\r\n", 0},
      {"whitespace after the size without an extension", "5 \r\nhello\r\n0\r\n\r\n", 0},
      {"a space inside the size", "5 5\r\nhello\r\n0\r\n\r\n", 0},
      {"a bare LF after an extension", "5;a=b\nhello\r\n0\r\n\r\n", 0},
      {"a bare CR inside an extension", "5;a=b\rc\r\nhello\r\n0\r\n\r\n", 0},
      {"an empty extension name", "5;=b\r\nhello\r\n0\r\n\r\n", 0},
      {"an empty extension value", "5;a=\r\nhello\r\n0\r\n\r\n", 0},
      {"an unterminated quoted value", "5;a=\"b\r\nhello\r\n0\r\n\r\n", 0},
      {"a NUL in an extension", std::string("5;a=b\0c\r\nhello\r\n0\r\n\r\n", 20), 0},
      {"data longer than its size", "5\r\nhello!\r\n0\r\n\r\n", 0},
      {"data shorter than its size", "6\r\nhello\r\n0\r\n\r\n", 0},
      {"data followed by a bare LF", "5\r\nhello\n0\r\n\r\n", 0},
      {"a trailer with obsolete folding", "0\r\nX-A: 1\r\n folded\r\n\r\n", 0},
      {"a trailer without a colon", "0\r\nX-A\r\n\r\n", 0},
      {"a trailer with a space before the colon", "0\r\nX-A : 1\r\n\r\n", 0},
      {"a trailer ended by a bare LF", "0\r\nX-A: 1\n\r\n", 0},
      {"a final bare LF", "0\r\n\n", 0},
  };
  for (const auto& c : refused) {
    INFO(c.name);
    CHECK(parse_whole(c.body).status == ChunkedBody::Status::error);
    CHECK(parse_bytewise(c.body).status == ChunkedBody::Status::error);
  }
}

TEST_CASE("chunk extensions and trailers have limits", "[http][chunked]") {
  ChunkedBody c;
  c.set_limits(16, 32);
  std::size_t consumed = 0;
  const std::string fits = "5;abcdefghijklmno\r\nhello\r\n0\r\nX: 0123456789abcdefghijklm\r\n\r\n";
  CHECK(c.parse(fits.data(), fits.data() + fits.size(), consumed) == ChunkedBody::Status::complete);

  c.reset();
  c.set_limits(16, 32);
  const std::string long_extension = "5;abcdefghijklmnop\r\nhello\r\n0\r\n\r\n";
  CHECK(c.parse(long_extension.data(), long_extension.data() + long_extension.size(), consumed) ==
        ChunkedBody::Status::error);
  CHECK(std::string(c.error_reason()) == "chunk extensions too long");

  c.reset();
  c.set_limits(16, 32);
  const std::string long_trailer = "0\r\nX: 0123456789abcdefghijklmnopq\r\n\r\n";
  CHECK(c.parse(long_trailer.data(), long_trailer.data() + long_trailer.size(), consumed) ==
        ChunkedBody::Status::error);
  CHECK(std::string(c.error_reason()) == "trailer section too large");
}

TEST_CASE("a refused body stays refused until reset", "[http][chunked]") {
  ChunkedBody c;
  std::size_t consumed = 0;
  const std::string bad = "zz\r\n";
  CHECK(c.parse(bad.data(), bad.data() + bad.size(), consumed) == ChunkedBody::Status::error);
  const std::string good = "0\r\n\r\n";
  CHECK(c.parse(good.data(), good.data() + good.size(), consumed) == ChunkedBody::Status::error);
  c.reset();
  CHECK(c.parse(good.data(), good.data() + good.size(), consumed) == ChunkedBody::Status::complete);
}
