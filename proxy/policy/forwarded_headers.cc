// use-forwarded-headers; see forwarded_headers.h.
#include "proxy/policy/forwarded_headers.h"

namespace sluice {

ForwardedView read_forwarded(const HeaderList& headers) {
  ForwardedView v;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    switch (headers.kind(i)) {
      case HeaderKind::x_forwarded_proto:
        if (!v.has_proto) {
          v.has_proto = true;
          v.proto = headers.value(i);
        }
        break;
      case HeaderKind::x_forwarded_port:
        if (!v.has_port) {
          v.has_port = true;
          v.port = headers.value(i);
        }
        break;
      case HeaderKind::x_forwarded_host:
        if (!v.has_host) {
          v.has_host = true;
          v.host = headers.value(i).substr(0, headers.value(i).find(','));  // parse_x_forwarded_host: hosts[1]
        }
        break;
      default: break;
    }
  }
  return v;
}

}  // namespace sluice
