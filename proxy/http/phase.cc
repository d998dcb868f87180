// Phase names, for logs, /debug and test output.
#include "proxy/http/phase.h"

namespace sluice {

std::string_view phase_name(Phase p) {
  switch (p) {
    case Phase::request_headers: return "request_headers";
    case Phase::route: return "route";
    case Phase::access: return "access";
    case Phase::rewrite: return "rewrite";
    case Phase::upstream_request: return "upstream_request";
    case Phase::response_headers: return "response_headers";
    case Phase::body: return "body";
    case Phase::log: return "log";
  }
  return "?";
}

}  // namespace sluice
