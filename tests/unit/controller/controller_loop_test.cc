// ControllerLoop: coalescing, hold-off, the max delay and translate_now.
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>

#include <boost/asio/io_context.hpp>

#include "controller/controller_loop.h"
#include "tests/unit/controller/fixture.h"

using namespace sluice;
using namespace sluice::controller;
using namespace std::chrono_literals;

namespace {

bool run_until(boost::asio::io_context& io, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(5ms);
  }
  return done();
}

std::string web_ingress(const std::string& name, const std::string& host) {
  return test::ingress({.name = name, .rules = {test::rule(host, {test::path("/", "Prefix", "web")})}});
}

}  // namespace

TEST_CASE("translate_now publishes the first snapshot at once", "[controller_loop]") {
  boost::asio::io_context io;
  ObjectStore store;
  test::load(store, web_ingress("a", "a.com"));
  SnapshotPublisher publisher;
  ControllerLoop loop(io, store, {}, publisher);
  loop.translate_now();
  CHECK(publisher.published_generation() == 1);
  CHECK(publisher.current()->match("a.com", "/").route != nullptr);
  CHECK(loop.last_counts().routes == 1);
  CHECK(loop.last_warnings().size() == 1);  // service default/web not found
}

TEST_CASE("a burst of changes is translated once", "[controller_loop]") {
  boost::asio::io_context io;
  ObjectStore store;
  SnapshotPublisher publisher;
  ControllerLoop loop(io, store, {}, publisher, 20ms);
  loop.translate_now();
  test::load(store, web_ingress("a", "a.com") + web_ingress("b", "b.com") + web_ingress("c", "c.com"));
  CHECK(loop.dirty());
  CHECK(publisher.published_generation() == 1);  // nothing until the timer fires
  REQUIRE(run_until(io, [&] { return !loop.dirty(); }));
  CHECK(publisher.published_generation() == 2);
  CHECK(publisher.current()->match("c.com", "/").route != nullptr);
}

TEST_CASE("a zero hold-off still coalesces changes made in one handler", "[controller_loop]") {
  boost::asio::io_context io;
  ObjectStore store;
  SnapshotPublisher publisher;
  ControllerLoop loop(io, store, {}, publisher, 0ms);
  test::load(store, web_ingress("a", "a.com") + web_ingress("b", "b.com"));
  REQUIRE(run_until(io, [&] { return publisher.published_generation() == 1; }));
  io.restart();
  io.run_for(20ms);
  CHECK(publisher.published_generation() == 1);
}

TEST_CASE("a constant stream of changes publishes every hold-off, without waiting for quiet",
          "[controller_loop]") {
  boost::asio::io_context io;
  ObjectStore store;
  SnapshotPublisher publisher;
  // A cap far beyond the test's deadline: only the hold-off can publish.
  ControllerLoop loop(io, store, {}, publisher, 50ms, 60s);
  // A change every 10ms never leaves the 50ms hold-off quiet.
  boost::asio::steady_timer ticker(io);
  int n = 0;
  std::function<void()> tick = [&] {
    test::load(store, web_ingress("i" + std::to_string(n++), "a.com"));
    ticker.expires_after(10ms);
    ticker.async_wait([&](const boost::system::error_code& ec) {
      if (!ec && publisher.published_generation() == 0) tick();
    });
  };
  tick();
  REQUIRE(run_until(io, [&] { return publisher.published_generation() >= 1; }));
  CHECK(n < 100);  // published long before the 5s test deadline
}
