// The common-head parser: one table lookup a byte, and a decline (0) at the
// first thing that is not plain, so llhttp keeps every hard case.
#include "proxy/codec/h1/common_head.h"

#include <array>
#include <cstring>
#include <string_view>

#include <llhttp.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/strings.h"

namespace sluice {
namespace {

enum : std::uint8_t {
  token_char = 1,   // tchar (RFC 9110 5.6.2): field names
  value_char = 2,   // visible ASCII, SP and HTAB: field values and reasons
  target_char = 4,  // unreserved, sub-delims, ":@/?%": an origin-form target
};

constexpr std::array<std::uint8_t, 256> make_char_classes() {
  std::array<std::uint8_t, 256> classes{};
  auto add = [&](std::string_view chars, std::uint8_t cls) {
    for (char c : chars) classes[static_cast<unsigned char>(c)] |= cls;
  };
  for (int c = 0x20; c < 0x7f; ++c) classes[c] |= value_char;
  classes['\t'] |= value_char;
  for (int c = '0'; c <= '9'; ++c) classes[c] |= token_char | target_char;
  for (int c = 'a'; c <= 'z'; ++c) classes[c] |= token_char | target_char;
  for (int c = 'A'; c <= 'Z'; ++c) classes[c] |= token_char | target_char;
  add("!#$%&'*+-.^_`|~", token_char);
  add("-._~!$&'()*+,;=:@/?%", target_char);
  return classes;
}

constexpr auto char_classes = make_char_classes();

const char* skip(const char* p, const char* end, std::uint8_t cls) {
  while (p < end && (char_classes[static_cast<unsigned char>(*p)] & cls)) ++p;
  return p;
}

// Field values are most of a head: 16 bytes at a time with SSE2, which every
// x86-64 has. Stops at the first byte that is not a value_char.
const char* skip_value(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i del = _mm_set1_epi8(0x7f);
  const __m128i tab = _mm_set1_epi8('\t');
  while (end - p >= 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Signed compare: bytes from 0x80 up are negative, so below 0x20 too.
    const __m128i bad = _mm_andnot_si128(_mm_cmpeq_epi8(x, tab),
                                         _mm_or_si128(_mm_cmplt_epi8(x, space), _mm_cmpeq_epi8(x, del)));
    if (const int mask = _mm_movemask_epi8(bad); mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  return skip(p, end, value_char);
}

bool at_crlf(const char* p, const char* end) { return end - p >= 2 && p[0] == '\r' && p[1] == '\n'; }

std::string_view trim_trailing_ows(const char* begin, const char* end) {
  while (end > begin && (end[-1] == ' ' || end[-1] == '\t')) --end;
  return {begin, static_cast<std::size_t>(end - begin)};
}

bool starts_with(const char* p, const char* end, std::string_view s) {
  return static_cast<std::size_t>(end - p) >= s.size() && std::memcmp(p, s.data(), s.size()) == 0;
}

struct Method {
  std::string_view with_space;
  llhttp_method_t id;
};

constexpr Method common_methods[] = {
    {"GET ", HTTP_GET},   {"POST ", HTTP_POST},       {"HEAD ", HTTP_HEAD},   {"PUT ", HTTP_PUT},
    {"DELETE ", HTTP_DELETE}, {"OPTIONS ", HTTP_OPTIONS}, {"PATCH ", HTTP_PATCH},
};

constexpr std::string_view request_version = " HTTP/1.1\r\n";
constexpr std::string_view response_version = "HTTP/1.1 ";

// "METHOD /target HTTP/1.1\r\n"; returns where the fields start, or null.
const char* parse_request_line(const char* base, const char* p, const char* end, MessageHead& head) {
  const Method* method = nullptr;
  for (const Method& m : common_methods) {
    if (starts_with(p, end, m.with_space)) {
      method = &m;
      break;
    }
  }
  if (method == nullptr) return nullptr;
  const char* target = p + method->with_space.size();
  if (target == end || *target != '/') return nullptr;  // absolute form, "*": llhttp's
  const char* target_end = skip(target, end, target_char);
  if (!starts_with(target_end, end, request_version)) return nullptr;
  head.method = static_cast<std::uint8_t>(method->id);
  head.target = Span::of(base, target, static_cast<std::size_t>(target_end - target));
  return target_end + request_version.size();
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "HTTP/1.1 200 Reason\r\n"; returns where the fields start, or null.
const char* parse_status_line(const char* base, const char* p, const char* end, MessageHead& head) {
  if (!starts_with(p, end, response_version)) return nullptr;
  p += response_version.size();
  if (end - p < 4 || !is_digit(p[0]) || !is_digit(p[1]) || !is_digit(p[2]) || p[3] != ' ') return nullptr;
  const int status = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
  // 1xx, 204 and 304 have no body whatever they say; llhttp knows the rules.
  if (status < 200 || status > 599 || status == 204 || status == 304) return nullptr;
  const char* reason = p + 4;
  const char* reason_end = skip(reason, end, value_char);
  if (!at_crlf(reason_end, end)) return nullptr;
  head.status = status;
  if (reason_end != reason) head.reason = Span::of(base, reason, static_cast<std::size_t>(reason_end - reason));
  return reason_end + 2;
}

// 1 to 15 digits and nothing else: far below llhttp's overflow check.
bool parse_content_length(std::string_view value, std::uint64_t& out) {
  if (value.empty() || value.size() > 15) return false;
  std::uint64_t n = 0;
  for (char c : value) {
    if (!is_digit(c)) return false;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  out = n;
  return true;
}

// The fields llhttp itself acts on. Returns false to decline the head.
bool note_framing(std::string_view value, HeaderKind kind, bool& has_length,
                  MessageHead& head) {
  switch (kind) {
    case HeaderKind::upgrade:           // llhttp's upgrade rules
    case HeaderKind::proxy_connection:  // llhttp reads it as Connection
      return false;
    case HeaderKind::connection:  // llhttp's token rules decide keep-alive
      return iequals(value, "close") || iequals(value, "keep-alive");
    case HeaderKind::transfer_encoding:
      return false;
    case HeaderKind::content_length:
      if (has_length) return false;  // duplicates are llhttp's to refuse
      has_length = true;
      return parse_content_length(value, head.content_length);
    default:
      return true;
  }
}

// "Name: value\r\n" lines up to the blank line; returns the end of the head.
const char* parse_fields(const char* base, const char* p, const char* end, bool& has_length, MessageHead& head) {
  for (;;) {
    if (at_crlf(p, end)) return p + 2;
    const char* name = p;
    const char* name_end = skip(name, end, token_char);
    if (name_end == name || name_end == end || *name_end != ':') return nullptr;
    const char* value = name_end + 1;
    while (value < end && (*value == ' ' || *value == '\t')) ++value;
    const char* value_end = skip_value(value, end);
    if (!at_crlf(value_end, end)) return nullptr;  // also a bare LF, CR or NUL
    p = value_end + 2;
    if (head.headers.size() >= max_header_fields) return nullptr;
    const std::string_view name_view(name, static_cast<std::size_t>(name_end - name));
    const std::string_view value_view = trim_trailing_ows(value, value_end);  // leading OWS is skipped
    const HeaderField field{Span::of(base, name_view), value_view.empty() ? Span{} : Span::of(base, value_view),
                            classify_header(name_view)};
    // llhttp refuses a tab after a Content-Length's digits (a space it
    // accepts); declining leaves that verdict to it.
    const char* const trimmed_end = value_view.data() + value_view.size();
    if (field.kind == HeaderKind::content_length &&
        std::memchr(trimmed_end, '\t', static_cast<std::size_t>(value_end - trimmed_end)) != nullptr)
      return nullptr;
    if (!note_framing(value_view, field.kind, has_length, head)) return nullptr;
    record_field(head, field, base);
  }
}

}  // namespace

std::size_t parse_common_request_head(const char* base, std::size_t from, std::size_t to,
                                      std::size_t max_head_bytes, std::uint64_t max_body_bytes,
                                      MessageHead& head) {
  const char* const start = base + from;
  const char* const end = base + to;
  const char* p = parse_request_line(base, start, end, head);
  bool has_length = false;
  if (p != nullptr) p = parse_fields(base, p, end, has_length, head);
  if (p == nullptr) return 0;
  const auto length = static_cast<std::size_t>(p - start);
  if (head.host < 0) return 0;  // missing or repeated: MessageParser refuses it
  if (max_head_bytes != 0 && length > max_head_bytes) return 0;
  if (max_body_bytes != 0 && head.content_length > max_body_bytes) return 0;
  head.has_body = head.content_length > 0;
  return length;
}

std::size_t parse_common_response_head(const char* base, std::size_t from, std::size_t to, MessageHead& head) {
  const char* const start = base + from;
  const char* const end = base + to;
  const char* p = parse_status_line(base, start, end, head);
  bool has_length = false;
  if (p != nullptr) p = parse_fields(base, p, end, has_length, head);
  if (p == nullptr || !has_length) return 0;  // no length: the body runs until close
  head.has_body = head.content_length > 0;
  return static_cast<std::size_t>(p - start);
}

}  // namespace sluice
