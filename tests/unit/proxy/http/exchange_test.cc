// Exchange driven by a fake codec: what a codec hands it, what it decides,
// what it edits and what it logs, without sockets or a worker.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "proxy/http/exchange.h"
#include "proxy/proxy_config.h"

#include <boost/asio/ip/address.hpp>

using namespace sluice;

namespace {

// Keeps what the log phase saw, by value (the record is reused).
struct RecordingObserver final : ExchangeObserver {
  struct Seen {
    int status;
    ProxyError error;
    std::string request_id, target, host, backend;
  };
  std::vector<Seen> seen;
  void observe(const ExchangeRecord& r) override {
    seen.push_back({r.status, r.error, std::string(r.request_id), r.target, r.host,
                    r.backend ? r.backend->name : std::string()});
  }
};

// A codec in miniature: one request in, the verdict carried out as a codec
// would (respond, redirect, or "forward" with a canned backend status).
struct FakeCodec {
  Exchange& exchange;
  int backend_status = 200;

  const Decision& serve(RequestView request, std::string_view client_request_id = {}) {
    exchange.reset();
    exchange.mark_start();
    const Decision& d = exchange.begin(request, RequestFacts{.method_name = "GET", .request_id = client_request_id});
    switch (d.verdict.kind) {
      case VerdictKind::respond: exchange.finish_local(d.verdict.reply.error); break;
      case VerdictKind::redirect: exchange.finish(d.verdict.redirect.status); break;
      case VerdictKind::continue_:
        exchange.response_edits();
        exchange.finish(backend_status);
        break;
    }
    return d;
  }
};

std::string added(const FieldEdits& edits) {
  std::string out;
  edits.for_each_added([&](std::string_view n, std::string_view v) { out += std::string(n) + ": " + std::string(v) + "\n"; });
  return out;
}

std::shared_ptr<const RouteTable> table(std::uint64_t generation) {
  RouteTableBuilder b;
  Backend shop{.name = "ns/shop:80"};
  shop.endpoints.push_back(Endpoint{.name = "10.0.0.1:80"});
  const auto backend = b.add_backend(shop);
  const auto edited = b.add_policy({.headers = {.request = {{HeaderEditOp::set, "X-Env", "prod"}},
                                                .response = {{HeaderEditOp::remove, "Server", ""},
                                                             {HeaderEditOp::add, "X-Frame-Options", "DENY"}}}});
  b.add_route({.host = "shop.test", .path = "/", .backend = backend, .policy = edited});
  return std::move(b).build(generation);
}

RequestView get(std::string_view host, std::string_view target) {
  return {.method = Method::get, .target = target, .host = host};
}

struct Fixture {
  SnapshotSlot slot;
  ProxyConfig config;
  RequestIdGenerator ids;
  RecordingObserver observer;
  UpstreamHealthCounters counters;
  BackendRuntime backends{{.max_fails = 1, .fail_timeout = std::chrono::seconds(60)}, counters};
  RetryPolicy retry_policy;
  ExchangeServices services() { return {slot, config, ids, observer, backends, retry_policy}; }
  void publish(std::shared_ptr<const RouteTable> t) {
    auto states = backends.rebase(*t);
    slot.replace(std::move(t), std::move(states));
  }
};

}  // namespace

TEST_CASE("an exchange routes, edits and logs what its codec hands it", "[exchange]") {
  Fixture f;
  f.config.hsts = true;
  f.publish(table(1));
  Exchange exchange(f.services(), ConnectionFacts{true, "192.0.2.7"});
  FakeCodec codec{exchange};

  const Decision& d = codec.serve(get("shop.test", "/cart"), "client-id-1");
  REQUIRE(d.verdict.kind == VerdictKind::continue_);
  CHECK(added(exchange.request_edits()) == "X-Env: prod\n");
  CHECK(added(exchange.response_edits()) ==
        "X-Frame-Options: DENY\nStrict-Transport-Security: max-age=31536000; includeSubDomains\n");
  CHECK(exchange.response_edits().replaces("server"));
  REQUIRE(f.observer.seen.size() == 1);
  CHECK(f.observer.seen[0].status == 200);
  CHECK(f.observer.seen[0].request_id == "client-id-1");
  CHECK(f.observer.seen[0].target == "/cart");
  CHECK(f.observer.seen[0].host == "shop.test");
  CHECK(f.observer.seen[0].backend == "ns/shop:80");

  codec.serve(get("other.test", "/"));
  REQUIRE(f.observer.seen.size() == 2);
  CHECK(f.observer.seen[1].status == 404);
  CHECK(f.observer.seen[1].error == ProxyError::no_route);
  CHECK(f.observer.seen[1].request_id.size() == RequestIdGenerator::length);  // none sent: a fresh one
  CHECK(exchange.generated_request_id());
}

TEST_CASE("a client's request id is kept unless it is too long", "[exchange]") {
  Fixture f;
  f.publish(table(1));
  Exchange exchange(f.services(), ConnectionFacts{false, "192.0.2.7"});
  FakeCodec codec{exchange};
  codec.serve(get("shop.test", "/"), std::string(200, 'a'));
  CHECK(exchange.request_id() == std::string(200, 'a'));
  CHECK_FALSE(exchange.generated_request_id());
  codec.serve(get("shop.test", "/"), std::string(201, 'a'));
  CHECK(exchange.request_id().size() == RequestIdGenerator::length);
  CHECK(exchange.generated_request_id());
}

TEST_CASE("an exchange finishes on the snapshot it started with", "[exchange]") {
  Fixture f;
  auto first = table(1);
  std::weak_ptr<const RouteTable> watch = first;
  f.publish(std::move(first));
  Exchange exchange(f.services(), ConnectionFacts{false, "192.0.2.7"});
  exchange.reset();
  const Decision& d = exchange.begin(get("shop.test", "/"), {});
  f.publish(table(2));  // published while the exchange waits for its backend
  CHECK(exchange.snapshot()->generation() == 1);
  CHECK(d.match.backend->name == "ns/shop:80");  // still valid: the old table is pinned
  CHECK_FALSE(watch.expired());
  exchange.finish(200);
  exchange.reset();  // the next exchange unpins it
  CHECK(watch.expired());
}

TEST_CASE("no HSTS over plain HTTP, and none over TLS without flag or policy", "[exchange]") {
  Fixture f;
  f.config.hsts = true;
  f.publish(table(1));
  Exchange plain(f.services(), ConnectionFacts{false, "192.0.2.7"});
  FakeCodec codec{plain};
  codec.serve(get("shop.test", "/"));
  CHECK(added(plain.response_edits()) == "X-Frame-Options: DENY\n");
  f.config.hsts = false;
  Exchange tls(f.services(), ConnectionFacts{true, "192.0.2.7"});
  FakeCodec tls_codec{tls};
  tls_codec.serve(get("shop.test", "/"));
  CHECK(added(tls.response_edits()) == "X-Frame-Options: DENY\n");
}

namespace {

// Three fake endpoints behind one backend; nothing listens anywhere: the
// test plays the codec and says how each attempt ended.
std::shared_ptr<const RouteTable> three_endpoints() {
  RouteTableBuilder b;
  Backend pool{.name = "ns/pool:80"};
  for (const char* name : {"10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"}) {
    Endpoint e{.name = name};
    e.address = {boost::asio::ip::make_address(std::string_view(name).substr(0, 8)), 80};
    pool.endpoints.push_back(e);
  }
  b.add_route({.host = "pool.test", .path = "/", .backend = b.add_backend(pool)});
  return std::move(b).build(1);
}

const AttemptFacts get_sent{.idempotent = true, .replayable = true, .request_sent = true};
const AttemptFacts post_sent{.idempotent = false, .replayable = false, .request_sent = true};
const AttemptFacts not_connected{.idempotent = false, .replayable = false, .request_sent = false};

}  // namespace

TEST_CASE("an exchange's attempts: connect failures move to the next endpoint", "[exchange][retry]") {
  Fixture f;
  f.publish(three_endpoints());
  Exchange exchange(f.services(), ConnectionFacts{false, "192.0.2.7"});
  exchange.reset();
  const Decision& d = exchange.begin({.method = Method::post, .target = "/", .host = "pool.test"}, {});
  const Backend& backend = *d.match.backend;
  const auto first = exchange.first_endpoint(backend, d.match.route->backend);
  const Error refused = classify(ErrorKind::connect_failed);
  CHECK(exchange.retry(backend, refused, not_connected) == RetryDecision::next_endpoint);
  const auto second = exchange.endpoint();
  CHECK(second != first);
  CHECK(exchange.retry(backend, refused, not_connected) == RetryDecision::next_endpoint);
  CHECK(exchange.endpoint() != first);
  CHECK(exchange.endpoint() != second);
  CHECK(exchange.retry(backend, refused, not_connected) == RetryDecision::stop);  // tries: 3
  CHECK(f.counters.ejections.load() == 3);  // max_fails 1: each refusal ejected its endpoint
}

TEST_CASE("an exchange's attempts: a POST is never retried after its body was sent", "[exchange][retry]") {
  Fixture f;
  f.publish(three_endpoints());
  Exchange exchange(f.services(), ConnectionFacts{false, "192.0.2.7"});
  exchange.reset();
  const Decision& d = exchange.begin({.method = Method::post, .target = "/", .host = "pool.test"}, {});
  exchange.first_endpoint(*d.match.backend, d.match.route->backend);
  CHECK(exchange.retry(*d.match.backend, upstream_error(ProxyError::upstream_reset, false, false), post_sent) ==
        RetryDecision::stop);
}

TEST_CASE("an exchange's attempts: a GET is retried once on reset, elsewhere", "[exchange][retry]") {
  Fixture f;
  f.publish(three_endpoints());
  Exchange exchange(f.services(), ConnectionFacts{false, "192.0.2.7"});
  exchange.reset();
  const Decision& d = exchange.begin(get("pool.test", "/"), {});
  const auto first = exchange.first_endpoint(*d.match.backend, d.match.route->backend);
  const Error reset = upstream_error(ProxyError::upstream_reset, false, false);
  CHECK(exchange.retry(*d.match.backend, reset, get_sent) == RetryDecision::next_endpoint);
  CHECK(exchange.endpoint() != first);
  // Nothing is retried once response bytes reached the client.
  AttemptFacts started = get_sent;
  started.response_started = true;
  CHECK(exchange.retry(*d.match.backend, upstream_error(ProxyError::upstream_reset, true, true), started) ==
        RetryDecision::stop);
}

TEST_CASE("an exchange's attempts: ejection marks outlive the exchange and the snapshot", "[exchange][retry]") {
  Fixture f;
  f.publish(three_endpoints());
  Exchange exchange(f.services(), ConnectionFacts{false, "192.0.2.7"});
  exchange.reset();
  const Decision& d = exchange.begin(get("pool.test", "/"), {});
  const auto refused = exchange.first_endpoint(*d.match.backend, d.match.route->backend);
  exchange.retry(*d.match.backend, classify(ErrorKind::connect_failed), not_connected);
  f.publish(three_endpoints());  // a new generation with the same endpoints
  for (int i = 0; i < 6; ++i) {
    exchange.reset();
    const Decision& next = exchange.begin(get("pool.test", "/"), {});
    CHECK(exchange.first_endpoint(*next.match.backend, next.match.route->backend) != refused);
    exchange.attempt_succeeded();
  }
}

TEST_CASE("an exchange's attempts: an ExternalName has one address, so no other endpoint is tried",
          "[exchange][retry]") {
  Fixture f;
  RouteTableBuilder b;
  const auto ext = b.add_backend(Backend{.name = "ns/ext:80", .external_name = "example.invalid", .external_port = 80});
  b.add_route({.host = "ext.test", .path = "/", .backend = ext});
  f.publish(std::move(b).build(1));
  Exchange exchange(f.services(), ConnectionFacts{false, "192.0.2.7"});
  exchange.reset();
  const Decision& d = exchange.begin(get("ext.test", "/"), {});
  REQUIRE(d.verdict.kind == VerdictKind::continue_);
  CHECK(exchange.first_endpoint(*d.match.backend, d.match.route->backend) == 0);
  CHECK(exchange.retry(*d.match.backend, classify(ErrorKind::connect_failed), not_connected) == RetryDecision::stop);
  CHECK(f.counters.ejections.load() == 0);  // no health marks for a name
}
