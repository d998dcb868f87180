// A problem the translator found in one object (that object, or part of it,
// was skipped or routes to a 503 backend).
#pragma once

#include <compare>
#include <string>

#include "common/k8s/object.h"

namespace sluice::controller {

// any thread (immutable)
struct Warning {
  k8s::ObjectRef object;
  std::string reason;

  auto operator<=>(const Warning&) const = default;
};

}  // namespace sluice::controller
