// hsts; see hsts.h.
#include "proxy/policy/hsts.h"

#include <charconv>
#include <cstring>

namespace sluice {

std::string_view HstsValue::format(const HstsPolicy& p) {
  char* out = text_.data();
  char* const end = out + text_.size();
  auto put = [&](std::string_view s) {
    std::memcpy(out, s.data(), s.size());
    out += s.size();
  };
  put("max-age=");
  out = std::to_chars(out, end, p.max_age_seconds).ptr;  // at most 10 digits
  if (p.include_subdomains) put("; includeSubDomains");
  if (p.preload) put("; preload");
  return {text_.data(), static_cast<std::size_t>(out - text_.data())};
}

void apply_hsts(const RoutePolicy* policy, bool tls, bool flag, FieldEdits& edits, HstsValue& value) {
  apply_hsts(policy, tls, flag ? &hsts_flag_policy : nullptr, edits, value);
}

void apply_hsts(const RoutePolicy* policy, bool tls, const HstsPolicy* fallback, FieldEdits& edits,
                HstsValue& value) {
  if (!tls) return;
  const HstsPolicy* p = policy && policy->hsts ? &*policy->hsts : fallback;
  if (!p) return;
  edits.add(HeaderEditOp::set, "Strict-Transport-Security", value.format(*p));
}

const HstsPolicy* default_hsts(const ProxySettings* settings, bool flag) {
  if (settings && settings->from_configmap) return settings->hsts ? &*settings->hsts : nullptr;
  return flag ? &hsts_flag_policy : nullptr;
}

}  // namespace sluice
