// Go's and nginx's value syntax as ingress-nginx applies it to ConfigMap keys.
#include "controller/translate/config_map/config_values.h"

#include <catch2/catch.hpp>

namespace sluice::controller {
namespace {

TEST_CASE("a ConfigMap bool is strconv.ParseBool, and empty is false", "[configmap]") {
  struct Case { const char* text; std::optional<bool> want; };
  for (const Case& c : {Case{"true", true}, {"True", true}, {"TRUE", true}, {"t", true}, {"1", true},
                        {"false", false}, {"F", false}, {"0", false}, {"", false},
                        {"yes", std::nullopt}, {"on", std::nullopt}, {" true", std::nullopt}, {"tRUE", std::nullopt}}) {
    INFO(c.text);
    CHECK(parse_weak_bool(c.text) == c.want);
  }
}

TEST_CASE("a ConfigMap int is strconv.ParseInt with base 0, and empty is 0", "[configmap]") {
  struct Case { const char* text; std::optional<std::int64_t> want; };
  for (const Case& c : {Case{"60", 60}, {"+60", 60}, {"-5", -5}, {"", 0}, {"0", 0}, {"0x1f", 31}, {"0X1F", 31},
                        {"017", 15}, {"0o17", 15}, {"0b101", 5}, {"1_000", 1000}, {"0x_1f", 31},
                        {"9223372036854775807", 9223372036854775807LL},
                        {"-9223372036854775808", std::numeric_limits<std::int64_t>::min()},
                        {"9223372036854775808", std::nullopt}, {"08", std::nullopt}, {"0x", std::nullopt},
                        {"1__0", std::nullopt}, {"_1", std::nullopt}, {"1_", std::nullopt}, {"60s", std::nullopt},
                        {" 60", std::nullopt}, {"1.5", std::nullopt}, {"-", std::nullopt}}) {
    INFO(c.text);
    CHECK(parse_weak_int(c.text) == c.want);
  }
}

TEST_CASE("lists split on commas and trim each entry, keeping empty ones", "[configmap]") {
  CHECK(split_and_trim_space("a, b ,c") == std::vector<std::string>{"a", "b", "c"});
  CHECK(split_and_trim_space("") == std::vector<std::string>{""});
  CHECK(split_and_trim_space("a,,b") == std::vector<std::string>{"a", "", "b"});
  CHECK(split_and_trim_space(" \t10.0.0.0/8\n") == std::vector<std::string>{"10.0.0.0/8"});
}

TEST_CASE("nginx times take units and groups, a bare number being seconds", "[configmap]") {
  using std::chrono::milliseconds;
  struct Case { const char* text; std::optional<milliseconds> want; };
  for (const Case& c : {Case{"240s", milliseconds(240'000)}, {"10", milliseconds(10'000)}, {"500ms", milliseconds(500)},
                        {"5m", milliseconds(300'000)}, {"1h", milliseconds(3'600'000)},
                        {"1m30s", milliseconds(90'000)}, {"1d", milliseconds(86'400'000)},
                        {"", std::nullopt}, {"s", std::nullopt}, {"10x", std::nullopt}, {"-1s", std::nullopt},
                        {"1.5s", std::nullopt}, {"10 s", std::nullopt}}) {
    INFO(c.text);
    CHECK(parse_nginx_time(c.text) == c.want);
  }
}

}  // namespace
}  // namespace sluice::controller
