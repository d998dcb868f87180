// What a consumer of routing snapshots implements (a proxy worker does).
#pragma once

#include <functional>
#include <memory>

#include "common/model/route_table.h"

namespace sluice {

class SnapshotSink {
 public:
  virtual ~SnapshotSink() = default;
  // Called on the publisher's thread. The sink hands `table` to its own
  // thread (by posting, never by locking) and calls `applied` once requests
  // there start using it. `applied` may be called from any thread.
  virtual void accept(std::shared_ptr<const RouteTable> table, std::function<void()> applied) = 0;
};

}  // namespace sluice
