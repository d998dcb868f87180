// Listening sockets: one per worker on the same address (SO_REUSEPORT), so
// the kernel spreads connections and no two workers share an accept queue.
#pragma once

#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace sluice {

// Parses "ADDR:PORT" ("0.0.0.0:8080", "[::1]:0", ":8080"); throws
// std::invalid_argument with a message naming the problem.
boost::asio::ip::tcp::endpoint parse_listen_address(std::string_view text);

// Opens, binds (SO_REUSEADDR + SO_REUSEPORT) and listens; throws
// boost::system::system_error when the address cannot be bound.
boost::asio::ip::tcp::acceptor open_listener(boost::asio::io_context& context,
                                             const boost::asio::ip::tcp::endpoint& at);

std::string to_string(const boost::asio::ip::tcp::endpoint& e);

}  // namespace sluice
