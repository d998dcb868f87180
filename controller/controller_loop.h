// Coalesces store changes with a dirty flag and a hold-off timer, then
// translates once and publishes the new RouteTable.
#pragma once

#include <chrono>
#include <cstdint>
#include <set>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/publish/snapshot_publisher.h"
#include "controller/object_store.h"
#include "controller/translator.h"

namespace sluice::controller {

// controller-confined. Registers itself as the store's change hook (and
// clears it when destroyed). A change arms a timer for `hold_off` after the
// latest change, but never later than `max_delay` after the first unhandled
// one, so a constant storm still publishes. Translations never overlap: they
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

  std::uint64_t generation() const { return generation_; }  // last published; 0: none
  bool dirty() const { return dirty_; }
  const TranslationCounts& last_counts() const { return last_counts_; }
  const std::vector<Warning>& last_warnings() const { return last_warnings_; }

 private:
  using clock = std::chrono::steady_clock;
  void arm(clock::time_point at);
  void on_timer();
  void log_new_warnings(const std::vector<Warning>& warnings);

  ObjectStore& store_;
  TranslatorOptions options_;
  SnapshotPublisher& publisher_;
  std::chrono::milliseconds hold_off_;
  std::chrono::milliseconds max_delay_;
  boost::asio::steady_timer timer_;

  bool dirty_ = false;
  bool armed_ = false;
  std::uint64_t arm_epoch_ = 0;  // lets a stale, already-queued expiry be ignored
  clock::time_point first_change_{};
  clock::time_point last_change_{};
  std::uint64_t generation_ = 0;
  TranslationCounts last_counts_;
  std::vector<Warning> last_warnings_;
};

}  // namespace sluice::controller
