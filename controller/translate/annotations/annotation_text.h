// The character classes and string forms ingress-nginx's parser package
// (parser/validators.go, parser/main.go) checks annotation values with,
// spelled out as plain loops: no regex engine for a fixed set of bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::controller {

// URLIsValidRegex: `-._~a-zA-Z0-9/:` and `,:?&=` (no CR or LF).
bool matches_url_chars(std::string_view text);
// IsValidRegex (ValidateServerName, after TrimSpace): the URL letters plus
// `^$[](){}*+?|&=\`.
bool matches_server_name_chars(std::string_view text);
// RegexPathWithCapture: an optional leading '/', then `-._~a-zA-Z0-9/:$`.
bool matches_path_with_capture(std::string_view text);
// normalizeString: every line trimmed of spaces, joined with '\n'.
std::string trim_lines(std::string_view text);
// strings.TrimSpace for ASCII whitespace.
std::string_view trim_space(std::string_view text);
// strconv.Atoi: an optional sign, then decimal digits, within int64.
std::optional<std::int64_t> parse_go_atoi(std::string_view text);

}  // namespace sluice::controller
