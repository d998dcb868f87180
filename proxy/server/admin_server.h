// The admin listener: /healthz, /readyz, and a table of further handlers
// (metrics and debug views register here). Never on a public listener.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

namespace sluice {

struct AdminResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// The path's query string, e.g. "host=a&path=/b", is passed to the handler.
using AdminHandler = std::function<AdminResponse(std::string_view query)>;

// confined to the io_context it runs on (the controller's); handlers run there.
class AdminServer {
 public:
  AdminServer(boost::asio::io_context& context, const boost::asio::ip::tcp::endpoint& at);

  void handle(std::string path, AdminHandler handler) { handlers_[std::move(path)] = std::move(handler); }
  boost::asio::ip::tcp::endpoint endpoint() const { return acceptor_.local_endpoint(); }
  void start();
  void stop();

  AdminResponse dispatch(std::string_view target) const;

 private:
  void accept_next();
  void accept_later();

  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;  // after a failed accept (no fds left)
  std::map<std::string, AdminHandler, std::less<>> handlers_;
};

}  // namespace sluice
