// One echo connection from accept to close, as one coroutine.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "tools/echo/response.h"

namespace sluice::echo {

// Reads, parses and answers requests on `sock` until either side closes;
// runs on the worker whose state `worker` is.
boost::asio::awaitable<void> run_session(boost::asio::ip::tcp::socket sock, WorkerState& worker);

}  // namespace sluice::echo
