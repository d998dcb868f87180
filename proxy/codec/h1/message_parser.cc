// MessageParser: llhttp callbacks that record spans and the few facts the
// proxy needs, plus the framing checks llhttp itself leaves to its user.
#include "proxy/codec/h1/message_parser.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "common/strings.h"
#include "proxy/codec/h1/common_head.h"

namespace sluice {
namespace {

MessageParser& self(llhttp_t* p) { return *static_cast<MessageParser*>(p->data); }

bool contains(std::string_view s, char c) { return std::memchr(s.data(), c, s.size()) != nullptr; }

}  // namespace

const llhttp_settings_t& MessageParser::settings() {
  static const llhttp_settings_t s = [] {
    llhttp_settings_t st;
    llhttp_settings_init(&st);
    st.on_message_begin = &MessageParser::on_message_begin;
    st.on_url = &MessageParser::on_url;
    st.on_url_complete = &MessageParser::on_url_complete;
    st.on_status = &MessageParser::on_status;
    st.on_header_field = &MessageParser::on_header_field;
    st.on_header_field_complete = &MessageParser::on_header_field_complete;
    st.on_header_value = &MessageParser::on_header_value;
    st.on_header_value_complete = &MessageParser::on_header_value_complete;
    st.on_headers_complete = &MessageParser::on_headers_complete;
    st.on_body = &MessageParser::on_body;
    st.on_message_complete = &MessageParser::on_message_complete;
    return st;
  }();
  return s;
}

MessageParser::MessageParser(Kind kind) : kind_(kind) {
  llhttp_init(&parser_, kind == Kind::request ? HTTP_REQUEST : HTTP_RESPONSE, &settings());
  parser_.data = this;
  head_.headers.reserve(16);  // grows (once per connection) for longer heads
}

void MessageParser::start_message() {
  head_.clear();
  body_bytes_ = 0;
  in_name_ = in_value_ = false;
  head_done_ = message_done_ = false;
  error_ = ParseError::none;
  head_start_ = SIZE_MAX;
  common_ = false;
  body_left_ = 0;
  // After an error or an upgrade llhttp stays stopped until re-initialised;
  // after a chunked body it was left inside that body.
  if (chunked_ || llhttp_get_errno(&parser_) != HPE_OK) {
    chunked_ = false;
    llhttp_init(&parser_, kind_ == Kind::request ? HTTP_REQUEST : HTTP_RESPONSE, &settings());
    parser_.data = this;
  }
}

ParseStatus MessageParser::execute(const char* base, std::size_t from, std::size_t to,
                                   std::size_t& consumed) {
  if (common_) return count_common_body(from, to, consumed);
  if (chunked_) return parse_chunked_body(base, from, to, consumed);
  base_ = base;
  if (head_start_ == SIZE_MAX) {
    if (parse_common_head(base, from, to, consumed))
      return message_done_ ? ParseStatus::message_complete : ParseStatus::head_complete;
    head_start_ = from;
  }
  const char* begin = base + from;
  const bool head_was_done = head_done_;
  llhttp_errno_t rc = llhttp_execute(&parser_, begin, to - from);
  if (rc == HPE_OK) {
    consumed = to - from;
    if (!head_done_ && max_head_bytes_ != 0 && to - head_start_ > max_head_bytes_) {
      fail(ParseError::header_too_large, "header block too large");
      return ParseStatus::error;
    }
    return ParseStatus::need_more;
  }
  if (rc == HPE_PAUSED || rc == HPE_PAUSED_UPGRADE) {
    consumed = static_cast<std::size_t>(llhttp_get_error_pos(&parser_) - begin);
    if (rc == HPE_PAUSED) llhttp_resume(&parser_);
    if (!head_was_done && max_head_bytes_ != 0 && from + consumed - head_start_ > max_head_bytes_) {
      fail(ParseError::header_too_large, "header block too large");
      return ParseStatus::error;
    }
    return message_done_ ? ParseStatus::message_complete : ParseStatus::head_complete;
  }
  consumed = 0;
  if (error_ == ParseError::none) error_ = ParseError::bad_request;
  return ParseStatus::error;
}

// Tried once, on the first bytes of a message: a head that is all there and
// of the common shape skips llhttp, and so does its Content-Length body.
bool MessageParser::parse_common_head(const char* base, std::size_t from, std::size_t to,
                                      std::size_t& consumed) {
  const std::size_t length =
      kind_ == Kind::request
          ? parse_common_request_head(base, from, to, max_head_bytes_, max_body_bytes_, head_)
          : parse_common_response_head(base, from, to, head_);
  // Over a limit set lower than the common shape's own: llhttp's path
  // refuses it with the right error.
  if (length == 0 || (kind_ == Kind::request && !within_line_limits())) {
    head_.clear();
    return false;
  }
  common_ = true;
  head_done_ = true;
  body_left_ = kind_ == Kind::response && response_to_head_ ? 0 : head_.content_length;
  message_done_ = body_left_ == 0;
  consumed = length;
  return true;
}

ParseStatus MessageParser::count_common_body(std::size_t from, std::size_t to, std::size_t& consumed) {
  consumed = static_cast<std::size_t>(std::min<std::uint64_t>(to - from, body_left_));
  body_left_ -= consumed;
  body_bytes_ += consumed;
  if (body_left_ > 0) return ParseStatus::need_more;
  message_done_ = true;
  return ParseStatus::message_complete;
}

ParseStatus MessageParser::parse_chunked_body(const char* base, std::size_t from, std::size_t to,
                                              std::size_t& consumed) {
  const ChunkedBody::Status status = chunked_body_.parse(base + from, base + to, consumed);
  body_bytes_ = chunked_body_.data_bytes();
  if (status == ChunkedBody::Status::error) {
    fail(ParseError::bad_request, chunked_body_.error_reason());
    consumed = 0;
    return ParseStatus::error;
  }
  if (kind_ == Kind::request && max_body_bytes_ != 0 && body_bytes_ > max_body_bytes_) {
    fail(ParseError::body_too_large, "request body too large");
    consumed = 0;
    return ParseStatus::error;
  }
  if (status == ChunkedBody::Status::need_more) return ParseStatus::need_more;
  message_done_ = true;
  return ParseStatus::message_complete;
}

bool MessageParser::finish() {
  if (message_done_) return true;
  if (common_ || chunked_) return false;  // the peer closed inside a framed body
  return llhttp_finish(&parser_) == HPE_OK && message_done_;
}

int MessageParser::fail(ParseError e, const char* reason) {
  error_ = e;
  llhttp_set_error_reason(&parser_, reason);
  return HPE_USER;
}

int MessageParser::on_message_begin(llhttp_t* p) {
  auto& s = self(p);
  s.head_.clear();
  s.body_bytes_ = 0;
  s.head_done_ = s.message_done_ = false;
  return 0;
}

// "METHOD SP target SP HTTP/1.1 CRLF": checked as the target grows, so an
// endless target is refused before it fills the head.
bool MessageParser::within_line_limits() const {
  if (head_.headers.size() > max_fields_) return false;
  if (max_request_line_bytes_ == 0) return true;
  const std::size_t method = std::strlen(llhttp_method_name(static_cast<llhttp_method_t>(head_.method)));
  return method + head_.target.length + 12 <= max_request_line_bytes_;  // 12: SP SP "HTTP/1.1" CRLF
}

int MessageParser::on_url(llhttp_t* p, const char* at, std::size_t len) {
  auto& s = self(p);
  if (s.head_.target.empty()) s.head_.target = Span::of(s.base_, at, len);
  else s.head_.target.length += static_cast<std::uint32_t>(len);  // split across reads
  s.head_.method = llhttp_get_method(p);
  if (!s.within_line_limits()) return s.fail(ParseError::uri_too_long, "request line too long");
  return 0;
}

// A request line with no version is HTTP/0.9, which has no headers to wait
// for: refused as soon as its line ends instead of at the header timeout.
int MessageParser::on_url_complete(llhttp_t* p) {
  auto& s = self(p);
  if (s.kind_ != Kind::request) return 0;
  const char after = s.base_[s.head_.target.offset + s.head_.target.length];
  if (after != ' ') return s.fail(ParseError::bad_request, "HTTP/0.9 request");
  return 0;
}

int MessageParser::on_status(llhttp_t* p, const char* at, std::size_t len) {
  auto& s = self(p);
  if (s.head_.reason.empty()) s.head_.reason = Span::of(s.base_, at, len);
  else s.head_.reason.length += static_cast<std::uint32_t>(len);
  return 0;
}

int MessageParser::on_header_field(llhttp_t* p, const char* at, std::size_t len) {
  auto& s = self(p);
  if (!s.in_name_) {
    s.field_name_ = Span::of(s.base_, at, len);
    s.in_name_ = true;
  } else {
    s.field_name_.length += static_cast<std::uint32_t>(len);
  }
  return 0;
}

int MessageParser::on_header_field_complete(llhttp_t* p) {
  auto& s = self(p);
  s.in_name_ = false;
  s.in_value_ = false;
  s.field_value_ = {};
  return 0;
}

int MessageParser::on_header_value(llhttp_t* p, const char* at, std::size_t len) {
  auto& s = self(p);
  if (!s.in_value_) {
    s.field_value_ = Span::of(s.base_, at, len);
    s.in_value_ = true;
  } else {
    s.field_value_.length += static_cast<std::uint32_t>(len);
  }
  return 0;
}

int MessageParser::on_header_value_complete(llhttp_t* p) {
  auto& s = self(p);
  if (s.head_.headers.size() >= s.max_fields_) return s.fail(ParseError::too_many_fields, "too many header fields");
  // llhttp lets a space through in names it does not know ("X-A : v",
  // "X A: v"); RFC 9112 5.1 says a server must reject whitespace between
  // name and colon. (llhttp itself refuses a tab there.)
  std::string_view name = s.field_name_.in(s.base_);
  if (name.empty() || contains(name, ' ')) return s.fail(ParseError::bad_request, "whitespace in a header field name");
  // Trailing whitespace is not part of the value (RFC 9110 5.5).
  std::string_view value = trim_ows(s.field_value_.in(s.base_));
  // llhttp joins obsolete line folding into the value; RFC 9112 5.2 lets a
  // proxy refuse it, and passing it on is a request smuggling vector. Every
  // fold has a LF (llhttp refuses a bare CR), so one scan finds them all.
  if (contains(value, '\n')) return s.fail(ParseError::bad_request, "obsolete line folding");
  HeaderField field{s.field_name_, value.empty() ? Span{} : Span::of(s.base_, value),
                    classify_header(name)};
  s.in_value_ = false;
  record_field(s.head_, field, s.base_);
  return 0;
}

int MessageParser::check_head() {
  head_.http_major = llhttp_get_http_major(&parser_);
  head_.http_minor = llhttp_get_http_minor(&parser_);
  if (head_.http_major != 1 || head_.http_minor > 1)
    return fail(ParseError::bad_version, "unsupported HTTP version");
  if (kind_ == Kind::request) {
    head_.method = llhttp_get_method(&parser_);
    if (head_.host == -2) return fail(ParseError::bad_request, "more than one Host header");
    if (head_.host < 0 && head_.http_minor == 1) return fail(ParseError::bad_request, "missing Host header");
  } else {
    head_.status = llhttp_get_status_code(&parser_);
  }
  if (const char* why = framing_error(head_, kind_ == Kind::request))
    return fail(ParseError::bad_request, why);
  head_.chunked = (parser_.flags & F_CHUNKED) != 0;
  if (parser_.flags & F_CONTENT_LENGTH) head_.content_length = parser_.content_length;
  head_.has_body = head_.chunked || head_.content_length > 0;
  if (kind_ == Kind::request && max_body_bytes_ != 0 && head_.content_length > max_body_bytes_)
    return fail(ParseError::body_too_large, "request body too large");
  return 0;
}

int MessageParser::on_headers_complete(llhttp_t* p) {
  auto& s = self(p);
  if (int rc = s.check_head(); rc != 0) return rc;
  s.head_done_ = true;
  if (s.kind_ == Kind::response) {
    const int st = s.head_.status;
    if (s.response_to_head_) return 1;  // no body follows, whatever the headers say
    // 1xx, 204 and 304 have no body whatever their Content-Length says
    // (RFC 9110 6.4.1; after a 101 the bytes are the new protocol's): llhttp
    // 8.1 reads one unless told to skip it, and a client waited for a 304
    // that never came (both found by the http_response fuzz target).
    if (st < 200 || st == 204 || st == 304) return 1;
    const bool bodyless = (p->flags & F_CONTENT_LENGTH) && p->content_length == 0;
    if (!bodyless) s.head_.has_body = true;  // includes read-until-close
    if (!bodyless) s.start_chunked_body();
    return bodyless ? 0 : HPE_PAUSED;
  }
  // A request without a body completes right away and stops there instead.
  s.start_chunked_body();
  return s.head_.has_body ? HPE_PAUSED : 0;
}

// From the end of a chunked head on, execute() hands the body to
// chunked_body_; llhttp is re-initialised before the next message.
void MessageParser::start_chunked_body() {
  if (!head_.chunked) return;
  chunked_ = true;
  chunked_body_.reset();
  chunked_body_.set_limits(ChunkedBody::default_max_line_extension_bytes,
                           max_head_bytes_ != 0 ? max_head_bytes_ : ChunkedBody::default_max_trailer_bytes);
}

int MessageParser::on_body(llhttp_t* p, const char*, std::size_t len) {
  auto& s = self(p);
  s.body_bytes_ += len;
  if (s.kind_ == Kind::request && s.max_body_bytes_ != 0 && s.body_bytes_ > s.max_body_bytes_)
    return s.fail(ParseError::body_too_large, "request body too large");
  return 0;
}

int MessageParser::on_message_complete(llhttp_t* p) {
  auto& s = self(p);
  s.message_done_ = true;
  return HPE_PAUSED;
}

}  // namespace sluice
