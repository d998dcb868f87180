// Lease-based leader election; see leader_election.h.
#include "controller/cluster/leader_election.h"

// GCC 12 mistakes asio's coroutine frame allocator for a mismatched
// new/delete pair in some coroutines (a false positive).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <optional>
#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/k8s/json_value.h"
#include "common/k8s/object_meta.h"
#include "common/log.h"
#include "controller/coroutine_end.h"
#include "controller/source/k8s/reflector.h"

namespace sluice::controller {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::awaitable;
using clock = std::chrono::steady_clock;
constexpr auto as_result = asio::as_tuple(asio::use_awaitable);

// An int32 field of the Lease ("" when absent). Anything that is not an
// integer in [min, INT32_MAX] is nullopt: client-go then fails to decode the
// whole Lease, and so do we, rather than overflow the clock arithmetic.
std::optional<std::int64_t> lease_integer(const std::string& text, std::int64_t min, std::int64_t fallback) {
  if (text.empty()) return fallback;
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < min || n > INT32_MAX) return std::nullopt;
  return n;
}

std::string member_scalar(const k8s::Value& v, std::string_view a, std::string_view b) {
  auto x = v.member(a)->member(b);
  return x->kind() == k8s::Value::type::scalar ? x->scalar() : std::string();
}

}  // namespace

std::string default_identity() {
  if (const char* pod = std::getenv("POD_NAME"); pod && *pod) return pod;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "sluice");
  return std::string(host) + "_" + std::to_string(getpid());
}

std::string micro_time_now() {
  const auto now = std::chrono::system_clock::now();
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(us / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(us % 1'000'000));
  return buf;
}

// controller-confined; the coroutine's state (see Reflector::State).
struct LeaderElection::State : std::enable_shared_from_this<State> {
  State(asio::io_context& io, std::shared_ptr<kube::ApiClient> c, LeaderElectionOptions o,
        std::function<void(bool)> f)
      : client(std::move(c)), options(std::move(o)), on_change(std::move(f)), timer(io), rng(std::random_device{}()) {}

  std::shared_ptr<kube::ApiClient> client;
  LeaderElectionOptions options;
  std::function<void(bool)> on_change;
  asio::steady_timer timer;
  std::mt19937 rng;
  bool stopped = false;
  bool leading = false;
  clock::time_point last_renew{};
  // What we last saw of another holder's record, and when (local clock, as
  // client-go: never compare our clock with the holder's renewTime).
  std::string observed_record;
  clock::time_point observed_at{};

  static awaitable<void> run(std::shared_ptr<State> self);
  static awaitable<void> release(std::shared_ptr<State> self, std::chrono::milliseconds timeout);
  awaitable<bool> try_acquire_or_renew();
  std::string lease_body(const std::string& resource_version, const std::string& acquire_time,
                         std::int64_t transitions, const std::string& holder, std::int64_t seconds) const;
};

awaitable<void> LeaderElection::State::run(std::shared_ptr<State> self) {
  log::info("leader election started", {{"lease", self->options.ns + "/" + self->options.id},
                                        {"identity", self->options.identity}});
  while (!self->stopped) {
    const bool ok = co_await self->try_acquire_or_renew();
    if (self->stopped) co_return;
    const auto now = clock::now();
    if (ok) {
      self->last_renew = now;
      if (!self->leading) {
        self->leading = true;
        log::info("became the leader", {{"identity", self->options.identity}});
        if (self->on_change) self->on_change(true);
      }
    } else if (self->leading && now - self->last_renew >= self->options.renew_deadline) {
      self->leading = false;
      log::warn("lost leadership: could not renew the lease in time",
                {{"identity", self->options.identity}});
      if (self->on_change) self->on_change(false);
    }
    // Followers jitter their attempts (client-go's factor 1.2); the leader renews on time.
    auto wait = self->options.retry_period;
    if (!self->leading) {
      std::uniform_real_distribution<double> jitter(1.0, 1.2);
      wait = std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(wait.count()) * jitter(self->rng)));
    }
    self->timer.expires_after(wait);
    auto [ec] = co_await self->timer.async_wait(as_result);
    (void)ec;
  }
}

std::string LeaderElection::State::lease_body(const std::string& resource_version,
                                              const std::string& acquire_time, std::int64_t transitions,
                                              const std::string& holder, std::int64_t seconds) const {
  std::string meta = "{\"name\":" + k8s::json_quote(options.id) + ",\"namespace\":" + k8s::json_quote(options.ns);
  if (!resource_version.empty()) meta += ",\"resourceVersion\":" + k8s::json_quote(resource_version);
  meta += "}";
  return "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":" + meta +
         ",\"spec\":{\"holderIdentity\":" + k8s::json_quote(holder) +
         ",\"leaseDurationSeconds\":" + std::to_string(seconds) + ",\"acquireTime\":" +
         k8s::json_quote(acquire_time) + ",\"renewTime\":" + k8s::json_quote(micro_time_now()) +
         ",\"leaseTransitions\":" + std::to_string(transitions) + "}}";
}

awaitable<bool> LeaderElection::State::try_acquire_or_renew() {
  const kube::Resource lease = kube::lease_resource();
  const std::int64_t seconds = (options.lease_duration.count() + 999) / 1000;
  const kube::ApiRequest get{.target = lease.object_path(options.ns, options.id),
                             .timeout = options.renew_deadline};
  kube::ApiResponse r = co_await client->call(get);
  if (stopped) co_return false;
  if (r.status == 404) {
    const kube::ApiRequest create{.method = http::verb::post, .target = lease.collection_path(options.ns),
                                  .body = lease_body("", micro_time_now(), 0, options.identity, seconds), .timeout = options.renew_deadline};
    kube::ApiResponse c = co_await client->call(create);
    if (!c.ok() && c.status != 409) log::warn("cannot create the leader lease", {{"error", c.describe()}});
    co_return c.ok();
  }
  if (!r.ok()) {
    if (r.status == 401) client->invalidate_token();
    log::warn("cannot read the leader lease", {{"error", r.describe()}});
    co_return false;
  }
  std::string error;
  auto v = k8s::parse_json(r.body, error);
  if (!v) {
    log::warn("cannot parse the leader lease", {{"error", error}});
    co_return false;
  }
  const std::string holder = member_scalar(*v, "spec", "holderIdentity");
  const std::string rv = member_scalar(*v, "metadata", "resourceVersion");
  const std::string renew_time = member_scalar(*v, "spec", "renewTime");
  const auto duration = lease_integer(member_scalar(*v, "spec", "leaseDurationSeconds"), 1,
                                      options.lease_duration.count() / 1000);
  const auto transitions_read = lease_integer(member_scalar(*v, "spec", "leaseTransitions"), 0, 0);
  if (!duration || !transitions_read) {  // never taken over on a record we cannot read
    log::warn("cannot parse the leader lease",
              {{"error", "leaseDurationSeconds or leaseTransitions is not an int32 in range"}});
    co_return false;
  }
  const std::int64_t duration_s = *duration;
  std::int64_t transitions = *transitions_read;
  std::string acquire_time = member_scalar(*v, "spec", "acquireTime");

  const auto now = clock::now();
  const std::string record = holder + "|" + renew_time + "|" + rv;
  if (record != observed_record) {
    observed_record = record;
    observed_at = now;
  }
  if (!holder.empty() && holder != options.identity &&
      now < observed_at + std::chrono::seconds(duration_s))
    co_return false;  // someone else holds an unexpired lease
  if (holder != options.identity) {
    acquire_time = micro_time_now();
    if (transitions < INT32_MAX) ++transitions;
  }
  const kube::ApiRequest update{.method = http::verb::put, .target = lease.object_path(options.ns, options.id),
                                .body = lease_body(rv, acquire_time, transitions, options.identity, seconds),
                                .timeout = options.renew_deadline};
  kube::ApiResponse u = co_await client->call(update);
  if (!u.ok() && u.status != 409) log::warn("cannot update the leader lease", {{"error", u.describe()}});
  co_return u.ok();
}

// Reads the Lease and, if this replica still holds it, writes it back with
// no holder and a 1 s duration (what client-go writes on release). The read
// gives the current resourceVersion, so a renewal still in flight cannot
// make the release conflict with our own write.
awaitable<void> LeaderElection::State::release(std::shared_ptr<State> self, std::chrono::milliseconds timeout) {
  const kube::Resource lease = kube::lease_resource();
  const kube::ApiRequest get{.target = lease.object_path(self->options.ns, self->options.id), .timeout = timeout};
  kube::ApiResponse r = co_await self->client->call(get);
  std::string error;
  auto v = r.ok() ? k8s::parse_json(r.body, error) : nullptr;
  if (!v || member_scalar(*v, "spec", "holderIdentity") != self->options.identity) {
    log::warn("leader lease not released", {{"error", r.ok() ? "held by another replica" : r.describe()}});
    co_return;
  }
  const std::string now = micro_time_now();
  const std::int64_t transitions = std::atoll(member_scalar(*v, "spec", "leaseTransitions").c_str());
  const kube::ApiRequest update{.method = http::verb::put, .target = get.target,
                                .body = self->lease_body(member_scalar(*v, "metadata", "resourceVersion"), now,
                                                         transitions, "", 1),
                                .timeout = timeout};
  kube::ApiResponse u = co_await self->client->call(update);
  if (u.ok())
    log::info("released the leader lease", {{"identity", self->options.identity}});
  else
    log::warn("cannot release the leader lease", {{"error", u.describe()}});
}

LeaderElection::LeaderElection(asio::io_context& io, std::shared_ptr<kube::ApiClient> client,
                               LeaderElectionOptions options, std::function<void(bool)> on_change)
    : state_(std::make_shared<State>(io, std::move(client), std::move(options), std::move(on_change))) {}

LeaderElection::~LeaderElection() { stop(); }

void LeaderElection::start() {
  asio::co_spawn(state_->timer.get_executor(), State::run(state_), on_coroutine_end("leader election"));
}

void LeaderElection::stop() {
  state_->stopped = true;
  state_->timer.cancel();
}

bool LeaderElection::leading() const { return state_->leading; }

void LeaderElection::release(std::chrono::milliseconds timeout, std::function<void()> done) {
  auto finish = std::make_shared<std::function<void()>>(std::move(done));
  auto once = [finish] {
    if (!*finish) return;
    auto f = std::move(*finish);
    *finish = nullptr;
    f();
  };
  const bool was_leading = state_->leading;
  stop();
  if (!was_leading) return asio::post(state_->timer.get_executor(), once);
  state_->leading = false;
  if (state_->on_change) state_->on_change(false);  // no status writes while we let go
  // The call's own deadline does not cover connecting; this timer bounds it all.
  auto bound = std::make_shared<asio::steady_timer>(state_->timer.get_executor(), timeout);
  bound->async_wait([once](boost::system::error_code) { once(); });
  asio::co_spawn(state_->timer.get_executor(), State::release(state_, timeout),
                 on_coroutine_end("leader lease release", [once, bound] {
                   bound->cancel();
                   once();
                 }));
}

}  // namespace sluice::controller
