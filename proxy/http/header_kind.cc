// classify_header: a switch on the length first, so most names cost one
// comparison or none.
#include "proxy/http/header_kind.h"

#include "common/strings.h"

namespace sluice {

HeaderKind classify_header(std::string_view n) {
  switch (n.size()) {
    case 2:
      return iequals(n, "te") ? HeaderKind::te : HeaderKind::other;
    case 4:
      return iequals(n, "host") ? HeaderKind::host : HeaderKind::other;
    case 6:
      return iequals(n, "expect") ? HeaderKind::expect : HeaderKind::other;
    case 7:
      if (iequals(n, "upgrade")) return HeaderKind::upgrade;
      if (iequals(n, "referer")) return HeaderKind::referer;
      if (iequals(n, "trailer")) return HeaderKind::trailer;
      return HeaderKind::other;
    case 9:
      return iequals(n, "x-real-ip") ? HeaderKind::x_real_ip : HeaderKind::other;
    case 10:
      if (iequals(n, "connection")) return HeaderKind::connection;
      if (iequals(n, "user-agent")) return HeaderKind::user_agent;
      if (iequals(n, "keep-alive")) return HeaderKind::keep_alive;
      return HeaderKind::other;
    case 12:
      return iequals(n, "x-request-id") ? HeaderKind::x_request_id : HeaderKind::other;
    case 15:
      return iequals(n, "x-forwarded-for") ? HeaderKind::x_forwarded_for : HeaderKind::other;
    case 16:
      if (iequals(n, "x-forwarded-host")) return HeaderKind::x_forwarded_host;
      if (iequals(n, "x-forwarded-port")) return HeaderKind::x_forwarded_port;
      if (iequals(n, "proxy-connection")) return HeaderKind::proxy_connection;
      return HeaderKind::other;
    case 17:
      return iequals(n, "x-forwarded-proto") ? HeaderKind::x_forwarded_proto : HeaderKind::other;
    default:
      return HeaderKind::other;
  }
}

}  // namespace sluice
