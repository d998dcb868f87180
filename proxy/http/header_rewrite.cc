// Header rewriting for both directions; see header_rewrite.h.
#include "proxy/http/header_rewrite.h"

#include <llhttp.h>

#include "common/strings.h"

namespace sluice {
namespace {

bool named_in_connection(std::string_view name, const MessageHead& head, const char* base) {
  for (const Span& token : head.connection_tokens)
    if (iequals(token.in(base), name)) return true;
  return false;
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

}  // namespace

// Copies every field that is not hop-by-hop (nor named in Connection, nor
// dropped by `skip`), in order and case.
template <typename Skip>
static void append_end_to_end_fields(std::string& out, const MessageHead& head, const char* base, Skip skip) {
  for (const HeaderField& f : head.headers) {
    std::string_view name = f.name.in(base);
    if (is_hop_by_hop(name) || named_in_connection(name, head, base) || skip(name)) continue;
    append_field(out, name, f.value.in(base));
  }
}

bool is_hop_by_hop(std::string_view name) {
  switch (name.size()) {
    case 2: return iequals(name, "te");
    case 7: return iequals(name, "trailer") || iequals(name, "upgrade");
    case 10: return iequals(name, "connection") || iequals(name, "keep-alive");
    case 16: return iequals(name, "proxy-connection");
    default: return false;
  }
}

void build_upstream_head(std::string& out, const MessageHead& head, const char* base,
                         const ForwardFacts& facts) {
  out.clear();
  out.append(llhttp_method_name(static_cast<llhttp_method_t>(head.method)));
  out.push_back(' ');
  out.append(facts.target);
  // An HTTP/1.0 client cannot take a chunked response; asking the backend
  // in HTTP/1.0 means it will not send one (the connection then closes).
  out.append(head.http_minor == 0 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");

  append_end_to_end_fields(out, head, base, [](std::string_view name) {
    // Set below from what we saw ourselves, never trusted from the client
    // (X-Forwarded-For is merged into one field with the client appended).
    return iequals(name, "x-real-ip") || iequals(name, "x-forwarded-proto") ||
           iequals(name, "x-forwarded-host") || iequals(name, "x-forwarded-port") ||
           iequals(name, "x-forwarded-for");
  });
  if (facts.upgrade && head.upgrade >= 0) {
    append_field(out, "Upgrade", head.headers[head.upgrade].value.in(base));
    append_field(out, "Connection", "upgrade");
  }
  out.append("X-Forwarded-For: ");
  if (head.forwarded_for >= 0) {  // the client's chain, in order, then the client itself
    for (const HeaderField& f : head.headers) {
      if (!iequals(f.name.in(base), "x-forwarded-for") || f.value.empty()) continue;
      out.append(f.value.in(base));
      out.append(", ");
    }
  }
  out.append(facts.client_ip);
  out.append("\r\n");
  append_field(out, "X-Real-IP", facts.client_ip);
  append_field(out, "X-Forwarded-Proto", facts.proto);
  if (head.host >= 0) append_field(out, "X-Forwarded-Host", head.headers[head.host].value.in(base));
  append_field(out, "X-Forwarded-Port", facts.port);
  if (facts.generated_request_id) append_field(out, "X-Request-ID", facts.request_id);
  out.append("\r\n");
}

void build_downstream_head(std::string& out, const MessageHead& head, const char* base,
                           std::string_view reason, const ResponseFacts& facts) {
  out.clear();
  out.append("HTTP/1.1 ");
  out.append(std::to_string(head.status));
  out.push_back(' ');
  out.append(reason);
  out.append("\r\n");
  append_end_to_end_fields(out, head, base, [](std::string_view) { return false; });
  if (facts.upgrade && head.upgrade >= 0) {
    append_field(out, "Upgrade", head.headers[head.upgrade].value.in(base));
    append_field(out, "Connection", "upgrade");
  } else if (facts.close) {
    append_field(out, "Connection", "close");
  } else if (facts.keep_alive_1_0) {
    append_field(out, "Connection", "keep-alive");
  }
  out.append("\r\n");
}

}  // namespace sluice
