// record_field: the facts the proxy needs from a head, noted once per field
// while parsing so later phases never rescan the headers.
#include "proxy/codec/h1/message_head.h"

#include "common/strings.h"

namespace sluice {
namespace {

// A field that frames the message or names its authority: removing it
// because Connection lists it would change what the next hop reads as the
// message, so it is never treated as hop-by-hop.
bool frames_message(std::string_view name) {
  return iequals(name, "content-length") || iequals(name, "transfer-encoding") || iequals(name, "host");
}

void note_connection_tokens(MessageHead& head, std::string_view value, const char* base) {
  while (!value.empty()) {
    auto comma = value.find(',');
    std::string_view token = trim_ows(value.substr(0, comma));
    if (iequals(token, "close")) head.connection_close = true;
    else if (iequals(token, "keep-alive")) head.connection_keep_alive = true;
    else if (iequals(token, "upgrade")) head.connection_upgrade = true;
    else if (frames_message(token)) head.connection_names_framing = true;
    else if (!token.empty()) head.connection_tokens.push_back(Span::of(base, token));
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

bool is_tchar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return c != 0 && std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_tchar(c)) return false;
  return true;
}

// Transfer-Encoding lists from every field, in order, as one list (RFC 9110
// 5.3): chunked must be the final coding and appear once. Codings with
// parameters are refused too; nobody sends them, and a proxy that cannot
// name the final coding cannot frame the body.
void note_transfer_codings(MessageHead& head, std::string_view value) {
  head.transfer_encoding = true;
  bool any = false;
  for (;;) {
    auto comma = value.find(',');
    std::string_view coding = trim_ows(value.substr(0, comma));
    if (!coding.empty()) {
      any = true;
      if (head.te_chunked_last || !is_token(coding)) head.te_malformed = true;
      head.te_chunked_last = iequals(coding, "chunked");
    }
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  if (!any) head.te_malformed = true;  // an empty list frames nothing
}

}  // namespace

const char* framing_error(const MessageHead& head, bool request) {
  if (head.transfer_encoding) {
    if (head.te_malformed) return "invalid Transfer-Encoding";
    if (head.content_length_field) return "both Transfer-Encoding and Content-Length";
    // An HTTP/1.0 recipient may not know chunked: its framing is faulty.
    if (head.http_minor == 0) return "Transfer-Encoding in an HTTP/1.0 message";
    // A request body must be chunked to have a length (RFC 9112 6.3); a
    // response may end at close instead.
    if (request && !head.te_chunked_last) return "Transfer-Encoding not ending in chunked";
  }
  if (request && head.connection_names_framing)
    return "Connection names Content-Length, Transfer-Encoding or Host";
  // "Connection: upgrade" without an Upgrade field asks for nothing a proxy
  // can honour; refused so that no upgrade is ever half-understood.
  if (request && head.connection_upgrade && head.upgrade < 0) return "Connection: upgrade without Upgrade";
  return nullptr;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

void record_field(MessageHead& head, const HeaderField& field, const char* base) {
  const int index = static_cast<int>(head.headers.size());
  switch (field.kind) {
    case HeaderKind::host:
      head.host = head.host == -1 ? index : -2;  // -2: more than one, refused by MessageParser
      break;
    case HeaderKind::x_request_id: head.request_id = index; break;
    case HeaderKind::x_forwarded_for: head.forwarded_for = index; break;
    case HeaderKind::upgrade: head.upgrade = index; break;
    case HeaderKind::user_agent: head.user_agent = index; break;
    case HeaderKind::referer: head.referer = index; break;
    case HeaderKind::expect: head.expect_continue = iequals(field.value.in(base), "100-continue"); break;
    case HeaderKind::connection: note_connection_tokens(head, field.value.in(base), base); break;
    case HeaderKind::content_length: head.content_length_field = true; break;
    case HeaderKind::transfer_encoding: note_transfer_codings(head, field.value.in(base)); break;
    default: break;
  }
  head.headers.push_back(field);
}

}  // namespace sluice
