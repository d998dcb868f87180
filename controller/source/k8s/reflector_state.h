// Private to reflector.cc (LIST, the run loop) and reflector_watch.cc (WATCH):
// the state one informer's coroutine shares between them.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/k8s/object.h"
#include "common/k8s/value.h"
#include "controller/source/k8s/reflector.h"

namespace sluice::controller::kube {
namespace reflector_detail {

namespace asio = boost::asio;
using asio::awaitable;
using clock = std::chrono::steady_clock;
inline constexpr auto as_result = asio::as_tuple(asio::use_awaitable);

// failed: retried after a backoff, logged as a failed request;
// bad_stream: a line that could not be trusted (logged already): the same
// backoff, without a second log line.
enum class Outcome { ok, failed, bad_stream, gone, stopped };

// The identity of an object that may not decode: metadata.namespace/name read loosely.
std::optional<k8s::ObjectRef> loose_ref(const k8s::Value& object, const Resource& r);

// SLUICE_INFORMER_FAULT_FOR_TEST=<plural>: that informer's watch lines throw,
// so the integration tests can reach the code that gives up on an informer
// (no input can: input errors are values). Read once per informer.
bool fault_injected_for_test(const std::string& plural);

}  // namespace reflector_detail

// controller-confined. Everything the coroutine touches; it holds a
// shared_ptr, so stopping never leaves it with a dangling pointer. After
// `stopped` it touches nothing but itself.
struct Reflector::State : std::enable_shared_from_this<State> {
  State(boost::asio::io_context& io, std::shared_ptr<ApiClient> c, ObjectStore& s, Resource r, ReflectorOptions o)
      : client(std::move(c)),
        store(s),
        resource(std::move(r)),
        options(std::move(o)),
        timer(io),
        backoff(options.initial_backoff, options.max_backoff, options.backoff_reset),
        rng(std::random_device{}()),
        throw_for_test(reflector_detail::fault_injected_for_test(resource.plural)) {}

  std::shared_ptr<ApiClient> client;
  ObjectStore& store;
  Resource resource;
  ReflectorOptions options;
  boost::asio::steady_timer timer;
  Backoff backoff;
  std::mt19937 rng;
  std::function<void()> on_synced;
  bool stopped = false;
  bool synced = false;
  std::string resource_version;
  std::map<std::string, k8s::ObjectRef> owned;  // keys this reflector put in the store
  Stats stats;
  ApiResponse last_failure;
  bool throw_for_test = false;
  std::string internal_error;  // set by a caught exception; handled by run()
  bool failed_by_event = false;
  std::uint64_t watch_starts = 0;  // last_failure describes a watch ERROR event, not the response
  unsigned internal_errors_in_a_row = 0;
  bool stopped_for_good = false;
  std::string stop_reason;

  std::string kind_name() const { return k8s::kind_name(resource.kind); }
  std::string ns() const { return resource.namespaced ? options.ns : std::string(); }

  static boost::asio::awaitable<void> run(std::shared_ptr<State> self);
  boost::asio::awaitable<void> list_and_watch(bool& need_list);
  bool on_internal_error();
  void give_up(std::string reason);
  void count_bad_event(const WatchEventFailure& f, bool restarting);
  boost::asio::awaitable<reflector_detail::Outcome> list();
  boost::asio::awaitable<reflector_detail::Outcome> watch(bool& quick_end);
  boost::asio::awaitable<void> wait(std::chrono::milliseconds delay);
  std::chrono::milliseconds failure_delay(const ApiResponse& r, const char* what);
  bool on_event(std::string_view line, reflector_detail::Outcome& outcome);
  bool handle_event(std::string_view line, reflector_detail::Outcome& outcome);
  void apply(const k8s::AnyObject& object);
  void remove(const k8s::ObjectRef& ref);
  std::optional<k8s::AnyObject> decode(std::shared_ptr<const k8s::Value> object, const k8s::ObjectRef* ref);
};

}  // namespace sluice::controller::kube
