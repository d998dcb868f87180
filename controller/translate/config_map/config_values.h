// How ingress-nginx turns ConfigMap text into values: mapstructure's weakly
// typed decoding (strconv with base 0 for ints, "" as false / 0), its
// splitAndTrimSpace for lists, and nginx's time syntax for the keys it
// passes to nginx as they are.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::controller {

// mapstructure (WeaklyTypedInput) into a Go bool: strconv.ParseBool, and ""
// is false.
std::optional<bool> parse_weak_bool(std::string_view text);

// mapstructure into a Go int: "" is 0, else strconv.ParseInt(text, 0, 64):
// an optional sign, then decimal, 0x/0X hex, 0o/0O or a leading 0 octal,
// 0b/0B binary, with '_' between digits allowed.
std::optional<std::int64_t> parse_weak_int(std::string_view text);

// strings.Split on ',' then TrimSpace each (empty entries are kept, as Go does).
std::vector<std::string> split_and_trim_space(std::string_view text);

// nginx's ngx_parse_time: one or more number+unit groups ("1m30s"), units
// ms s m h d w M y, a bare number being seconds.
std::optional<std::chrono::milliseconds> parse_nginx_time(std::string_view text);

}  // namespace sluice::controller
