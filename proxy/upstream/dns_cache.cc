// DnsCache; see dns_cache.h.
#include "proxy/upstream/dns_cache.h"

#include <charconv>

namespace sluice {

std::string_view DnsCache::key(std::string_view name, std::uint16_t port) const {
  char digits[8];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, port);
  scratch_.assign(name);
  scratch_ += ':';
  scratch_.append(digits, end);
  return scratch_;
}

const std::vector<boost::asio::ip::tcp::endpoint>* DnsCache::find(std::string_view name, std::uint16_t port,
                                                                  clock::time_point now) const {
  auto it = entries_.find(key(name, port));
  if (it == entries_.end() || it->second.expires <= now) return nullptr;
  return &it->second.addresses;
}

void DnsCache::remember(std::string_view name, std::uint16_t port,
                        std::vector<boost::asio::ip::tcp::endpoint> addresses, clock::time_point now) {
  if (entries_.size() > 4096) std::erase_if(entries_, [now](const auto& kv) { return kv.second.expires <= now; });
  entries_.insert_or_assign(std::string(key(name, port)), Entry{std::move(addresses), now + ttl});
}

}  // namespace sluice
