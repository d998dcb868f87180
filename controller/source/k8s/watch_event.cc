// One watch-stream line to an event or a typed error; see watch_event.h.
#include "controller/source/k8s/watch_event.h"

#include <charconv>
#include <exception>
#include <optional>

#include "common/k8s/json_value.h"

namespace sluice::controller::kube {
namespace {

using k8s::Value;

constexpr std::size_t max_detail = 120;  // a log line names the problem, never carries the input

std::string bounded(std::string_view s) {
  return std::string(s.substr(0, max_detail)) + (s.size() > max_detail ? "..." : "");
}

WatchEventFailure failure(WatchEventError e, std::string_view detail) { return {e, bounded(detail)}; }

bool is_string(const Value& v) { return v.kind() == Value::type::scalar; }

std::optional<WatchEventType> type_of(std::string_view t) {
  if (t == "ADDED") return WatchEventType::added;
  if (t == "MODIFIED") return WatchEventType::modified;
  if (t == "DELETED") return WatchEventType::deleted;
  if (t == "BOOKMARK") return WatchEventType::bookmark;
  if (t == "ERROR") return WatchEventType::error;
  return std::nullopt;
}

// A Status code: absent is 0 (the API always sends one; a proxy might not);
// anything but an integer in [0, 999] is refused, never converted loosely.
std::optional<unsigned> status_code(const Value& status) {
  auto code = status.member("code");
  if (code->kind() == Value::type::missing || code->kind() == Value::type::null) return 0u;
  if (code->kind() != Value::type::scalar) return std::nullopt;
  const std::string text = code->scalar();
  unsigned n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || n > 999) return std::nullopt;
  return n;
}

WatchEventResult decode(std::string_view line, std::string_view kind) {
  std::string error;
  auto root = k8s::parse_json(line, error);
  if (!root) return failure(WatchEventError::bad_json, error);
  if (root->kind() != Value::type::map) return failure(WatchEventError::not_an_object, "the event is not an object");
  auto type_v = root->member("type");
  const std::string type_text = is_string(*type_v) ? type_v->scalar() : std::string();
  auto type = type_of(type_text);
  if (!type)
    return failure(WatchEventError::unknown_type,
                   type_text.empty() ? std::string("no \"type\"") : "type \"" + type_text + "\"");
  WatchEvent ev;
  ev.type = *type;
  ev.object = root->member("object");
  if (ev.object->kind() != Value::type::map)
    return failure(WatchEventError::missing_object, "no \"object\" in a " + type_text + " event");
  auto kind_v = ev.object->member("kind");
  if (ev.type != WatchEventType::error && ev.type != WatchEventType::bookmark &&
      kind_v->kind() != Value::type::missing && (!is_string(*kind_v) || kind_v->scalar() != kind))
    return failure(WatchEventError::wrong_kind, "object of kind \"" + kind_v->scalar() + "\"");
  auto rv = ev.object->member("metadata")->member("resourceVersion");
  if (is_string(*rv)) ev.resource_version = rv->scalar();
  if (ev.type == WatchEventType::error) {
    auto code = status_code(*ev.object);
    if (!code) return failure(WatchEventError::bad_error_code, "Status code " + ev.object->member("code")->scalar());
    ev.code = *code;
    auto message = ev.object->member("message");
    if (is_string(*message)) ev.message = bounded(message->scalar());
  }
  return ev;
}

}  // namespace

std::string_view error_name(WatchEventError e) {
  switch (e) {
    case WatchEventError::too_long: return "too_long";
    case WatchEventError::bad_json: return "bad_json";
    case WatchEventError::not_an_object: return "not_an_object";
    case WatchEventError::unknown_type: return "unknown_type";
    case WatchEventError::missing_object: return "missing_object";
    case WatchEventError::wrong_kind: return "wrong_kind";
    case WatchEventError::bad_error_code: return "bad_error_code";
  }
  return "unknown";
}

bool breaks_stream(WatchEventError e) {
  return e == WatchEventError::too_long || e == WatchEventError::bad_json || e == WatchEventError::not_an_object ||
         e == WatchEventError::bad_error_code;
}

WatchEventResult decode_watch_event(std::string_view line, std::string_view kind, std::size_t max_bytes) {
  if (line.size() > max_bytes)
    return failure(WatchEventError::too_long, std::to_string(line.size()) + " bytes");
  try {
    return decode(line, kind);
  } catch (const std::exception& e) {  // only memory can run out here; still just this line
    return failure(WatchEventError::bad_json, e.what());
  }
}

}  // namespace sluice::controller::kube
