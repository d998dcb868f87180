// hsts (response_headers phase): Strict-Transport-Security on responses
// sent over HTTPS, from the route's policy or, when it says nothing, from
// the --hsts flag (ingress-nginx's `hsts` ConfigMap key).
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "common/model/policy.h"
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

}  // namespace sluice
