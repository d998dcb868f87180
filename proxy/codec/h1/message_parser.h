// llhttp in strict mode, wrapped to stop at the two points the proxy acts on:
// the end of the head (to route and rewrite it) and the end of the message
// (so body bytes can be forwarded verbatim, never copied).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <llhttp.h>

#include "proxy/codec/h1/chunked_body.h"
#include "proxy/codec/h1/message_head.h"

namespace sluice {

enum class ParseStatus {
  need_more,         // every byte consumed, message not finished
  head_complete,     // stopped right after the head
  message_complete,  // stopped right after the message
  error,
};

// Which local reply a parse error deserves.
enum class ParseError { none, bad_request, header_too_large, too_many_fields, uri_too_long, body_too_large, bad_version };

// worker-confined.
class MessageParser {
 public:
  enum class Kind { request, response };
  explicit MessageParser(Kind kind);
  MessageParser(const MessageParser&) = delete;
  MessageParser& operator=(const MessageParser&) = delete;

  // Limits for requests from clients; 0 means none (but fields are never
  // more than max_header_fields).
  void set_limits(std::size_t max_head_bytes, std::uint64_t max_body_bytes,
                  std::size_t max_fields = max_header_fields, std::size_t max_request_line_bytes = 0) {
    max_head_bytes_ = max_head_bytes;
    max_body_bytes_ = max_body_bytes;
    max_fields_ = max_fields == 0 || max_fields > max_header_fields ? max_header_fields : max_fields;
    max_request_line_bytes_ = max_request_line_bytes;
  }
  // The body limit alone, for a request whose route is known after its head
  // (a limit set before the body is parsed applies to all of it).
  void set_max_body_bytes(std::uint64_t max_body_bytes) { max_body_bytes_ = max_body_bytes; }
  // Responses to HEAD carry no body whatever their headers say.
  void set_response_to_head(bool head) { response_to_head_ = head; }

  // Prepares for the next message; spans are relative to `base`.
  void start_message();

  // Parses buffer bytes [from, to) of `base`. `consumed` is how many were
  // taken: up to the end of the head or message when it stops there.
  ParseStatus execute(const char* base, std::size_t from, std::size_t to, std::size_t& consumed);
  // The peer closed: completes a read-until-close body. True if it did.
  bool finish();

  const MessageHead& head() const { return head_; }
  MessageHead& head() { return head_; }
  ParseError error() const { return error_; }
  const char* error_reason() const { return llhttp_get_error_reason(&parser_); }
  // A common head (common_head.h) is HTTP/1.1 with a known length and no
  // upgrade, so only Connection: close ends the connection.
  bool keep_alive() const { return common_ ? !head_.connection_close : llhttp_should_keep_alive(&parser_) != 0; }
  bool needs_eof() const { return !common_ && !chunked_ && llhttp_message_needs_eof(&parser_) != 0; }
  bool is_upgrade() const { return !common_ && parser_.upgrade != 0; }
  std::uint64_t body_bytes() const { return body_bytes_; }
  bool in_body() const { return head_done_ && !message_done_; }

 private:
  static int on_message_begin(llhttp_t*);
  static int on_url(llhttp_t*, const char*, std::size_t);
  static int on_url_complete(llhttp_t*);
  static int on_status(llhttp_t*, const char*, std::size_t);
  static int on_header_field(llhttp_t*, const char*, std::size_t);
  static int on_header_field_complete(llhttp_t*);
  static int on_header_value(llhttp_t*, const char*, std::size_t);
  static int on_header_value_complete(llhttp_t*);
  static int on_headers_complete(llhttp_t*);
  static int on_body(llhttp_t*, const char*, std::size_t);
  static int on_message_complete(llhttp_t*);
  static const llhttp_settings_t& settings();

  bool parse_common_head(const char* base, std::size_t from, std::size_t to, std::size_t& consumed);
  ParseStatus count_common_body(std::size_t from, std::size_t to, std::size_t& consumed);
  ParseStatus parse_chunked_body(const char* base, std::size_t from, std::size_t to, std::size_t& consumed);
  int fail(ParseError e, const char* reason);
  int check_head();
  bool within_line_limits() const;
  void start_chunked_body();

  llhttp_t parser_{};
  Kind kind_;
  MessageHead head_;
  const char* base_ = nullptr;
  std::size_t head_start_ = 0;
  std::size_t max_head_bytes_ = 0;
  std::uint64_t max_body_bytes_ = 0;
  std::size_t max_fields_ = max_header_fields;
  std::size_t max_request_line_bytes_ = 0;
  std::uint64_t body_bytes_ = 0;
  Span field_name_;
  Span field_value_;
  bool in_name_ = false;
  bool in_value_ = false;
  bool head_done_ = false;
  bool message_done_ = false;
  bool response_to_head_ = false;
  bool common_ = false;          // this message's head was parsed without llhttp
  bool chunked_ = false;         // its body is decoded by chunked_body_, not llhttp
  ChunkedBody chunked_body_;
  std::uint64_t body_left_ = 0;  // of a common message's Content-Length body
  ParseError error_ = ParseError::none;
};

}  // namespace sluice
