// record_field: the facts the proxy needs from a head, noted once per field
// while parsing so later phases never rescan the headers.
#include "proxy/http/message_head.h"

#include "common/strings.h"

namespace sluice {
namespace {

void note_connection_tokens(MessageHead& head, std::string_view value, const char* base) {
  while (!value.empty()) {
    auto comma = value.find(',');
    std::string_view token = trim_ows(value.substr(0, comma));
    if (iequals(token, "close")) head.connection_close = true;
    else if (iequals(token, "keep-alive")) head.connection_keep_alive = true;
    else if (iequals(token, "upgrade")) head.connection_upgrade = true;
    else if (!token.empty()) head.connection_tokens.push_back(Span::of(base, token));
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

}  // namespace

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
    default: break;
  }
  head.headers.push_back(field);
}

}  // namespace sluice
