// classify_header: every name the proxy knows, in any case, and nothing else.
#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "proxy/http/header_kind.h"

using namespace sluice;

namespace {

const std::vector<std::pair<std::string, HeaderKind>>& known_names() {
  static const std::vector<std::pair<std::string, HeaderKind>> names{
      {"host", HeaderKind::host},
      {"x-request-id", HeaderKind::x_request_id},
      {"user-agent", HeaderKind::user_agent},
      {"referer", HeaderKind::referer},
      {"expect", HeaderKind::expect},
      {"content-length", HeaderKind::content_length},
      {"transfer-encoding", HeaderKind::transfer_encoding},
      {"connection", HeaderKind::connection},
      {"upgrade", HeaderKind::upgrade},
      {"keep-alive", HeaderKind::keep_alive},
      {"te", HeaderKind::te},
      {"trailer", HeaderKind::trailer},
      {"proxy-connection", HeaderKind::proxy_connection},
      {"x-forwarded-for", HeaderKind::x_forwarded_for},
      {"x-real-ip", HeaderKind::x_real_ip},
      {"x-forwarded-proto", HeaderKind::x_forwarded_proto},
      {"x-forwarded-host", HeaderKind::x_forwarded_host},
      {"x-forwarded-port", HeaderKind::x_forwarded_port},
  };
  return names;
}

char upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }

bool same_letter_ignoring_case(char a, char b) { return a == b || upper(a) == upper(b); }

}  // namespace

TEST_CASE("every known field name is recognised in any letter case", "[http]") {
  for (const auto& [lower, kind] : known_names()) {
    INFO(lower);
    CHECK(classify_header(lower) == kind);
    std::string all_upper = lower;
    for (char& c : all_upper) c = upper(c);
    CHECK(classify_header(all_upper) == kind);
    // Each single letter uppercased, and alternating cases both ways.
    for (std::size_t i = 0; i < lower.size(); ++i) {
      std::string one = lower;
      one[i] = upper(one[i]);
      CHECK(classify_header(one) == kind);
    }
    std::string even = lower, odd = lower;
    for (std::size_t i = 0; i < lower.size(); ++i) (i % 2 ? odd[i] : even[i]) = upper(lower[i]);
    CHECK(classify_header(even) == kind);
    CHECK(classify_header(odd) == kind);
  }
}

TEST_CASE("a name differing from a known one in any single byte is not recognised", "[http]") {
  for (const auto& [lower, kind] : known_names()) {
    for (std::size_t i = 0; i < lower.size(); ++i) {
      for (int b = 0; b < 256; ++b) {
        const char c = static_cast<char>(b);
        if (same_letter_ignoring_case(c, lower[i])) continue;
        std::string near = lower;
        near[i] = c;
        INFO(lower << " with byte " << i << " = " << b);
        // Another known name of the same length never differs in only one byte.
        CHECK(classify_header(near) == (c == '_' ? HeaderKind::underscored : HeaderKind::other));
      }
    }
  }
}

TEST_CASE("prefixes, extensions and unrelated names are not recognised", "[http]") {
  for (const auto& [lower, kind] : known_names()) {
    INFO(lower);
    CHECK(classify_header(lower.substr(0, lower.size() - 1)) != kind);
    CHECK(classify_header(lower + "s") == HeaderKind::other);
    CHECK(classify_header(" " + lower) == HeaderKind::other);
    CHECK(classify_header(lower.substr(1) + "x") == HeaderKind::other);
  }
  for (const char* name : {"", "t", "Content-Lengths", "content-type", "X-Forwarded-Prefix", "Accept",
                           "hostt", "Date", "Cookie"})
    CHECK(classify_header(name) == HeaderKind::other);
  // Names with '_' are their own kind, lookalikes of framing fields included.
  for (const char* name : {"x_forwarded_for", "Transfer_Encoding", "Content_Length", "_", "a_b"})
    CHECK(classify_header(name) == HeaderKind::underscored);
}
