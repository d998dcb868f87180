// ConnectionPool: LIFO reuse (the warmest connection first) and a cheap
// liveness check, one non-blocking peek, before handing a connection out.
#include "proxy/upstream/connection_pool.h"

#include <sys/socket.h>

#include <cerrno>

namespace sluice {
namespace {

// A backend that closed an idle connection left EOF (or an error) to read.
bool still_open(UpstreamConnection& c) {
  char byte;
  ssize_t n = ::recv(c.socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
  return false;  // 0: closed; >0: unexpected bytes, unusable for a new exchange
}

}  // namespace

std::unique_ptr<UpstreamConnection> ConnectionPool::take(const UpstreamKey& key, bool verify) {
  auto it = idle_.find(key);
  if (it == idle_.end()) return nullptr;
  auto& stack = it->second;
  while (!stack.empty()) {
    auto c = std::move(stack.back());
    stack.pop_back();
    if (!verify || still_open(*c)) {
      c->reused = true;
      return c;
    }
  }
  return nullptr;
}

void ConnectionPool::give_back(std::unique_ptr<UpstreamConnection> c) {
  auto& stack = idle_[c->key];
  if (stack.size() >= max_idle_) return;  // closes c
  // The buffer stays: a warm connection is taken again within microseconds
  // under load, and freeing it cost a 16 KiB malloc/free per request.
  // sweep() frees the buffers of connections that stay idle.
  stack.push_back(std::move(c));
}

void ConnectionPool::sweep() {
  for (auto& [key, stack] : idle_) {
    std::erase_if(stack, [](const auto& c) { return !still_open(*c); });
    for (auto& c : stack) c->buffer.release_if_empty();
  }
  std::erase_if(idle_, [](const auto& kv) { return kv.second.empty(); });
}

std::size_t ConnectionPool::idle_count() const {
  std::size_t n = 0;
  for (const auto& kv : idle_) n += kv.second.size();
  return n;
}

}  // namespace sluice
