// log_escaped_exception: one error line naming the coroutine and the exception.
#include "proxy/server/escaped_exception.h"

#include "common/log.h"

namespace sluice {

void log_escaped_exception(std::exception_ptr e, std::string_view where) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    log::error("exception escaped a data-plane coroutine", {{"coroutine", std::string(where)}, {"error", x.what()}});
  } catch (...) {
    log::error("exception escaped a data-plane coroutine", {{"coroutine", std::string(where)}, {"error", "not a std::exception"}});
  }
}

}  // namespace sluice
