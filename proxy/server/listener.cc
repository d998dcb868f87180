// Listener helpers; see listener.h.
#include "proxy/server/listener.h"

#include <charconv>
#include <stdexcept>

#include <boost/asio/socket_base.hpp>

namespace sluice {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

tcp::endpoint parse_listen_address(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos)
    throw std::invalid_argument("listen address \"" + std::string(text) + "\" must be ADDR:PORT");
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || p != port_text.data() + port_text.size() || port > 65535)
    throw std::invalid_argument("listen address \"" + std::string(text) + "\" has a bad port");
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  boost::system::error_code error;
  auto address = asio::ip::make_address(std::string(host), error);
  if (error)
    throw std::invalid_argument("listen address \"" + std::string(text) + "\" is not an IP address");
  return {address, static_cast<unsigned short>(port)};
}

tcp::acceptor open_listener(asio::io_context& context, const tcp::endpoint& at) {
  tcp::acceptor acceptor(context);
  acceptor.open(at.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true));
  acceptor.bind(at);
  acceptor.listen(asio::socket_base::max_listen_connections);
  return acceptor;
}

std::string to_string(const tcp::endpoint& e) {
  if (e.address().is_v6()) return "[" + e.address().to_string() + "]:" + std::to_string(e.port());
  return e.address().to_string() + ":" + std::to_string(e.port());
}

}  // namespace sluice
