// Limits, timeouts and retries: proxy-body-size, proxy-{connect,send,read}-timeout
// and proxy-next-upstream(-tries, -timeout) as ingress-nginx's annotations/proxy
// parses them (an invalid value falls back to the default), and limit-rps,
// limit-rpm, limit-connections, limit-burst-multiplier, limit-allowlist as
// annotations/ratelimit does (an invalid limit or allow list rejects the Ingress:
// a validation error).

#include <algorithm>
#include <limits>

#include "controller/translate/annotations/annotation_groups.h"
#include "controller/translate/annotations/go_text.h"
#include "controller/translate/annotations/limit_values.h"

namespace sluice::controller {
namespace {

std::string quoted(std::string_view v) { return "\"" + std::string(v) + "\""; }

// An int annotation of the proxy group: invalid or out of range → the
// default, with an issue (ingress-nginx logs and uses the default).
std::int64_t proxy_int(AnnotationReader& reader, std::string_view key, std::int64_t fallback, std::int64_t min,
                       std::string_view why_min) {
  auto v = reader.take(key);
  if (!v) return fallback;
  auto n = parse_go_int(*v);
  if (!n) {
    reader.invalid(key, quoted(*v) + " is not an integer; the default " + std::to_string(fallback) + " applies");
    return fallback;
  }
  if (*n < min || *n > std::numeric_limits<std::int32_t>::max()) {
    reader.invalid(key, quoted(*v) + " is out of range (" + std::string(why_min) + "); the default " +
                            std::to_string(fallback) + " applies");
    return fallback;
  }
  return *n;
}

void read_body_size(AnnotationReader& reader, const AnnotationContext& context, RoutePolicy& policy) {
  policy.max_body_bytes = context.defaults.proxy_body_size;
  auto v = reader.take("proxy-body-size");
  if (!v) return;
  auto size = parse_nginx_size(trim_go_space(*v));
  if (!size) {
    reader.invalid("proxy-body-size", quoted(*v) + " is not an nginx size (digits with an optional k, m or g)");
    return;
  }
  policy.max_body_bytes = *size;
}

// The ConfigMap's proxy-next-upstream; its reader reports a bad value, and
// ingress-nginx's own default stands in for it here.
std::uint16_t default_next_upstream(const AnnotationContext& context) {
  return parse_next_upstream(context.defaults.proxy_next_upstream).value_or(next_on_error | next_on_timeout);
}

void read_upstream(AnnotationReader& reader, const AnnotationContext& context, RoutePolicy& policy) {
  using std::chrono::seconds;
  const ControllerDefaults& d = context.defaults;
  UpstreamPolicy u;
  const std::int64_t positive = 1, none = 0;
  u.connect_timeout = seconds(proxy_int(reader, "proxy-connect-timeout", d.proxy_connect_timeout_seconds, positive,
                                        "a timeout of at least 1 second"));
  u.send_timeout = seconds(proxy_int(reader, "proxy-send-timeout", d.proxy_send_timeout_seconds, positive,
                                     "a timeout of at least 1 second"));
  u.read_timeout = seconds(proxy_int(reader, "proxy-read-timeout", d.proxy_read_timeout_seconds, positive,
                                     "a timeout of at least 1 second"));
  u.next_upstream_tries = static_cast<std::uint32_t>(
      proxy_int(reader, "proxy-next-upstream-tries", d.proxy_next_upstream_tries, none, "0 or more"));
  u.next_upstream_timeout = seconds(proxy_int(reader, "proxy-next-upstream-timeout",
                                              d.proxy_next_upstream_timeout_seconds, none, "0 or more seconds"));
  u.next_upstream = default_next_upstream(context);
  if (auto v = reader.take("proxy-next-upstream")) {
    if (auto bits = parse_next_upstream(*v)) {
      u.next_upstream = *bits;
      constexpr std::uint16_t on_response = next_on_invalid_header | next_on_http_500 | next_on_http_502 |
                                            next_on_http_503 | next_on_http_504 | next_on_http_403 |
                                            next_on_http_404 | next_on_http_429;
      if (*bits & on_response)
        reader.differs("proxy-next-upstream",
                       "invalid_header and http_* are not retried: sluice relays the backend's response as it is");
    } else {
      reader.invalid("proxy-next-upstream",
                     quoted(*v) + " is not a list of nginx proxy_next_upstream conditions separated by one space");
    }
  }
  // Routes of an Ingress that says nothing new keep the listener's flags
  // (whose defaults are ingress-nginx's), so --upstream-read-timeout and
  // friends still govern them.
  if (u != UpstreamPolicy{}) policy.upstream = u;
}

// limit-allowlist, or its alias limit-whitelist when it is absent or empty
// (checkAnnotation's alias rule); a bad list is a validation error.
std::vector<CidrRange> read_allowlist(AnnotationReader& reader, bool& rejected) {
  auto allow = reader.take("limit-allowlist");
  auto white = reader.take("limit-whitelist");
  std::string_view key = "limit-allowlist";
  std::string_view text = allow.value_or("");
  if (text.empty() && white && !white->empty()) {
    key = "limit-whitelist";
    text = *white;
  }
  auto ranges = parse_cidr_list(text);
  if (!ranges) {
    reader.invalid(key, quoted(text) + " is not a comma-separated list of IP addresses and CIDRs",
                   IssueEffect::ingress_rejected);
    rejected = true;
    return {};
  }
  return std::move(*ranges);
}

std::uint32_t clamp_u32(std::int64_t n) {
  return static_cast<std::uint32_t>(std::clamp<std::int64_t>(n, 0, std::numeric_limits<std::uint32_t>::max()));
}

// A limit annotation: an integer, else a validation error (the Ingress is
// rejected); a value of 0 or less sets no limit, as buildRateLimit skips it.
// An empty value is not validated (checkAnnotation) and fails Atoi with an
// error that is not a validation error: no limit, and no rejection.
std::int64_t limit_value(AnnotationReader& reader, std::string_view key, bool& rejected) {
  auto v = reader.take(key);
  if (!v) return 0;
  auto n = parse_go_int(*v);
  if (!n && !v->empty()) {
    reader.invalid(key, quoted(*v) + " is not an integer", IssueEffect::ingress_rejected);
    rejected = true;
  }
  if (!n && v->empty()) reader.invalid(key, "is empty; no limit");
  return n.value_or(0);
}

void read_rate_limit(AnnotationReader& reader, const AnnotationContext& context, const k8s::ObjectMeta& meta,
                     RoutePolicy& policy) {
  bool rejected = false;
  const std::int64_t rpm = limit_value(reader, "limit-rpm", rejected);
  const std::int64_t rps = limit_value(reader, "limit-rps", rejected);
  const std::int64_t conn = limit_value(reader, "limit-connections", rejected);
  std::int64_t multiplier = 5;  // ratelimit's defBurst
  if (auto v = reader.take("limit-burst-multiplier")) {
    auto n = parse_go_int(*v);
    if (n && *n >= 0) multiplier = *n;
    else if (n) reader.differs("limit-burst-multiplier", quoted(*v) + " makes a negative burst, which nginx refuses; 5 applies");
    else reader.invalid("limit-burst-multiplier", quoted(*v) + " is not an integer; 5 applies");
  }
  auto allowlist = read_allowlist(reader, rejected);
  if (rejected || (rps <= 0 && rpm <= 0 && conn <= 0)) return;
  RateLimitPolicy r;
  r.zone = zone_id(meta.ns, meta.name, meta.uid);
  if (rps > 0) r.rps = clamp_u32(rps), r.rps_burst = clamp_u32(rps * multiplier);
  if (rpm > 0) r.rpm = clamp_u32(rpm), r.rpm_burst = clamp_u32(rpm * multiplier);
  if (conn > 0) r.connections = clamp_u32(conn);
  r.request_status = static_cast<std::uint16_t>(context.defaults.limit_req_status_code);
  r.connection_status = static_cast<std::uint16_t>(context.defaults.limit_conn_status_code);
  if (r.request_status != 503 && r.request_status != 429 && (rps > 0 || rpm > 0))
    reader.differs(rps > 0 ? "limit-rps" : "limit-rpm",
                   "limit-req-status-code " + std::to_string(r.request_status) + " is answered as 503");
  if (r.connection_status != 503 && r.connection_status != 429 && conn > 0)
    reader.differs("limit-connections",
                   "limit-conn-status-code " + std::to_string(r.connection_status) + " is answered as 503");
  r.allowlist = std::move(allowlist);
  policy.rate_limit = std::move(r);
}

}  // namespace

void read_limit_annotations(AnnotationReader& reader, const AnnotationContext& context, const k8s::ObjectMeta& meta,
                            IngressAnnotations& out) {
  read_body_size(reader, context, out.policy);
  read_upstream(reader, context, out.policy);
  read_rate_limit(reader, context, meta, out.policy);
}

}  // namespace sluice::controller
