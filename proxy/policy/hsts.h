// hsts (response_headers phase): Strict-Transport-Security on responses
// sent over HTTPS, from the route's policy or, when it says nothing, from
// the --configmap's hsts keys, or without a ConfigMap the --hsts flag.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "common/model/policy.h"
#include "common/model/proxy_settings.h"
#include "proxy/http/field_edits.h"

namespace sluice {

// worker-confined. The header's value for one exchange, written into the
// exchange's own buffer: formatting it allocates nothing.
class HstsValue {
 public:
  std::string_view format(const HstsPolicy& p);

 private:
  std::array<char, 64> text_{};
};

// What --hsts sends: one year, subdomains included (ingress-nginx's defaults).
inline constexpr HstsPolicy hsts_flag_policy{};

// Adds the field to `edits` when the response goes over TLS and the route
// (or, for routes that leave it unset, `flag`) asks for it.
void apply_hsts(const RoutePolicy* policy, bool tls, bool flag, FieldEdits& edits, HstsValue& value);
// The same with the fallback spelled out (null: none).
void apply_hsts(const RoutePolicy* policy, bool tls, const HstsPolicy* fallback, FieldEdits& edits,
                HstsValue& value);

// What routes that say nothing get: the snapshot's ConfigMap settings when
// it has them (hsts on by default, as in ingress-nginx), else the flag.
// `settings` is null before the first snapshot.
const HstsPolicy* default_hsts(const ProxySettings* settings, bool flag);

}  // namespace sluice
