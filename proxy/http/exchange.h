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
#include "proxy/server/request_id.h"
#include "proxy/server/snapshot_slot.h"

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
  bool wall_clock = false;  // the access log needs wall-clock timestamps
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
  Exchange(ExchangeServices services, const ConnectionFacts& connection);

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
  // response_headers: edits for the head sent to the client.
  const FieldEdits& response_edits(int status);

  // log: records the status and hands the record to the observer. The
  // snapshot stays pinned until the next reset().
  void finish(int status);
  void finish_local(ProxyError error);
  ExchangeRecord& record() { return record_; }
  const ConnectionFacts& connection() const { return connection_; }

 private:
  ExchangeServices services_;
  ConnectionFacts connection_;
  SnapshotSlot::Ref snapshot_;
  Decision decision_;
  std::string request_id_;
  bool generated_id_ = false;
  FieldEdits request_edits_;
  FieldEdits response_edits_;
  HstsValue hsts_value_;
  ExchangeRecord record_;
};

}  // namespace sluice
