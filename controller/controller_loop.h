// Coalesces store changes with a dirty flag and a hold-off timer, then
// translates once and publishes the new RouteTable.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <set>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/publish/snapshot_publisher.h"
#include "controller/object_store.h"
#include "controller/translate/translator.h"

namespace sluice::controller {

// controller-confined. Registers itself as the store's change hook (and
// clears it when destroyed). The first change after a publish arms a timer
// for `hold_off` (capped by `max_delay`); changes meanwhile ride along, so a
// constant storm publishes once per hold-off and never waits for quiet. Translations never overlap: they
// run on the controller's single io_context thread. Must be destroyed before
// the io_context it was given.
class ControllerLoop {
 public:
  static constexpr std::chrono::milliseconds default_hold_off{50};
  static constexpr std::chrono::milliseconds default_max_delay{1000};

  ControllerLoop(boost::asio::io_context& io, ObjectStore& store, TranslatorOptions options,
                 SnapshotPublisher& publisher,
                 std::chrono::milliseconds hold_off = default_hold_off,
                 std::chrono::milliseconds max_delay = default_max_delay);
  ControllerLoop(const ControllerLoop&) = delete;
  ControllerLoop& operator=(const ControllerLoop&) = delete;
  ~ControllerLoop();

  // Something in the store changed: translate soon.
  void mark_dirty();
  // Translates and publishes now (for the first snapshot after the initial
  // load), and drops any pending timer.
  void translate_now();
  // Until the next translate_now(), changes only mark the loop dirty and
  // publish nothing (cluster mode: nothing before every informer has synced).
  void hold() { held_ = true; }
  // Runs after each translation and publish, with its result (status, events).
  void set_on_translated(std::function<void(const TranslationResult&)> hook) {
    on_translated_ = std::move(hook);
  }

  const TranslatorOptions& options() const { return options_; }
  std::uint64_t generation() const { return generation_; }  // last published; 0: none
  bool dirty() const { return dirty_; }
  const TranslationCounts& last_counts() const { return last_counts_; }
  const std::vector<Warning>& last_warnings() const { return last_warnings_; }
  const std::vector<AnnotationFinding>& last_annotation_findings() const { return last_findings_; }
  // For /metrics and /debug/snapshot.
  std::uint64_t translations() const { return translations_; }
  std::chrono::nanoseconds last_duration() const { return last_duration_; }
  std::chrono::system_clock::time_point last_built_at() const { return last_built_at_; }
  const std::string& last_reason() const { return last_reason_; }  // e.g. "initial load"

 private:
  using clock = std::chrono::steady_clock;
  void arm(clock::time_point at);
  void on_timer();
  void log_new_warnings(const std::vector<Warning>& warnings);
  void log_ignored_config_keys(const std::vector<std::string>& keys);

  ObjectStore& store_;
  TranslatorOptions options_;
  SnapshotPublisher& publisher_;
  std::chrono::milliseconds hold_off_;
  std::chrono::milliseconds max_delay_;
  boost::asio::steady_timer timer_;

  bool dirty_ = false;
  bool armed_ = false;
  bool held_ = false;
  std::function<void(const TranslationResult&)> on_translated_;
  std::uint64_t arm_epoch_ = 0;  // lets a stale, already-queued expiry be ignored
  clock::time_point first_change_{};
  clock::time_point last_change_{};
  std::uint64_t generation_ = 0;
  TranslationCounts last_counts_;
  CertificateCache certificates_;  // Secrets parsed once per content
  std::set<std::string> logged_config_keys_;  // ConfigMap keys already logged as ignored
  std::vector<Warning> last_warnings_;
  std::vector<AnnotationFinding> last_findings_;
  std::uint64_t translations_ = 0;
  std::uint64_t changes_since_last_ = 0;  // store changes the next translation coalesces
  std::chrono::nanoseconds last_duration_{0};
  std::chrono::system_clock::time_point last_built_at_{};
  std::string last_reason_;
};

}  // namespace sluice::controller
