// H1ServerConnection, forwarding: the head for the backend, the endpoint
// pick, pooled connections, ExternalName resolution and connecting.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/log.h"
#include "proxy/codec/h1/h1_request_view.h"
#include "proxy/codec/h1/h1_server_connection.h"
#include "proxy/codec/h1/header_rewrite.h"
#include "proxy/policy/forwarded_headers.h"
#include "proxy/server/listener.h"
#include "proxy/server/worker.h"

namespace sluice {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// upstream_request: the client's head rewritten for the backend, with the
// route's request edits, in one pass.
void H1ServerConnection::build_request_head(const H1RequestView& view) {
  const auto& head = request_parser_.head();
  const bool tls = transport_.tls();
  ForwardFacts facts{exchange_.client_ip(), tls ? "https" : "http", tls ? worker_.tls_port() : worker_.listen_port(),
                     exchange_.request_id(), view.request().target, view.authority(),
                     exchange_.generated_request_id(), view.request().upgrade,
                     worker_.config().underscores_in_headers};
  facts.peer_ip = client_ip_;
  if (const auto& snapshot = exchange_.snapshot(); snapshot && snapshot.table().settings().from_configmap) {
    const ClientAddressSettings& client = snapshot.table().settings().client_address;
    // ingress-nginx sends $remote_addr alone unless compute-full-forwarded-for.
    facts.forward_chain = client.full_forwarded_for;
    if (client.use_forwarded_headers && view.request().headers) {
      const ForwardedView forwarded = read_forwarded(*view.request().headers);
      if (forwarded.has_proto) facts.proto = forwarded.proto;
      if (forwarded.has_port) facts.port = forwarded.port;
      if (forwarded.has_host && !forwarded.host.empty()) facts.authority = forwarded.host;  // Host too
    }
  }
  build_upstream_head(upstream_.request_head(), head, transport_.in().data(), facts, exchange_.request_edits());
}

void H1ServerConnection::release_upstream(bool reusable) {
  if (!upstream_.connected()) return;
  transport_.clear_upstream_deadline();
  transport_.watch_upstream(nullptr);
  // upstream-keepalive-connections "0": nginx keeps no idle upstream connection.
  if (const auto& snapshot = exchange_.snapshot(); snapshot && snapshot.table().settings().from_configmap &&
                                                    snapshot.table().settings().upstream_keepalive_connections == 0u)
    reusable = false;
  if (reusable && !worker_.draining()) worker_.pool().give_back(upstream_.detach());
  else upstream_.close();
}

// Takes the attempt's endpoint (the exchange picked it) and, when
// `pooled`, an idle connection to it. Not a coroutine: the common case
// never waits. A request that can be sent again skips the liveness check of
// pooled connections: a stale one costs a retry instead of a syscall per
// request.
bool H1ServerConnection::reuse_pooled_upstream(const Backend& backend, bool pooled) {
  auto& record = exchange_.record();
  record.upstream_start = clock::now();
  const tcp::endpoint* peer = nullptr;
  if (backend.is_external()) {
    const auto* addresses = worker_.dns().find(backend.external_name, backend.external_port, record.upstream_start);
    if (!addresses) return false;  // connect_upstream resolves it
    peer = &addresses->front();
    record.upstream_address = upstream_.resolved_address() = to_string(*peer);
  } else {
    const Endpoint& endpoint = backend.endpoints[exchange_.endpoint()];
    peer = &endpoint.address;
    record.upstream_address = endpoint.name;
  }
  return pooled && take_pooled(*peer);
}

// After a failed attempt (run() handles success inline): what failed, as
// an Error, and the facts the retry policy weighs.
RetryDecision H1ServerConnection::retry_after(const Backend& backend, const Relay& relay, bool connected,
                                              bool reused) {
  Error error = upstream_error(relay.error, relay.got_bytes, relay.response_started);
  if (!connected && relay.error == ProxyError::upstream_connect_failed && transport_.upstream_timed_out())
    error = classify(ErrorKind::connect_timeout);
  const auto& head = request_parser_.head();
  const AttemptFacts facts{.idempotent = idempotent(h1_method(head.method)), .replayable = !head.has_body,
                           .request_sent = connected, .response_started = relay.response_started,
                           .reused = reused};
  const RetryDecision decision = exchange_.retry(backend, error, facts);
  if (decision != RetryDecision::stop) WorkerStats::bump(worker_.mutable_stats().upstream_retries);
  return decision;
}

bool H1ServerConnection::take_pooled(const tcp::endpoint& peer) {
  auto idle = worker_.pool().take(UpstreamKey{peer}, !retry_safe_request());
  if (!idle) return false;
  upstream_.attach(std::move(idle));
  transport_.watch_upstream(&upstream_.socket());
  WorkerStats::bump(worker_.mutable_stats().upstream_reuses);
  return true;
}

// After reuse_pooled_upstream found nothing: resolves an ExternalName not in
// the cache, then connects. A failure goes to retry_after like any other.
asio::awaitable<ProxyError> H1ServerConnection::connect_upstream(const Backend& backend, bool pooled) {
  auto& record = exchange_.record();
  if (backend.is_external()) {
    auto& dns = worker_.dns();
    const auto now = clock::now();
    const auto* addresses = dns.find(backend.external_name, backend.external_port, now);
    if (!addresses) {
      tcp::resolver resolver(transport_.socket().get_executor());
      auto [ec, results] = co_await resolver.async_resolve(
          backend.external_name, std::to_string(backend.external_port), asio::as_tuple(asio::use_awaitable));
      if (ec || results.empty()) co_return ProxyError::dns_failed;
      std::vector<tcp::endpoint> resolved;
      for (const auto& r : results) resolved.push_back(r.endpoint());
      dns.remember(backend.external_name, backend.external_port, std::move(resolved), now);
      addresses = dns.find(backend.external_name, backend.external_port, now);
      record.upstream_address = upstream_.resolved_address() = to_string(addresses->front());
      if (pooled && take_pooled(addresses->front())) co_return ProxyError::none;
    }
    co_return co_await connect_to(addresses->front());
  }
  co_return co_await connect_to(backend.endpoints[exchange_.endpoint()].address);
}

asio::awaitable<ProxyError> H1ServerConnection::connect_to(const tcp::endpoint& peer) {
  upstream_.attach(std::make_unique<UpstreamConnection>(transport_.socket().get_executor()));
  upstream_.connection().key = UpstreamKey{peer};  // plain HTTP/1 is all there is yet
  transport_.watch_upstream(&upstream_.socket());
  transport_.clear_upstream_timeout();
  transport_.set_upstream_deadline(exchange_.upstream_timeouts().connect);
  auto [ec] = co_await upstream_.socket().async_connect(peer, asio::as_tuple(asio::use_awaitable));
  transport_.clear_upstream_deadline();
  if (ec) {
    WorkerStats::bump(worker_.mutable_stats().upstream_connect_failures);
    log::debug("upstream connect failed", {{"endpoint", peer.address().to_string()}, {"error", ec.message()}});
    transport_.watch_upstream(nullptr);
    upstream_.close();
    co_return ProxyError::upstream_connect_failed;
  }
  WorkerStats::bump(worker_.mutable_stats().upstream_connects);
  boost::system::error_code ignored;
  upstream_.socket().set_option(tcp::no_delay(true), ignored);
  co_return ProxyError::none;
}

}  // namespace sluice
