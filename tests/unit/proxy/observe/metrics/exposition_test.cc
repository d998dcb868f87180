// The Prometheus text format as ExpositionWriter writes it.
#include <catch2/catch.hpp>

#include "proxy/observe/metrics/exposition.h"

using namespace sluice::metrics;

TEST_CASE("numbers are written as Prometheus' own clients write them", "[metrics]") {
  auto text = [](auto v) {
    std::string s;
    append_number(s, v);
    return s;
  };
  CHECK(text(0.005) == "0.005");
  CHECK(text(10.0) == "10");
  CHECK(text(1e6) == "1e+06");
  CHECK(text(std::uint64_t{18446744073709551615ULL}) == "18446744073709551615");
  CHECK(text(1.0 / 0.0) == "+Inf");
  CHECK(text(-1.0 / 0.0) == "-Inf");
  CHECK(text(0.0 / 0.0) == "NaN");
}

TEST_CASE("label values escape backslash, double quote and newline", "[metrics]") {
  std::string out;
  ExpositionWriter w(out);
  w.sample("m", {{"path", "/a\"b\\c\nd"}, {"empty", ""}}, std::uint64_t{1});
  CHECK(out == "m{path=\"/a\\\"b\\\\c\\nd\",empty=\"\"} 1\n");
}

TEST_CASE("a family has one HELP and one TYPE line, and HELP escapes newlines", "[metrics]") {
  std::string out;
  ExpositionWriter w(out);
  w.family("sluice_x_total", "counter", "line one\nline two \\ end");
  w.sample("sluice_x_total", {}, std::uint64_t{7});
  CHECK(out ==
        "# HELP sluice_x_total line one\\nline two \\\\ end\n"
        "# TYPE sluice_x_total counter\n"
        "sluice_x_total 7\n");
}

TEST_CASE("a histogram writes cumulative buckets, +Inf, sum and count", "[metrics]") {
  std::string out;
  ExpositionWriter w(out);
  const double bounds[] = {0.1, 1};
  const std::uint64_t buckets[] = {2, 0, 3};  // 2 at or under 0.1, 3 above 1
  const Label labels[] = {{"status", "200"}};
  w.histogram("h", labels, bounds, buckets, 12.5);
  CHECK(out ==
        "h_bucket{status=\"200\",le=\"0.1\"} 2\n"
        "h_bucket{status=\"200\",le=\"1\"} 2\n"
        "h_bucket{status=\"200\",le=\"+Inf\"} 5\n"
        "h_sum{status=\"200\"} 12.5\n"
        "h_count{status=\"200\"} 5\n");
}
