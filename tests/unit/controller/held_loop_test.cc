// Cluster mode holds the controller loop until every informer has synced.
#include <catch2/catch.hpp>

#include <chrono>

#include <boost/asio/io_context.hpp>

#include "controller/controller_loop.h"
#include "tests/unit/controller/fixture.h"

namespace sluice::controller {
namespace {

using namespace std::chrono_literals;

TEST_CASE("a held loop publishes nothing until translate_now, then hands out each result", "[informer]") {
  boost::asio::io_context io;
  ObjectStore store;
  SnapshotPublisher publisher;
  ControllerLoop loop(io, store, {}, publisher, 0ms, 0ms);
  std::vector<std::size_t> served;
  loop.set_on_translated([&served](const TranslationResult& r) { served.push_back(r.served.size()); });
  loop.hold();
  test::load(store, test::ingress({.name = "a", .rules = {test::rule("a.com", {test::path("/", "Prefix", "web")})}}));
  io.run_for(30ms);
  CHECK(publisher.published_generation() == 0);
  CHECK(loop.dirty());
  loop.translate_now();
  CHECK(publisher.published_generation() == 1);
  CHECK(served == std::vector<std::size_t>{1});
  // Released: later changes publish as usual.
  test::load(store, test::ingress({.name = "b", .rules = {test::rule("b.com", {test::path("/", "Prefix", "web")})}}));
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (publisher.published_generation() < 2 && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(5ms);
  }
  CHECK(publisher.published_generation() == 2);
  CHECK(served == std::vector<std::size_t>{1, 2});
}

}  // namespace
}  // namespace sluice::controller
