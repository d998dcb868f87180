// What a data-plane coroutine's completion handler does with an exception:
// the data plane returns errors as values, so nothing should escape a
// coroutine; should something escape anyway, it is logged with where it
// happened instead of swallowed, as asio::detached would.
#pragma once

#include <exception>
#include <string_view>

namespace sluice {

// any thread. Logs `e` (an exception that escaped `where`) at error level.
void log_escaped_exception(std::exception_ptr e, std::string_view where);

}  // namespace sluice
