// The controller's dirty flag, hold-off timer, translate and publish.
#include "controller/controller_loop.h"

#include <algorithm>

#include "common/log.h"

namespace sluice::controller {

ControllerLoop::ControllerLoop(boost::asio::io_context& io, ObjectStore& store,
                               TranslatorOptions options, SnapshotPublisher& publisher,
                               std::chrono::milliseconds hold_off,
                               std::chrono::milliseconds max_delay)
    : store_(store),
      options_(std::move(options)),
      publisher_(publisher),
      hold_off_(hold_off),
      max_delay_(std::max(max_delay, hold_off)),
      timer_(io) {
  store_.set_on_change([this] { mark_dirty(); });
}

ControllerLoop::~ControllerLoop() { store_.set_on_change({}); }

void ControllerLoop::mark_dirty() {
  dirty_ = true;
  ++changes_since_last_;
  last_change_ = clock::now();
  if (held_ || armed_) return;  // on_timer() re-arms if changes keep coming
  first_change_ = last_change_;
  arm(last_change_ + hold_off_);
}

void ControllerLoop::arm(clock::time_point at) {
  armed_ = true;
  const std::uint64_t epoch = ++arm_epoch_;
  timer_.expires_at(at);
  timer_.async_wait([this, epoch](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled; `this` may be gone
    if (epoch == arm_epoch_) on_timer();
  });
}

// The window opens at the first change and is never extended: a steady
// stream of changes (an EndpointSlice storm, bench/churn at 100/s) is
// published every hold-off, instead of waiting for a quiet moment that may
// only come at the max-delay cap (p99 change-to-served went 992 ms -> ~50 ms).
void ControllerLoop::on_timer() {
  const auto deadline = first_change_ + std::min(hold_off_, max_delay_);
  const auto now = clock::now();
  if (now < deadline) return arm(deadline);
  translate_now();
}

void ControllerLoop::translate_now() {
  armed_ = false;
  ++arm_epoch_;
  timer_.cancel();
  dirty_ = false;
  held_ = false;

  const auto started = clock::now();
  TranslationResult result = translate(store_, options_, generation_ + 1, &certificates_);
  certificates_.sweep();
  const auto elapsed = std::chrono::duration<double, std::milli>(clock::now() - started);
  last_duration_ = std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now() - started);
  last_built_at_ = std::chrono::system_clock::now();
  last_reason_ = translations_++ == 0 ? "initial load"
                 : changes_since_last_ == 0
                     ? "requested"
                     : std::to_string(changes_since_last_) + " store change" +
                           (changes_since_last_ == 1 ? "" : "s") + " coalesced";
  changes_since_last_ = 0;
  generation_ = result.table->generation();
  log_new_warnings(result.warnings);
  log_ignored_config_keys(result.ignored_config_keys);
  publisher_.publish(result.table);
  if (on_translated_) on_translated_(result);

  last_counts_ = result.counts;
  last_warnings_ = std::move(result.warnings);
  last_findings_ = std::move(result.annotation_findings);
  log::info("configuration change applied",
            {{"generation", std::to_string(generation_)},
             {"ingresses", std::to_string(last_counts_.ingresses_served)},
             {"hosts", std::to_string(last_counts_.hosts)},
             {"routes", std::to_string(last_counts_.routes)},
             {"backends", std::to_string(last_counts_.backends)},
             {"warnings", std::to_string(last_warnings_.size())},
             {"translation_ms", std::to_string(elapsed.count())}});
}

// A warning is logged when it first appears, not again on every translation
// while the object stays the same.
void ControllerLoop::log_new_warnings(const std::vector<Warning>& warnings) {
  std::set<Warning> before(last_warnings_.begin(), last_warnings_.end());
  for (const Warning& w : warnings) {
    if (before.contains(w)) continue;
    log::warn("object skipped or degraded",
              {{"kind", k8s::kind_name(w.object.kind)},
               {"object", w.object.key()},
               {"reason", w.reason}});
  }
}

// Once per key for the process's life: a ConfigMap with keys sluice does
// not read is normal (ingress-nginx has over 200), so it is not a warning.
void ControllerLoop::log_ignored_config_keys(const std::vector<std::string>& keys) {
  for (const std::string& key : keys) {
    if (!logged_config_keys_.insert(key).second) continue;
    log::info("ConfigMap key not read by sluice; ignored",
              {{"configmap", options_.configmap}, {"key", key}});
  }
}

}  // namespace sluice::controller
