// Header rewriting for both directions; see header_rewrite.h.
//
// Each head is emitted twice by the same code: once into a HeadSize that only
// adds up lengths, then into a HeadWriter over a string sized exactly, so the
// copy does one allocation check per head instead of four per field.
#include "proxy/codec/h1/header_rewrite.h"

#include <cassert>
#include <cstring>

#include <llhttp.h>

#include "common/strings.h"

namespace sluice {
namespace {

class HeadSize {
 public:
  void put(std::string_view s) { size_ += s.size(); }
  void put(char) { ++size_; }
  void field(std::string_view name, std::string_view value) { size_ += name.size() + value.size() + 4; }
  std::size_t size() const { return size_; }

 private:
  std::size_t size_ = 0;
};

class HeadWriter {
 public:
  HeadWriter(std::string& out, std::size_t size) : out_(out) {
    out_.resize(size);
    next_ = out_.data();
  }
  void put(std::string_view s) {
    std::memcpy(next_, s.data(), s.size());
    next_ += s.size();
  }
  void put(char c) { *next_++ = c; }
  bool filled() const { return next_ == out_.data() + out_.size(); }
  void field(std::string_view name, std::string_view value) {
    put(name);
    put(':');
    put(' ');
    put(value);
    put('\r');
    put('\n');
  }

 private:
  std::string& out_;
  char* next_;
};

template <typename Emit>
void emit_head(std::string& out, Emit emit) {
  HeadSize size;
  emit(size);
  HeadWriter writer(out, size.size());
  emit(writer);
  assert(writer.filled());  // both passes emitted the same bytes
}

bool is_framing(HeaderKind kind) {
  return kind == HeaderKind::content_length || kind == HeaderKind::transfer_encoding;
}

bool named_in_connection(std::string_view name, const MessageHead& head, const char* base) {
  for (const Span& token : head.connection_tokens)
    if (iequals(token.in(base), name)) return true;
  return false;
}

// Which fields a head must not pass on beyond the hop-by-hop ones.
enum class Drop : std::uint8_t {
  none,
  forwarding,       // a request's: the proxy sets them from what it saw; and names with '_'
  forwarding_only,  // the same, with --enable-underscores-in-headers
  body_framing,     // a 1xx or 204 response's Content-Length and Transfer-Encoding (RFC 9110 8.6, 9112 6.1)
  transfer_coding,  // a 304 response's Transfer-Encoding: it has no body to code
};

bool dropped(HeaderKind kind, Drop drop) {
  switch (drop) {
    case Drop::none: return false;
    case Drop::forwarding: return is_forwarding(kind) || kind == HeaderKind::underscored;
    case Drop::forwarding_only: return is_forwarding(kind);
    case Drop::body_framing: return kind == HeaderKind::content_length || kind == HeaderKind::transfer_encoding;
    case Drop::transfer_coding: return kind == HeaderKind::transfer_encoding;
  }
  return false;
}

Drop response_drop(int status) {
  if (status < 200 || status == 204) return Drop::body_framing;
  return status == 304 ? Drop::transfer_coding : Drop::none;
}

// Copies every field that is neither hop-by-hop nor named in Connection (nor
// one `drop` names), in order and case. A non-empty `host` replaces the Host
// field's value.
// `edits` is null when there are none: a local pointer the loop can keep in
// a register (a FieldEdits& re-read per field, since every write through
// `out` might alias it, cost about 150 instructions per request).
template <typename Out>
void put_end_to_end_fields(Out& out, const MessageHead& head, const char* base, Drop drop,
                           const FieldEdits* edits, std::string_view host = {}) {
  for (const HeaderField& f : head.headers) {
    if (is_hop_by_hop(f.kind) || dropped(f.kind, drop)) continue;
    std::string_view name = f.name.in(base);
    if (!head.connection_tokens.empty() && named_in_connection(name, head, base)) continue;
    if (edits && edits->replaces(name) && !is_framing(f.kind)) continue;
    out.field(name, f.kind == HeaderKind::host && !host.empty() ? host : f.value.in(base));
  }
}

// The fields the edits set or add, after everything copied. A field the
// codec owns (framing, Connection) is never emitted from an edit: the
// annotation parsers are to refuse such edits, and this keeps one that
// slipped through off the wire.
template <typename Out>
void put_edited_fields(Out& out, const FieldEdits* edits) {
  if (!edits) return;
  edits->for_each_added([&](std::string_view name, std::string_view value) {
    const HeaderKind kind = classify_header(name);
    if (is_hop_by_hop(kind) || is_framing(kind)) return;
    out.field(name, value);
  });
}

// The client's chain, in order, then the peer; or the client address alone.
template <typename Out>
void put_forwarded_for(Out& out, const MessageHead& head, const char* base, const ForwardFacts& facts) {
  out.put("X-Forwarded-For: ");
  if (!facts.forward_chain) {
    out.put(facts.client_ip);
    out.put("\r\n");
    return;
  }
  if (head.forwarded_for >= 0) {
    for (const HeaderField& f : head.headers) {
      if (f.kind != HeaderKind::x_forwarded_for || f.value.empty()) continue;
      out.put(f.value.in(base));
      out.put(", ");
    }
  }
  out.put(facts.peer_ip.empty() ? facts.client_ip : facts.peer_ip);
  out.put("\r\n");
}

std::string_view status_digits(int status, char (&buf)[3]) {
  if (status < 100 || status > 999) status = 502;  // llhttp accepts 3 digits only
  buf[0] = static_cast<char>('0' + status / 100);
  buf[1] = static_cast<char>('0' + status / 10 % 10);
  buf[2] = static_cast<char>('0' + status % 10);
  return {buf, 3};
}

}  // namespace

void build_upstream_head(std::string& out, const MessageHead& head, const char* base,
                         const ForwardFacts& facts, const FieldEdits& all_edits) {
  const FieldEdits* edits = all_edits.empty() ? nullptr : &all_edits;
  emit_head(out, [&](auto& o) {
    o.put(llhttp_method_name(static_cast<llhttp_method_t>(head.method)));
    o.put(' ');
    o.put(facts.target);
    // An HTTP/1.0 client cannot take a chunked response; asking the backend
    // in HTTP/1.0 means it will not send one (the connection then closes).
    o.put(head.http_minor == 0 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
    // Forwarding fields are set below from what we saw ourselves, never
    // trusted from the client (X-Forwarded-For is merged into one field).
    put_end_to_end_fields(o, head, base, facts.underscores ? Drop::forwarding_only : Drop::forwarding,
                          edits, facts.authority);
    if (facts.upgrade && head.upgrade >= 0) {
      o.field("Upgrade", head.headers[head.upgrade].value.in(base));
      o.field("Connection", "upgrade");
    }
    put_forwarded_for(o, head, base, facts);
    o.field("X-Real-IP", facts.client_ip);
    // Empty only from a client's X-Forwarded-Proto/-Port (use-forwarded-headers):
    // nginx sends no field for a proxy_set_header whose value is empty.
    if (!facts.proto.empty()) o.field("X-Forwarded-Proto", facts.proto);
    if (!facts.authority.empty()) o.field("X-Forwarded-Host", facts.authority);
    else if (head.host >= 0) o.field("X-Forwarded-Host", head.headers[head.host].value.in(base));
    if (!facts.port.empty()) o.field("X-Forwarded-Port", facts.port);
    if (facts.generated_request_id) o.field("X-Request-ID", facts.request_id);
    put_edited_fields(o, edits);
    o.put("\r\n");
  });
}

void build_downstream_head(std::string& out, const MessageHead& head, const char* base,
                           std::string_view reason, const ResponseFacts& facts, const FieldEdits& all_edits) {
  const FieldEdits* edits = all_edits.empty() ? nullptr : &all_edits;
  char digits[3];
  const std::string_view status = status_digits(head.status, digits);
  emit_head(out, [&](auto& o) {
    o.put("HTTP/1.1 ");
    o.put(status);
    o.put(' ');
    o.put(reason);
    o.put("\r\n");
    put_end_to_end_fields(o, head, base, response_drop(head.status), edits);
    if (facts.upgrade && head.upgrade >= 0) {
      o.field("Upgrade", head.headers[head.upgrade].value.in(base));
      o.field("Connection", "upgrade");
    } else if (facts.close) {
      o.field("Connection", "close");
    } else if (facts.keep_alive_1_0) {
      o.field("Connection", "keep-alive");
    }
    put_edited_fields(o, edits);
    o.put("\r\n");
  });
}

}  // namespace sluice
