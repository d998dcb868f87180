// ChunkedBody: the chunk grammar of RFC 9112 7.1 as a byte-at-a-time state
// machine for the framing, and whole spans for chunk data.
#include "proxy/codec/h1/chunked_body.h"

#include <algorithm>
#include <string_view>

namespace sluice {
namespace {

bool is_tchar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return c != 0 && std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_bws(unsigned char c) { return c == ' ' || c == '\t'; }

int hex_value(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// qdtext (RFC 9110 5.6.4): HTAB, SP, '!', '#'-'[', ']'-'~', obs-text.
bool is_qdtext(unsigned char c) {
  return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e) || c >= 0x80;
}

// What may follow a backslash in a quoted-string: HTAB, SP, VCHAR, obs-text.
bool is_quotable(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

// A field value byte: VCHAR, obs-text, SP, HTAB (no CR, LF, NUL or DEL).
bool is_field_byte(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

}  // namespace

void ChunkedBody::reset() {
  state_ = State::size_first;
  size_ = remaining_ = data_bytes_ = 0;
  line_bytes_ = trailer_bytes_ = 0;
  error_ = nullptr;
}

bool ChunkedBody::reject(const char* reason) {
  error_ = reason;  // parse() answers error from now until reset()
  return false;
}

ChunkedBody::Status ChunkedBody::parse(const char* p, const char* end, std::size_t& consumed) {
  const char* const begin = p;
  consumed = 0;
  if (error_ != nullptr) return Status::error;
  while (p < end) {
    if (state_ == State::data) {
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, static_cast<std::uint64_t>(end - p)));
      p += n;
      remaining_ -= n;
      data_bytes_ += n;
      if (remaining_ == 0) state_ = State::data_cr;
      continue;
    }
    const auto c = static_cast<unsigned char>(*p++);
    const bool ok = state_ >= State::trailer_start ? step_trailer(static_cast<char>(c)) : step_line(static_cast<char>(c));
    if (!ok) return Status::error;
    if (state_ == State::complete) {
      consumed = static_cast<std::size_t>(p - begin);
      return Status::complete;
    }
  }
  consumed = static_cast<std::size_t>(p - begin);
  return Status::need_more;
}

// The size line's extensions have a step of their own; the size, its line
// end and the CRLF after the data are this one's.
bool ChunkedBody::step_line(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  if (state_ >= State::bws_before_semicolon && state_ <= State::after_quoted) {
    if (++line_bytes_ > max_extension_bytes_) return reject("chunk extensions too long");
    return step_extension(c);
  }
  switch (state_) {
    case State::size_first:
    case State::size: {
      const int digit = hex_value(c);
      if (digit >= 0) {
        if (size_ > (UINT64_MAX >> 4)) return reject("chunk size overflow");
        size_ = size_ << 4 | static_cast<std::uint64_t>(digit);
        state_ = State::size;
        return true;
      }
      if (state_ == State::size_first) return reject("invalid chunk size");
      if (c == '\r') state_ = State::size_lf;
      else if (c == ';') state_ = State::name_start;
      else if (is_bws(c)) state_ = State::bws_before_semicolon;
      else return reject("invalid chunk size");
      return true;
    }
    case State::size_lf:
      if (c != '\n') return reject("chunk size line not ended by CRLF");
      line_bytes_ = 0;
      remaining_ = size_;
      state_ = size_ == 0 ? State::trailer_start : State::data;
      size_ = 0;
      return true;
    case State::data_cr:
      if (c != '\r') return reject("chunk data not followed by CRLF");
      state_ = State::data_lf;
      return true;
    case State::data_lf:
      if (c != '\n') return reject("chunk data not followed by CRLF");
      state_ = State::size_first;
      return true;
    default:
      return reject("invalid chunked body");
  }
}

// chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ), one byte.
bool ChunkedBody::step_extension(unsigned char c) {
  switch (state_) {
    case State::bws_before_semicolon:
      if (c == ';') state_ = State::name_start;
      else if (!is_bws(c)) return reject("invalid chunk extension");
      return true;
    case State::name_start:
      if (is_tchar(c)) state_ = State::name;
      else if (!is_bws(c)) return reject("invalid chunk extension name");
      return true;
    case State::name:
    case State::after_name:
      if (c == '=') state_ = State::value_start;
      else if (c == ';') state_ = State::name_start;
      else if (state_ == State::name && c == '\r') state_ = State::size_lf;
      else if (is_bws(c)) state_ = State::after_name;
      else if (state_ != State::name || !is_tchar(c)) return reject("invalid chunk extension name");
      return true;
    case State::value_start:
      if (c == '"') state_ = State::quoted_value;
      else if (is_tchar(c)) state_ = State::token_value;
      else if (!is_bws(c)) return reject("invalid chunk extension value");
      return true;
    case State::token_value:
    case State::after_quoted:
      if (c == ';') state_ = State::name_start;
      else if (c == '\r') state_ = State::size_lf;
      else if (is_bws(c)) state_ = State::bws_before_semicolon;
      else if (state_ != State::token_value || !is_tchar(c)) return reject("invalid chunk extension value");
      return true;
    case State::quoted_value:
      if (c == '"') state_ = State::after_quoted;
      else if (c == '\\') state_ = State::quoted_pair;
      else if (!is_qdtext(c)) return reject("invalid chunk extension value");
      return true;
    case State::quoted_pair:
      if (!is_quotable(c)) return reject("invalid chunk extension value");
      state_ = State::quoted_value;
      return true;
    default:
      return reject("invalid chunk extension");
  }
}

// trailer-section = *( field-line CRLF ) CRLF, each line "name:value".
bool ChunkedBody::step_trailer(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  if (++trailer_bytes_ > max_trailer_bytes_) return reject("trailer section too large");
  switch (state_) {
    case State::trailer_start:
      if (c == '\r') state_ = State::final_lf;
      else if (is_tchar(c)) state_ = State::trailer_name;
      else return reject("invalid trailer field");  // obs-fold, bare LF, a space
      return true;
    case State::trailer_name:
      if (c == ':') state_ = State::trailer_value;
      else if (!is_tchar(c)) return reject("invalid trailer field name");
      return true;
    case State::trailer_value:
      if (c == '\r') state_ = State::trailer_lf;
      else if (!is_field_byte(c)) return reject("invalid trailer field value");
      return true;
    case State::trailer_lf:
      if (c != '\n') return reject("trailer field not ended by CRLF");
      state_ = State::trailer_start;
      return true;
    case State::final_lf:
      if (c != '\n') return reject("chunked body not ended by CRLF");
      state_ = State::complete;
      return true;
    default:
      return reject("invalid chunked body");
  }
}

}  // namespace sluice
