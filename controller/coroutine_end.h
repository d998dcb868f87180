// The completion handler every co_spawn in controller/ uses instead of
// asio::detached, which drops an exception silently and leaves whatever the
// coroutine should have cleaned up (a "running" flag, say) stuck.
#pragma once

#include <exception>
#include <string>
#include <utility>

#include "common/log.h"

// Sockets are closed with close(ec) (beast's tcp_stream::close() does so and
// is noexcept). Timers have no cancel(ec) under BOOST_ASIO_NO_DEPRECATED;
// their cancel() throws only on a reactor failure that Asio's timer queues
// never report, so it stays.
namespace sluice::controller {

// any thread (immutable). Runs `cleanup` however the coroutine ended, and
// logs one error line naming `what` when it ended by an exception.
template <typename Cleanup>
auto on_coroutine_end(const char* what, Cleanup cleanup) {
  return [what, cleanup = std::move(cleanup)](std::exception_ptr e) mutable {
    if (e) {
      std::string error = "unknown exception";
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        error = ex.what();
      } catch (...) {
      }
      log::error("coroutine ended by an exception", {{"coroutine", what}, {"error", error}});
    }
    cleanup();
  };
}

// For a coroutine with nothing to clean up: still logged.
inline auto on_coroutine_end(const char* what) {
  return on_coroutine_end(what, [] {});
}

}  // namespace sluice::controller
