#include "controller/translate/annotations/annotation_text.h"

#include <charconv>

namespace sluice::controller {
namespace {

bool url_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~' || c == '/' || c == ':';
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

}  // namespace

bool matches_url_chars(std::string_view text) {
  for (char c : text)
    if (!url_letter(c) && c != ',' && c != '?' && c != '&' && c != '=') return false;
  return true;
}

bool matches_server_name_chars(std::string_view text) {
  for (char c : text)
    if (!url_letter(c) && std::string_view("^$[](){}*+?|&=\\").find(c) == std::string_view::npos) return false;
  return true;
}

bool matches_path_with_capture(std::string_view text) {
  for (char c : text)
    if (!url_letter(c) && c != '$') return false;
  return true;
}

std::string_view trim_space(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::string trim_lines(std::string_view text) {
  std::string out;
  for (;;) {
    auto nl = text.find('\n');
    out += trim_space(text.substr(0, nl));
    if (nl == std::string_view::npos) return out;
    out += '\n';
    text.remove_prefix(nl + 1);
  }
}

std::optional<std::int64_t> parse_go_atoi(std::string_view text) {
  const bool plus = !text.empty() && text.front() == '+';
  if (plus) text.remove_prefix(1);
  if (text.empty() || text.front() == '+' || (plus && text.front() == '-')) return std::nullopt;
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

}  // namespace sluice::controller
