// The text form of a RoutePolicy (see policy.h).
#include "common/model/policy.h"

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
  return out.empty() ? "none" : out.substr(1);
}

}  // namespace sluice
