// Decoding metadata, and the RFC 3339 timestamps Kubernetes writes.
#include "common/k8s/object_meta.h"

#include <charconv>
#include <chrono>

namespace sluice::k8s {
namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  auto [ptr, ec] = std::from_chars(s.data() + pos, s.data() + pos + n, out);
  return ec == std::errc() && ptr == s.data() + pos + n;
}

// Seconds east of UTC for "Z", "+hh:mm" or "-hh:mm" at the end of the text.
std::optional<int> utc_offset(std::string_view zone) {
  if (zone == "Z" || zone == "z") return 0;
  int h = 0, m = 0;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':' ||
      !digits(zone, 1, 2, h) || !digits(zone, 4, 2, m))
    return std::nullopt;
  int seconds = h * 3600 + m * 60;
  return zone[0] == '-' ? -seconds : seconds;
}

}  // namespace

std::optional<std::int64_t> parse_rfc3339(std::string_view s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (s.size() < 20 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) ||
      s[7] != '-' || !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') ||
      !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' ||
      !digits(s, 17, 2, sec))
    return std::nullopt;
  std::size_t pos = 19;
  if (s[pos] == '.') {  // fractional seconds: Kubernetes orders by whole seconds
    ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
  }
  auto offset = utc_offset(s.substr(pos));
  std::chrono::year_month_day date{std::chrono::year(y), std::chrono::month(unsigned(mo)),
                                   std::chrono::day(unsigned(d))};
  if (!offset || !date.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  auto days = std::chrono::sys_days(date).time_since_epoch().count();
  return std::int64_t{days} * 86400 + h * 3600 + mi * 60 + sec - *offset;
}

ObjectMeta decode_meta(const Field& metadata, bool namespaced) {
  if (!metadata.present()) metadata.fail("required field is missing");
  ObjectMeta m;
  m.name = metadata["name"].string();
  if (m.name.empty()) metadata["name"].fail("must not be empty");
  if (namespaced) m.ns = metadata["namespace"].string_or("default");
  if (namespaced && m.ns.empty()) m.ns = "default";
  auto created = metadata["creationTimestamp"];
  if (created.present()) {
    m.creation_time = parse_rfc3339(created.string());
    if (!m.creation_time) created.fail("not an RFC 3339 time");
  }
  m.resource_version = metadata["resourceVersion"].string_or("");
  m.uid = metadata["uid"].string_or("");
  m.labels = metadata["labels"].string_map();
  m.annotations = metadata["annotations"].string_map();
  return m;
}

}  // namespace sluice::k8s
