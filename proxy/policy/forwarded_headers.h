// use-forwarded-headers: the client's X-Forwarded-Proto, -Port and -Host are
// trusted, as lua_ingress.lua's rewrite() sets $pass_access_scheme,
// $pass_server_port and $best_http_host from them. Off (the default), the
// proxy's own values are sent.
#pragma once

#include <string_view>

#include "proxy/http/header_list.h"

namespace sluice {

// worker-confined; views into the request's fields.
struct ForwardedView {
  bool has_proto = false;
  std::string_view proto;  // $http_x_forwarded_proto, possibly ""
  bool has_port = false;
  std::string_view port;   // $http_x_forwarded_port
  bool has_host = false;
  std::string_view host;   // the first ','-separated element of X-Forwarded-Host, as written
};

// The first field of each name (nginx's $http_* of a single-valued field).
ForwardedView read_forwarded(const HeaderList& headers);

}  // namespace sluice
