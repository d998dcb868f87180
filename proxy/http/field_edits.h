// The header edits for one head as the encoder applies them while it
// writes: the route policy's (in the snapshot), a second list from the
// snapshot a phase chose for this exchange (CORS), and a few the phases
// computed (HSTS, Access-Control-Allow-Origin, WWW-Authenticate). Fixed capacity: building one per
// request allocates nothing.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/model/policy.h"
#include "common/strings.h"

namespace sluice {

struct FieldEdit {
  HeaderEditOp op = HeaderEditOp::set;
  std::string_view name;
  std::string_view value;
};

// worker-confined; views into the snapshot and the exchange.
class FieldEdits {
 public:
  static constexpr std::size_t max_computed = 4;

  void reset(std::span<const HeaderEdit> route = {}) {
    route_ = route;
    chosen_ = {};
    count_ = 0;
  }
  // The snapshot's edits a phase chose for this exchange, after the route's.
  void add_list(std::span<const HeaderEdit> edits) { chosen_ = edits; }
  // Only for a fixed set of phase-computed fields (see max_computed).
  void add(HeaderEditOp op, std::string_view name, std::string_view value) {
    if (count_ < max_computed) computed_[count_++] = {op, name, value};
  }
  bool empty() const { return route_.empty() && chosen_.empty() && count_ == 0; }

  // True when a set or remove edit names `name`: the field is not copied.
  bool replaces(std::string_view name) const {
    for (const HeaderEdit& e : route_)
      if (e.op != HeaderEditOp::add && iequals(e.name, name)) return true;
    for (const HeaderEdit& e : chosen_)
      if (e.op != HeaderEditOp::add && iequals(e.name, name)) return true;
    for (std::size_t i = 0; i < count_; ++i)
      if (computed_[i].op != HeaderEditOp::add && iequals(computed_[i].name, name)) return true;
    return false;
  }
  // Calls f(name, value) for every field the edits add (set and add), in
  // order: the route's, the chosen list, then the computed ones.
  template <typename F>
  void for_each_added(F&& f) const {
    for (const HeaderEdit& e : route_)
      if (e.op != HeaderEditOp::remove) f(std::string_view(e.name), std::string_view(e.value));
    for (const HeaderEdit& e : chosen_)
      if (e.op != HeaderEditOp::remove) f(std::string_view(e.name), std::string_view(e.value));
    for (std::size_t i = 0; i < count_; ++i)
      if (computed_[i].op != HeaderEditOp::remove) f(computed_[i].name, computed_[i].value);
  }

 private:
  std::span<const HeaderEdit> route_;
  std::span<const HeaderEdit> chosen_;
  std::array<FieldEdit, max_computed> computed_{};
  std::uint8_t count_ = 0;
};

}  // namespace sluice
