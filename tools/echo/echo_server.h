// The echo backend behind `sluice echo`: a small, fast HTTP/1.1 server that
// answers every request with the facts a proxy test or demo needs (which
// server answered, the URI, the request id, and in JSON mode every header it
// received), plus a few X-Echo-* request headers that make it misbehave on
// purpose (status, delay, big or chunked bodies, WebSocket echo).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>

namespace sluice::echo {

inline constexpr int default_threads = 1;
inline constexpr int max_threads = 256;

// any thread (immutable)
struct EchoConfig {
  boost::asio::ip::tcp::endpoint listen;  // port 0 picks a free port
  std::string name;                       // "Server name:"; empty means the host name
  int threads = default_threads;          // one io_context and one SO_REUSEPORT acceptor each
};

// any thread: the constructor binds every acceptor (throws boost::system::system_error
// at start-up), start() runs one thread per io_context, stop() may be called from
// any thread (or a signal handler's io_context) and join() waits for the threads.
class EchoServer {
 public:
  explicit EchoServer(EchoConfig config);
  ~EchoServer();
  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;

  // The address actually bound (the real port when the config asked for 0).
  boost::asio::ip::tcp::endpoint local_endpoint() const;

  void start();
  void stop();
  void join();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "ip:port", with brackets around an IPv6 address.
std::string endpoint_to_string(const boost::asio::ip::tcp::endpoint& ep);

}  // namespace sluice::echo
