// Addresses of ExternalName Services, resolved off the request path's
// critical section once and remembered per worker for a short time.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "common/model/route_table.h"

namespace sluice {

// worker-confined.
class DnsCache {
 public:
  using clock = std::chrono::steady_clock;
  // getaddrinfo reports no TTL; 30 s bounds how stale an answer can be.
  static constexpr std::chrono::seconds ttl{30};

  // The remembered addresses of name:port, or null when unknown or expired.
  const std::vector<boost::asio::ip::tcp::endpoint>* find(std::string_view name, std::uint16_t port,
                                                          clock::time_point now) const;
  void remember(std::string_view name, std::uint16_t port,
                std::vector<boost::asio::ip::tcp::endpoint> addresses, clock::time_point now);

 private:
  struct Entry {
    std::vector<boost::asio::ip::tcp::endpoint> addresses;
    clock::time_point expires;
  };
  // Builds "name:port" into scratch_, whose capacity is reused, so a lookup
  // allocates nothing once warm.
  std::string_view key(std::string_view name, std::uint16_t port) const;
  mutable std::string scratch_;
  StringMap<Entry> entries_;
};

}  // namespace sluice
