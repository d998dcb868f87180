// The text form of a RoutePolicy (see policy.h).
#include "common/model/policy.h"

#include <openssl/sha.h>

namespace sluice {
namespace {

std::string_view op_name(HeaderEditOp op) {
  switch (op) {
    case HeaderEditOp::set: return "set";
    case HeaderEditOp::add: return "add";
    case HeaderEditOp::remove: return "remove";
  }
  return "?";
}

// Lengths before values, so a name or value holding the separators cannot
// make two different policies print alike.
void append_edits(std::string& out, std::string_view side, const std::vector<HeaderEdit>& edits) {
  for (const HeaderEdit& e : edits) {
    out += ' ';
    out += side;
    out += '.';
    out += op_name(e.op);
    out += '(' + std::to_string(e.name.size()) + ':' + e.name;
    if (e.op != HeaderEditOp::remove) out += ',' + std::to_string(e.value.size()) + ':' + e.value;
    out += ')';
  }
}

std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + "ms"; }

void append_upstream(std::string& out, const UpstreamPolicy& u) {
  out += " upstream(connect=" + ms(u.connect_timeout) + ";send=" + ms(u.send_timeout) +
         ";read=" + ms(u.read_timeout) + ";next=" + std::to_string(u.next_upstream) +
         ";tries=" + std::to_string(u.next_upstream_tries) + ";next-timeout=" + ms(u.next_upstream_timeout) + ')';
}

void append_range(std::string& out, const CidrRange& r) {
  static constexpr char hex[] = "0123456789abcdef";
  out += ',';
  for (std::uint8_t b : r.address) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  out += '/' + std::to_string(r.prefix_bits);
}

void append_rate_limit(std::string& out, const RateLimitPolicy& r) {
  out += " rate-limit(zone=" + std::to_string(r.zone) + ";rps=" + std::to_string(r.rps) + '/' +
         std::to_string(r.rps_burst) + ";rpm=" + std::to_string(r.rpm) + '/' + std::to_string(r.rpm_burst) +
         ";conn=" + std::to_string(r.connections) + ";status=" + std::to_string(r.request_status) + '/' +
         std::to_string(r.connection_status) + ";allow=" + std::to_string(r.allowlist.size());
  for (const CidrRange& range : r.allowlist) append_range(out, range);
  out += ')';
}

void append_text(std::string& out, std::string_view text) {
  out += std::to_string(text.size()) + ':';
  out += text;
}

void append_ranges(std::string& out, std::string_view side, const std::vector<IpRange>& ranges) {
  for (const IpRange& r : ranges) {
    out += ' ';
    out += side;
    out += '(' + describe(r) + ')';
  }
}

// A password hash is printed as its SHA-256: collision-resistant, so the
// deduplication key still tells any two files apart, while /debug/snapshot
// does not show the hashes themselves.
std::string sha256_hex(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

void append_basic_auth(std::string& out, const BasicAuthPolicy& auth) {
  out += " basic-auth(";
  append_text(out, auth.challenge);
  for (const BasicCredential& c : auth.users) {
    out += ',';
    append_text(out, c.user);
    out += "=sha256:" + sha256_hex(c.hash);
  }
  out += ')';
}

void append_cors(std::string& out, const CorsPolicy& cors) {
  out += " cors(";
  if (cors.any_origin) out += '*';
  for (const CorsOrigin& o : cors.origins) {
    out += ",origin=";
    append_text(out, o.prefix);
    if (o.wildcard) out += "*";
    append_text(out, o.suffix);
  }
  out += ')';
  append_edits(out, "cors", cors.fields);
}

}  // namespace

std::string describe(const RoutePolicy& policy) {
  std::string out;
  if (policy.denied) out += " denied";
  if (policy.ssl_redirect) out += " ssl-redirect";
  if (policy.preserve_trailing_slash) out += " preserve-trailing-slash";
  if (policy.redirect)
    out += " return(" + std::to_string(policy.redirect->code) + ',' + std::to_string(policy.redirect->url.size()) +
           ':' + policy.redirect->url + ')';
  if (policy.www_redirect)
    out += " www-redirect(" + std::to_string(policy.www_redirect->code) + ',' +
           std::to_string(policy.www_redirect->host.size()) + ':' + policy.www_redirect->host + ')';
  if (!policy.app_root.empty())
    out += " app-root(" + std::to_string(policy.app_root.size()) + ':' + policy.app_root + ')';
  if (policy.hsts) {
    out += " hsts(max-age=" + std::to_string(policy.hsts->max_age_seconds);
    if (policy.hsts->include_subdomains) out += ";includeSubDomains";
    if (policy.hsts->preload) out += ";preload";
    out += ')';
  }
  append_edits(out, "request", policy.headers.request);
  append_edits(out, "response", policy.headers.response);
  if (policy.max_body_bytes) out += " max-body=" + std::to_string(*policy.max_body_bytes);
  if (policy.upstream) append_upstream(out, *policy.upstream);
  if (policy.rate_limit) append_rate_limit(out, *policy.rate_limit);
  append_ranges(out, "deny", policy.source_ranges.deny);
  append_ranges(out, "allow", policy.source_ranges.allow);
  if (policy.basic_auth) append_basic_auth(out, *policy.basic_auth);
  if (policy.satisfy_any) out += " satisfy-any";
  if (policy.cors) append_cors(out, *policy.cors);
  return out.empty() ? "none" : out.substr(1);
}

}  // namespace sluice
