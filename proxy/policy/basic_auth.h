// auth-type: basic (access phase): nginx's auth_basic against the users of
// the auth-secret, which the controller read into the policy.
#pragma once

#include "common/model/policy.h"
#include "proxy/http/phase.h"
#include "proxy/http/request_view.h"

namespace sluice {

// 401 (the exchange adds WWW-Authenticate) unless the request's
// Authorization is "Basic" credentials of a listed user whose hash its
// password matches. Like nginx: the scheme without case, spaces after it,
// base64 read up to the first '=', an empty user refused, and the first
// line naming the user decides.
Verdict check_basic_auth(const BasicAuthPolicy& auth, const RequestView& request);

}  // namespace sluice
