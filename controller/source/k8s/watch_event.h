// Decoding one line of a Kubernetes watch stream into a typed event or a
// typed error: a pure function, so the table test and the fuzzer drive
// exactly what the reflector runs.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "common/k8s/value.h"

namespace sluice::controller::kube {

enum class WatchEventType { added, modified, deleted, bookmark, error };

// any thread (immutable). One well-formed event.
struct WatchEvent {
  WatchEventType type = WatchEventType::added;
  // The event's "object": the Kubernetes object, or the Status of an ERROR.
  // Always a map.
  std::shared_ptr<const k8s::Value> object;
  std::string resource_version;  // object.metadata.resourceVersion, "" when absent
  // ERROR only: the Status's code (0 when it has none) and message.
  unsigned code = 0;
  std::string message;
};

// Why a line is not an event. too_long, bad_json and not_an_object mean the
// stream itself cannot be trusted (a truncated or garbled line), and an
// ERROR ends a watch whatever its code: those restart the watch. The others
// are a well-framed line with bad content: it is skipped.
enum class WatchEventError {
  too_long,          // longer than the limit given
  bad_json,          // not one JSON document (truncated, garbled)
  not_an_object,     // JSON, but not an object
  unknown_type,      // "type" missing, not a string, or not one of the five
  missing_object,    // "object" missing or not an object
  wrong_kind,        // "object.kind" names another kind than the one watched
  bad_error_code,    // an ERROR whose Status code is not an integer in [0, 999]
};
inline constexpr std::size_t watch_event_error_count = 7;

// Stable snake_case name, used as a metric label and in logs.
std::string_view error_name(WatchEventError e);
// True when the watch stream must be restarted rather than the line skipped.
bool breaks_stream(WatchEventError e);

// any thread (immutable)
struct WatchEventFailure {
  WatchEventError error = WatchEventError::bad_json;
  std::string detail;  // one line, bounded, for the log
};

using WatchEventResult = std::variant<WatchEvent, WatchEventFailure>;

// The longest line decoded; longer ones are too_long without being parsed.
inline constexpr std::size_t max_watch_event_bytes = 64u << 20;

// Decodes `line` (one event, without its newline). `kind` is the kind the
// watch is for ("Ingress"); an object that names another kind is
// wrong_kind (a BOOKMARK's or ERROR's object may name any). Never throws on
// any input.
WatchEventResult decode_watch_event(std::string_view line, std::string_view kind,
                                    std::size_t max_bytes = max_watch_event_bytes);

}  // namespace sluice::controller::kube
