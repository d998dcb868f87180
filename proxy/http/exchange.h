// One request, whatever protocol carried it: the pinned snapshot, the
// decision of the request phases, the response edits and the
// ExchangeRecord. It never sees bytes on the wire: a codec hands it a
// RequestView, does what the verdict says, and tells it how the exchange
// ended. HTTP/1 reuses one per connection; HTTP/2 will hold one per stream.
#pragma once

#include <string>
#include <string_view>

#include "proxy/http/decide.h"
#include "proxy/http/exchange_record.h"
#include "proxy/http/field_edits.h"
#include "proxy/policy/hsts.h"
#include "proxy/policy/rate_limit.h"
#include "proxy/server/request_id.h"
#include "proxy/policy/real_ip.h"
#include "proxy/server/snapshot_slot.h"
#include "proxy/upstream/backend_runtime.h"
#include "proxy/upstream/error.h"
#include "proxy/upstream/load_balancer.h"
#include "proxy/upstream/retry_policy.h"

namespace sluice {

struct ProxyConfig;

// Where a finished exchange goes: metrics and the access log (the log phase).
class ExchangeObserver {
 public:
  virtual void observe(const ExchangeRecord& record) = 0;

 protected:
  ~ExchangeObserver() = default;
};

// What an exchange needs from its worker, and nothing else, so a test can
// build one without a worker.
struct ExchangeServices {
  SnapshotSlot& slot;
  const ProxyConfig& config;
  RequestIdGenerator& request_ids;
  ExchangeObserver& observer;
  BackendRuntime& backends;
  const RetryPolicy& retry_policy;
  bool wall_clock = false;  // the access log needs wall-clock timestamps
  RateLimiter* rate_limiter = nullptr;  // the worker's; null: limit-* annotations are not enforced
};

// The deadlines of one exchange's upstream I/O: the route's
// proxy-*-timeout, else the listener's flags.
struct UpstreamTimeouts {
  std::chrono::milliseconds connect{};
  std::chrono::milliseconds send{};  // between two writes of the request
  std::chrono::milliseconds read{};  // between two reads of the response
};

// The request's own facts the log phase records, as the codec read them.
struct RequestFacts {
  std::string_view method_name;  // static storage (the codec's method table)
  std::string_view request_id;   // the client's X-Request-ID, empty when none
  std::string_view user_agent;
  std::string_view referer;
  std::uint8_t http_minor = 1;
};

// worker-confined. Strings keep their capacity across exchanges, so a
// warm exchange allocates nothing.
class Exchange {
 public:
  using clock_time_point = std::chrono::steady_clock::time_point;
  Exchange(ExchangeServices services, const ConnectionFacts& connection);
  ~Exchange();
  Exchange(const Exchange&) = delete;  // retry_ points at route_retry_
  Exchange& operator=(const Exchange&) = delete;

  // A new exchange begins (its first byte arrived, or is awaited).
  void reset();
  void mark_start();

  // request_headers → upstream_request: pins the worker's current snapshot
  // and runs decide(). The request id is the client's when it sent a usable
  // one, else a fresh one.
  const Decision& begin(const RequestView& request, const RequestFacts& facts);
  const Decision& decision() const { return decision_; }
  // A local reply before begin() (a malformed head) still needs an id.
  std::string_view ensure_request_id();
  std::string_view request_id() const { return request_id_; }
  bool generated_request_id() const { return generated_id_; }
  const SnapshotSlot::Ref& snapshot() const { return snapshot_; }

  // upstream_request: edits for the head sent to the backend.
  const FieldEdits& request_edits() const { return request_edits_; }
  const UpstreamTimeouts& upstream_timeouts() const { return timeouts_; }
  // response_headers: edits for the head sent to the client.
  const FieldEdits& response_edits();
  // The phases' fields for a local reply with `error`, or a redirect (none):
  // WWW-Authenticate for a 401, the CORS fields when the route's CORS allows
  // the Origin (nginx's header filters add them to its own answers too).
  const FieldEdits& local_reply_edits(ProxyError error);

  // upstream_request, attempt by attempt. first_endpoint() picks the
  // endpoint of the first attempt (the load balancer, on the worker's
  // health marks); after a failure, retry() marks the endpoint's health and
  // asks the retry policy what next, picking the next endpoint when it says
  // so. An ExternalName backend has one address: no pick, no marks.
  std::uint32_t first_endpoint(const Backend& backend, std::uint32_t backend_index);
  std::uint32_t endpoint() const { return endpoint_; }
  void attempt_succeeded();
  RetryDecision retry(const Backend& backend, const Error& error, AttemptFacts facts);

  // log: records the status and hands the record to the observer. The
  // snapshot stays pinned until the next reset().
  void finish(int status);
  void finish_local(ProxyError error);
  // Gives back the exchange's limit-connections count (finish() does; so do
  // reset() and the destructor, for an exchange that never finished).
  void release_limits() { RateLimiter::release(limit_held_); }
  ExchangeRecord& record() { return record_; }
  const ConnectionFacts& connection() const { return connection_; }
  // $remote_addr: the peer, or what the real-IP rules took from its
  // forwarded-for header (real_ip.h). Valid until the next reset().
  std::string_view client_ip() const { return client_ip_; }

 private:
  void apply_route_upstream(const RoutePolicy& policy);
  void apply_rate_limit(const RateLimitPolicy& policy, const std::array<std::uint8_t, 16>& client);
  void add_cors_fields(FieldEdits& edits) const;

  ExchangeServices services_;
  ConnectionFacts connection_;
  SnapshotSlot::Ref snapshot_;
  Decision decision_;
  std::string request_id_;
  bool generated_id_ = false;
  FieldEdits request_edits_;
  FieldEdits response_edits_;
  HstsValue hsts_value_;
  std::string_view client_ip_;       // connection_.client_ip or client_text_
  ClientAddressText client_text_;
  // Access-Control-Allow-Origin, copied: the request head it came from may
  // be reused by the time the response head is written. Empty: no CORS.
  std::string cors_origin_;
  BackendState* backend_state_ = nullptr;  // the worker's, for the pinned snapshot's backend
  std::uint32_t endpoint_ = 0;             // the attempt's, in its backend
  PickContext pick_{};
  clock_time_point first_attempt_{};
  RetryPolicy route_retry_;  // the route's proxy-next-upstream, when it has one
  RetryState retry_;
  UpstreamTimeouts timeouts_;
  RateLimiter::Entry* limit_held_ = nullptr;  // the worker's limiter slot this request counts in
  ExchangeRecord record_;
};

}  // namespace sluice
