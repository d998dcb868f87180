// Ingress status from the leader; see status_writer.h.
#include "controller/status/status_writer.h"

#include <algorithm>
#include <deque>
#include <set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/k8s/json_value.h"
#include "common/log.h"
#include "controller/coroutine_end.h"
#include "controller/source/k8s/reflector.h"

namespace sluice::controller {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::awaitable;
constexpr auto as_result = asio::as_tuple(asio::use_awaitable);

std::string load_balancer_json(const std::vector<k8s::LoadBalancerIngress>& entries) {
  std::string out = "[";
  for (const auto& e : entries) {
    if (out.size() > 1) out += ",";
    out += e.ip.empty() ? "{\"hostname\":" + k8s::json_quote(e.hostname) + "}"
                        : "{\"ip\":" + k8s::json_quote(e.ip) + "}";
  }
  return out + "]";
}

std::string describe(const std::vector<k8s::LoadBalancerIngress>& entries) {
  std::string out;
  for (const auto& e : entries) out += (out.empty() ? "" : ",") + (e.ip.empty() ? e.hostname : e.ip);
  return out.empty() ? "(none)" : out;
}

}  // namespace

std::vector<k8s::LoadBalancerIngress> addresses_to_load_balancer(const std::vector<std::string>& addresses) {
  std::vector<k8s::LoadBalancerIngress> out;
  for (const std::string& a : addresses) {
    boost::system::error_code ec;
    asio::ip::make_address(a, ec);
    out.push_back(ec ? k8s::LoadBalancerIngress{"", a} : k8s::LoadBalancerIngress{a, ""});
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// controller-confined; the coroutine's state (see Reflector::State).
struct StatusWriter::State : std::enable_shared_from_this<State> {
  State(asio::io_context& io, std::shared_ptr<kube::ApiClient> c, const ObjectStore& s, const ClusterOptions& o)
      : client(std::move(c)), store(s), options(o), timer(io), resync_timer(io) {}

  // One write to make: the Ingress and the value wanted.
  struct Pending {
    std::string ns, name, resource_version;
    std::vector<k8s::LoadBalancerIngress> wanted;
  };

  std::shared_ptr<kube::ApiClient> client;
  const ObjectStore& store;
  ClusterOptions options;
  asio::steady_timer timer;
  asio::steady_timer resync_timer;
  bool stopped = false;
  bool leader = false;
  bool running = false;
  std::vector<std::shared_ptr<const k8s::Ingress>> served;
  std::deque<Pending> queue;
  // What we last wrote per Ingress, at which resourceVersion of it: the store
  // lags behind our own write until its watch event arrives.
  std::map<std::string, std::pair<std::string, std::vector<k8s::LoadBalancerIngress>>> written;
  std::uint64_t writes = 0;
  bool warned_missing_service = false;

  std::optional<std::vector<k8s::LoadBalancerIngress>> wanted();
  void sync();
  static awaitable<void> drain(std::shared_ptr<State> self);
  static awaitable<void> resync_loop(std::shared_ptr<State> self);
};

std::optional<std::vector<k8s::LoadBalancerIngress>> StatusWriter::State::wanted() {
  if (!options.publish_status_addresses.empty())
    return addresses_to_load_balancer(options.publish_status_addresses);
  if (options.publish_service.empty()) return std::nullopt;
  const auto slash = options.publish_service.find('/');
  auto service = store.find<k8s::Service>(options.publish_service.substr(0, slash),
                                          options.publish_service.substr(slash + 1));
  if (!service) {
    if (!warned_missing_service)
      log::warn("--publish-service not found (or not watched), Ingress status not written",
                {{"service", options.publish_service}});
    warned_missing_service = true;
    return std::nullopt;
  }
  warned_missing_service = false;
  auto lb = service->load_balancer;
  std::sort(lb.begin(), lb.end());
  return lb;
}

void StatusWriter::State::sync() {
  if (stopped || !leader) return;
  auto want = wanted();
  if (!want) return;
  queue.clear();
  for (const auto& ing : served) {
    auto current = ing->load_balancer;
    std::sort(current.begin(), current.end());
    if (current == *want) continue;
    auto w = written.find(ing->meta.key());
    if (w != written.end() && w->second.first == ing->meta.resource_version && w->second.second == *want)
      continue;  // written already; the watch has not brought it back yet
    queue.push_back({ing->meta.ns, ing->meta.name, ing->meta.resource_version, *want});
  }
  if (!queue.empty() && !running) {
    running = true;
    // However drain ends, the next sync must be able to start it again.
    asio::co_spawn(timer.get_executor(), drain(shared_from_this()),
                   on_coroutine_end("status writer", [self = shared_from_this()] { self->running = false; }));
  }
}

awaitable<void> StatusWriter::State::drain(std::shared_ptr<State> self) {
  const kube::Resource ingresses = kube::informer_resources()[0];
  while (!self->stopped && self->leader && !self->queue.empty()) {
    Pending p = std::move(self->queue.front());
    self->queue.pop_front();
    const kube::ApiRequest patch{
        .method = http::verb::patch,
        .target = ingresses.object_path(p.ns, p.name) + "/status",
        .body = "{\"status\":{\"loadBalancer\":{\"ingress\":" + load_balancer_json(p.wanted) + "}}}",
        .content_type = "application/merge-patch+json",
        .timeout = std::chrono::seconds(10)};
    kube::ApiResponse r = co_await self->client->call(patch);
    if (self->stopped) co_return;
    if (r.ok()) {
      ++self->writes;
      self->written[p.ns + "/" + p.name] = {p.resource_version, p.wanted};
      log::info("ingress status updated", {{"ingress", p.ns + "/" + p.name}, {"addresses", describe(p.wanted)}});
    } else if (r.status != 404) {  // 404: deleted meanwhile; nothing to do
      if (r.status == 401) self->client->invalidate_token();
      log::warn("cannot update ingress status (retried at the next resync)",
                {{"ingress", p.ns + "/" + p.name}, {"error", r.describe()}});
    }
  }
}

awaitable<void> StatusWriter::State::resync_loop(std::shared_ptr<State> self) {
  while (!self->stopped) {
    self->resync_timer.expires_after(self->options.status_resync);
    auto [ec] = co_await self->resync_timer.async_wait(as_result);
    (void)ec;
    if (self->stopped) co_return;
    self->written.clear();  // recheck against what the store says now
    self->sync();
  }
}

StatusWriter::StatusWriter(asio::io_context& io, std::shared_ptr<kube::ApiClient> client,
                           const ObjectStore& store, const ClusterOptions& options)
    : state_(std::make_shared<State>(io, std::move(client), store, options)) {}

StatusWriter::~StatusWriter() { stop(); }

void StatusWriter::start() {
  asio::co_spawn(state_->timer.get_executor(), State::resync_loop(state_), on_coroutine_end("status resync"));
}

void StatusWriter::stop() {
  state_->stopped = true;
  state_->resync_timer.cancel();
}

void StatusWriter::set_leader(bool leader) {
  state_->leader = leader;
  state_->written.clear();
  state_->sync();
}

void StatusWriter::on_translated(const TranslationResult& result) {
  state_->served = result.served;
  state_->sync();
}

std::uint64_t StatusWriter::writes() const { return state_->writes; }

}  // namespace sluice::controller
