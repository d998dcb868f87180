// ConnectionPool keyed by UpstreamKey: a connection comes back only for the
// same endpoint, protocol and TLS. No socket is opened: nothing is verified.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include "proxy/upstream/connection_pool.h"

using namespace sluice;

namespace {

UpstreamKey key(std::uint16_t port, bool tls = false) {
  return {{boost::asio::ip::make_address("127.0.0.1"), port}, UpstreamProtocol::http1, tls};
}

std::unique_ptr<UpstreamConnection> idle(boost::asio::io_context& io, const UpstreamKey& k) {
  auto c = std::make_unique<UpstreamConnection>(io.get_executor());
  c->key = k;
  return c;
}

}  // namespace

TEST_CASE("the pool hands a connection out only for its own key", "[upstream][pool]") {
  boost::asio::io_context io;
  ConnectionPool pool(4);
  pool.give_back(idle(io, key(8001, true)));
  CHECK(pool.idle_count() == 1);
  CHECK_FALSE(pool.take(key(8001, false), false));  // same endpoint, not TLS
  CHECK_FALSE(pool.take(key(8002, true), false));   // TLS, another endpoint
  auto c = pool.take(key(8001, true), false);
  REQUIRE(c);
  CHECK(c->reused);
  CHECK(c->key == key(8001, true));
  CHECK(pool.idle_count() == 0);
}

TEST_CASE("keys differing only in TLS hash apart", "[upstream][pool]") {
  CHECK(UpstreamKeyHash{}(key(8001, true)) != UpstreamKeyHash{}(key(8001, false)));
}
