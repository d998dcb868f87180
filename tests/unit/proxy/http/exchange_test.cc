// Exchange driven by a fake codec: what a codec hands it, what it decides,
// what it edits and what it logs, without sockets or a worker.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "proxy/http/exchange.h"
#include "proxy/proxy_config.h"

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
        exchange.response_edits(backend_status);
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
};

}  // namespace

TEST_CASE("an exchange routes, edits and logs what its codec hands it", "[exchange]") {
  Fixture f;
  f.config.hsts = true;
  f.slot.replace(table(1));
  Exchange exchange({f.slot, f.config, f.ids, f.observer}, ConnectionFacts{true, "192.0.2.7"});
  FakeCodec codec{exchange};

  const Decision& d = codec.serve(get("shop.test", "/cart"), "client-id-1");
  REQUIRE(d.verdict.kind == VerdictKind::continue_);
  CHECK(added(exchange.request_edits()) == "X-Env: prod\n");
  CHECK(added(exchange.response_edits(200)) ==
        "X-Frame-Options: DENY\nStrict-Transport-Security: max-age=31536000; includeSubDomains\n");
  CHECK(exchange.response_edits(200).replaces("server"));
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
  f.slot.replace(table(1));
  Exchange exchange({f.slot, f.config, f.ids, f.observer}, ConnectionFacts{false, "192.0.2.7"});
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
  f.slot.replace(std::move(first));
  Exchange exchange({f.slot, f.config, f.ids, f.observer}, ConnectionFacts{false, "192.0.2.7"});
  exchange.reset();
  const Decision& d = exchange.begin(get("shop.test", "/"), {});
  f.slot.replace(table(2));  // published while the exchange waits for its backend
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
  f.slot.replace(table(1));
  Exchange plain({f.slot, f.config, f.ids, f.observer}, ConnectionFacts{false, "192.0.2.7"});
  FakeCodec codec{plain};
  codec.serve(get("shop.test", "/"));
  CHECK(added(plain.response_edits(200)) == "X-Frame-Options: DENY\n");
  f.config.hsts = false;
  Exchange tls({f.slot, f.config, f.ids, f.observer}, ConnectionFacts{true, "192.0.2.7"});
  FakeCodec tls_codec{tls};
  tls_codec.serve(get("shop.test", "/"));
  CHECK(added(tls.response_edits(200)) == "X-Frame-Options: DENY\n");
}
