// libFuzzer target: one watch-stream line through decode_watch_event, the
// function the reflector runs on every line. It must return a value or a
// typed error for any bytes, never throw, crash or leak.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "controller/source/k8s/watch_event.h"

namespace kube = sluice::controller::kube;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  // A small limit as well, so the too_long branch is reached without huge inputs.
  for (std::size_t limit : {kube::max_watch_event_bytes, std::size_t{64}}) {
    kube::WatchEventResult r = kube::decode_watch_event(line, "Ingress", limit);
    if (auto* ev = std::get_if<kube::WatchEvent>(&r)) {
      // What the reflector reads next must be there and be what was promised.
      if (!ev->object || ev->object->kind() != sluice::k8s::Value::type::map) __builtin_trap();
      if (ev->type == kube::WatchEventType::error && ev->code > 999) __builtin_trap();
      (void)ev->object->member("metadata")->member("name")->scalar();
    } else {
      const auto& f = std::get<kube::WatchEventFailure>(r);
      if (kube::error_name(f.error) == "unknown" || f.detail.size() > 200) __builtin_trap();
    }
  }
  return 0;
}
