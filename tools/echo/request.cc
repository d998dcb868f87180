// The echo backend's llhttp callbacks: the request head into one arena,
// the few headers that steer the answer, and a SHA-256 of small bodies.
#include "tools/echo/request.h"

#include "common/strings.h"

namespace sluice::echo {
namespace {

Connection& conn_of(llhttp_t* p) { return *static_cast<Connection*>(p->data); }

int append_to_arena(llhttp_t* p, const char* at, std::size_t len) {
  auto& r = conn_of(p).req;
  if (r.arena.size() + len > max_request_head_bytes) {
    r.head_too_large = true;
    llhttp_set_error_reason(p, "request head too large");
    return HPE_USER;
  }
  r.arena.append(at, len);
  return 0;
}

int on_message_begin(llhttp_t* p) {
  conn_of(p).req.reset();
  return 0;
}
int on_url(llhttp_t* p, const char* at, std::size_t len) { return append_to_arena(p, at, len); }
int on_url_complete(llhttp_t* p) {
  auto& r = conn_of(p).req;
  r.url = {0, static_cast<std::uint32_t>(r.arena.size())};
  return 0;
}
int on_header_field(llhttp_t* p, const char* at, std::size_t len) {
  return append_to_arena(p, at, len);
}
int on_header_field_complete(llhttp_t* p) {
  auto& r = conn_of(p).req;
  auto end = static_cast<std::uint32_t>(r.arena.size());
  // llhttp 8 accepts "Name : value"; a request smuggling classic, so refuse it here too.
  if (!r.arena.empty() && (r.arena.back() == ' ' || r.arena.back() == '\t')) {
    llhttp_set_error_reason(p, "whitespace before the colon");
    return HPE_USER;
  }
  std::uint32_t start = r.headers.empty() ? r.url.off + r.url.len
                                          : r.headers.back().value.off + r.headers.back().value.len;
  r.current_name = {start, end - start};
  return 0;
}
int on_header_value(llhttp_t* p, const char* at, std::size_t len) {
  return append_to_arena(p, at, len);
}
int on_header_value_complete(llhttp_t* p) {
  auto& r = conn_of(p).req;
  std::uint32_t start = r.current_name.off + r.current_name.len;
  r.headers.push_back({r.current_name, {start, static_cast<std::uint32_t>(r.arena.size()) - start}});
  std::string_view name = r.view(r.current_name);
  int index = static_cast<int>(r.headers.size() - 1);
  using h = RequestState::Hook;
  auto mark = [&](h which) { r.hooks[which] = index; };
  if (name.size() < 6) return 0;
  char c = ascii_lower(name[0]);
  if (c == 'x') {
    if (iequals(name, "x-request-id")) mark(h::request_id);
    else if (iequals(name, "x-echo-status")) mark(h::echo_status);
    else if (iequals(name, "x-echo-delay-ms")) mark(h::echo_delay);
    else if (iequals(name, "x-echo-body-bytes")) mark(h::echo_body_bytes);
    else if (iequals(name, "x-echo-chunked")) mark(h::echo_chunked);
  } else if (c == 'a') {
    if (iequals(name, "accept")) mark(h::accept);
  } else if (c == 'u') {
    if (iequals(name, "upgrade")) mark(h::upgrade);
  } else if (c == 's') {
    if (iequals(name, "sec-websocket-key")) mark(h::ws_key);
  } else if (c == 'e') {
    if (iequals(name, "expect")) mark(h::expect);
  }
  return 0;
}
int on_headers_complete(llhttp_t* p) {
  auto& c = conn_of(p);
  if (p->http_major != 1) {
    c.req.bad_version = true;
    llhttp_set_error_reason(p, "unsupported HTTP version");
    return HPE_USER;
  }
  if (c.req.has(RequestState::expect) && p->http_major == 1 && p->http_minor >= 1 &&
      iequals(c.req.hook_value(RequestState::expect), "100-continue"))
    c.out += "HTTP/1.1 100 Continue\r\n\r\n";  // written before we read the body
  return 0;
}
int on_body(llhttp_t* p, const char* at, std::size_t len) {
  auto& c = conn_of(p);
  auto& r = c.req;
  if (r.body_bytes == 0) {
    if (!c.sha) c.sha = EVP_MD_CTX_new();
    r.hashing = c.sha && EVP_DigestInit_ex(c.sha, EVP_sha256(), nullptr) == 1;
  }
  r.body_bytes += len;
  if (r.hashing) {
    if (r.body_bytes <= max_hashed_body_bytes) EVP_DigestUpdate(c.sha, at, len);
    else r.hashing = false;
  }
  return 0;
}
int on_message_complete(llhttp_t* p) {
  // An upgrade makes llhttp_execute return HPE_PAUSED_UPGRADE by itself.
  return p->upgrade ? 0 : HPE_PAUSED;
}

}  // namespace

const llhttp_settings_t& parser_settings() {
  static const llhttp_settings_t settings = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_begin = on_message_begin;
    s.on_url = on_url;
    s.on_url_complete = on_url_complete;
    s.on_header_field = on_header_field;
    s.on_header_field_complete = on_header_field_complete;
    s.on_header_value = on_header_value;
    s.on_header_value_complete = on_header_value_complete;
    s.on_headers_complete = on_headers_complete;
    s.on_body = on_body;
    s.on_message_complete = on_message_complete;
    return s;
  }();
  return settings;
}

}  // namespace sluice::echo
