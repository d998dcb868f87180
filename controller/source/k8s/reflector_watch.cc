// A reflector's WATCH: the stream, its lines and what each event does to
// the store; see reflector.h. LIST and the run loop are in reflector.cc.
#include <cstddef>
#include <stdexcept>

#include <boost/beast/http/error.hpp>

#include "common/log.h"
#include "controller/source/k8s/reflector_state.h"

namespace sluice::controller::kube {

using namespace reflector_detail;

awaitable<Outcome> Reflector::State::watch(bool& quick_end) {
  std::uniform_int_distribution<std::int64_t> spread(0, options.min_watch_timeout.count() - 1);
  const std::int64_t timeout_s = options.min_watch_timeout.count() + spread(rng);
  std::string target = resource.collection_path(ns()) + "?watch=1&allowWatchBookmarks=true&resourceVersion=" +
                       url_encode(resource_version) + "&timeoutSeconds=" + std::to_string(timeout_s);
  if (!resource.field_selector.empty()) target += "&fieldSelector=" + url_encode(resource.field_selector);

  const auto started = clock::now();
  failed_by_event = false;
  if (resource.kind == k8s::Kind::secret && watch_starts++ > 0 && options.on_secret_rewatch)
    options.on_secret_rewatch();
  const std::uint64_t events_before = stats.events + stats.bookmarks;
  Outcome outcome = Outcome::ok;
  auto self = shared_from_this();
  const ApiRequest request{.target = target, .timeout = std::chrono::seconds(timeout_s + 30)};
  const std::function<bool(std::string_view)> on_line = [self, &outcome](std::string_view line) {
    return self->on_event(line, outcome);
  };
  ApiResponse r = co_await client->stream_lines(request, on_line);
  if (stopped) co_return Outcome::stopped;
  if (r.error == boost::beast::http::error::body_limit) {  // a line over ApiClient::max_line_bytes
    count_bad_event({WatchEventError::too_long, "over " + std::to_string(ApiClient::max_line_bytes) + " bytes"},
                    true);
    co_return Outcome::bad_stream;
  }
  if (r.status == 200) {
    ++stats.watches;
    backoff.healthy(started);
  }
  if (outcome != Outcome::ok) {
    if (outcome == Outcome::failed && !failed_by_event) last_failure = std::move(r);
    co_return outcome;
  }
  if (r.status == 410) co_return Outcome::gone;
  if (r.status != 200) {
    last_failure = std::move(r);
    co_return Outcome::failed;
  }
  // The stream ended (server timeout) or broke (connection lost mid-body):
  // either way, resume from the last resourceVersion seen, as client-go does.
  quick_end = clock::now() - started < std::chrono::seconds(1) && stats.events + stats.bookmarks == events_before;
  if (r.error)
    log::info("watch stream broke, resuming", {{"kind", kind_name()}, {"error", r.describe()},
                                               {"resource_version", resource_version}});
  else
    log::debug("watch ended, resuming", {{"kind", kind_name()}, {"resource_version", resource_version}});
  co_return Outcome::ok;
}

// One line of a watch stream: {"type": ..., "object": {...}}. False stops
// the stream. Nothing thrown gets out: it would unwind through the client.
bool Reflector::State::on_event(std::string_view line, Outcome& outcome) {
  if (stopped) return false;
  try {
    if (throw_for_test) throw std::runtime_error("fault injected for test");
    bool more = handle_event(line, outcome);
    internal_errors_in_a_row = 0;
    return more;
  } catch (const std::exception& e) {
    internal_error = e.what();
  } catch (...) {
    internal_error = "unknown exception";
  }
  outcome = Outcome::failed;
  return false;
}

void Reflector::State::count_bad_event(const WatchEventFailure& f, bool restarting) {
  ++stats.bad_events[static_cast<std::size_t>(f.error)];
  log::warn(restarting ? "bad watch event, restarting the watch" : "bad watch event, skipped",
            {{"kind", kind_name()}, {"reason", std::string(error_name(f.error))}, {"error", f.detail},
             {"resource_version", resource_version}});
}

bool Reflector::State::handle_event(std::string_view line, Outcome& outcome) {
  WatchEventResult decoded = decode_watch_event(line, kind_name());
  if (auto* bad = std::get_if<WatchEventFailure>(&decoded)) {
    const bool restart = breaks_stream(bad->error);
    count_bad_event(*bad, restart);
    if (restart) outcome = Outcome::bad_stream;
    return !restart;
  }
  WatchEvent& ev = std::get<WatchEvent>(decoded);
  if (ev.type == WatchEventType::error) {
    if (ev.code == 410) {
      outcome = Outcome::gone;
      return false;
    }
    outcome = Outcome::failed;
    last_failure = {};
    last_failure.status = (ev.code == 429 || (ev.code >= 500 && ev.code <= 599)) ? ev.code : 0;
    last_failure.error = boost::asio::error::connection_aborted;
    last_failure.error_where = "watch ERROR event " + std::to_string(ev.code) + " " + ev.message;
    failed_by_event = true;
    return false;
  }
  if (ev.type == WatchEventType::bookmark) {
    ++stats.bookmarks;
  } else if (ev.type == WatchEventType::deleted) {
    ++stats.events;
    ++stats.deleted;
    if (auto ref = loose_ref(*ev.object, resource)) remove(*ref);
  } else {
    ++stats.events;
    ++(ev.type == WatchEventType::added ? stats.added : stats.modified);
    auto ref = loose_ref(*ev.object, resource);
    if (auto object = decode(ev.object, ref ? &*ref : nullptr)) apply(*object);
  }
  stats.last_sync = std::chrono::system_clock::now();
  if (!ev.resource_version.empty()) resource_version = ev.resource_version;
  return !stopped;
}

}  // namespace sluice::controller::kube
