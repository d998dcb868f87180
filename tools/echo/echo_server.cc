// The echo backend's server: one io_context, thread and SO_REUSEPORT
// acceptor per worker, each accepted connection a session coroutine
// (session.cc) on its worker.
#include "tools/echo/echo_server.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "tools/echo/response.h"
#include "tools/echo/session.h"

namespace sluice::echo {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, WorkerState& worker) {
  for (;;) {
    auto [ec, sock] = co_await acceptor.async_accept(use_nothrow);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      // Out of descriptors or similar: back off briefly instead of spinning.
      asio::steady_timer timer(acceptor.get_executor(), std::chrono::milliseconds(10));
      co_await timer.async_wait(use_nothrow);
      continue;
    }
    asio::co_spawn(acceptor.get_executor(), run_session(std::move(sock), worker), asio::detached);
  }
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

}  // namespace

std::string endpoint_to_string(const boost::asio::ip::tcp::endpoint& ep) {
  std::string s = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
  s += ':';
  s += std::to_string(ep.port());
  return s;
}

// worker-confined (its thread runs `io`). Declared io_context first so the
// acceptor is destroyed before it.
struct EchoWorker {
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  WorkerState state;
  std::thread thread;
};

// any thread, as EchoServer: the workers are made in the constructor and then
// only started, stopped (io_context::stop is thread-safe) and joined.
struct EchoServer::Impl {
  std::vector<std::unique_ptr<EchoWorker>> workers;
  tcp::endpoint bound;
};

EchoServer::EchoServer(EchoConfig config) : impl_(std::make_unique<Impl>()) {
  if (config.threads < 1) config.threads = 1;
  if (config.name.empty()) config.name = host_name();
  tcp::endpoint ep = config.listen;
  for (int i = 0; i < config.threads; ++i) {
    auto w = std::make_unique<EchoWorker>();
    w->state.server_name = config.name;
    w->acceptor.open(ep.protocol());
    w->acceptor.set_option(tcp::acceptor::reuse_address(true));
    int one = 1;
    if (::setsockopt(w->acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
      throw boost::system::system_error(errno, boost::system::system_category(), "SO_REUSEPORT");
    w->acceptor.bind(ep);
    w->acceptor.listen(asio::socket_base::max_listen_connections);
    if (i == 0) {
      ep = w->acceptor.local_endpoint();  // the others share the real port
      impl_->bound = ep;
    }
    impl_->workers.push_back(std::move(w));
  }
}

EchoServer::~EchoServer() {
  stop();
  join();
}

tcp::endpoint EchoServer::local_endpoint() const { return impl_->bound; }

void EchoServer::start() {
  for (auto& w : impl_->workers) {
    asio::co_spawn(w->io, accept_loop(w->acceptor, w->state), asio::detached);
    w->thread = std::thread([io = &w->io] { io->run(); });
  }
}

void EchoServer::stop() {
  for (auto& w : impl_->workers) w->io.stop();
}

void EchoServer::join() {
  for (auto& w : impl_->workers)
    if (w->thread.joinable()) w->thread.join();
}

}  // namespace sluice::echo
