// Reading the controller's ConfigMap; see controller_config.h. One function
// per key group, each taking its keys from a ConfigReader that remembers
// what was read, so whatever is left over is reported as ignored.
#include "controller/translate/config_map/controller_config.h"

#include <re2/re2.h>

#include <algorithm>
#include <set>

#include "controller/translate/annotations/annotation_reader.h"
#include "controller/translate/config_map/config_values.h"

namespace sluice::controller {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// controller-confined: lives for one reading.
class ConfigReader {
 public:
  ConfigReader(const std::map<std::string, std::string>& data, ControllerConfig& out) : data_(data), out_(out) {}

  std::optional<std::string_view> take(std::string_view key) {
    taken_.insert(std::string(key));
    auto it = data_.find(std::string(key));
    if (it == data_.end()) return std::nullopt;
    return std::string_view(it->second);
  }
  void problem(std::string_view key, std::string_view value, std::string message) {
    out_.problems.push_back(std::string(key) + ": \"" + std::string(value) + "\" " + message);
  }
  void invalid(std::string_view key, std::string_view value, std::string_view what) {
    problem(key, value, "is not " + std::string(what) + "; ingress-nginx's default is kept");
  }
  // A Go bool field (mapstructure, weakly typed).
  void read_bool(std::string_view key, bool& field) {
    auto v = take(key);
    if (!v) return;
    if (auto b = parse_weak_bool(*v)) field = *b;
    else invalid(key, *v, "a boolean");
  }
  // A Go int field, then the range sluice can carry (nginx refuses the rest
  // at reload, so ingress-nginx would keep its previous configuration).
  std::optional<std::int64_t> read_int(std::string_view key, std::int64_t min, std::int64_t max) {
    auto v = take(key);
    if (!v) return std::nullopt;
    auto n = parse_weak_int(*v);
    if (!n) {
      invalid(key, *v, "an integer");
      return std::nullopt;
    }
    if (*n < min || *n > max) {
      invalid(key, *v, "in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
      return std::nullopt;
    }
    return n;
  }
  template <typename T>
  void read_int_into(std::string_view key, std::int64_t min, std::int64_t max, T& field) {
    if (auto n = read_int(key, min, max)) field = static_cast<T>(*n);
  }
  void read_seconds(std::string_view key, std::optional<milliseconds>& field) {
    if (auto n = read_int(key, 0, 365LL * 86400)) field = seconds(*n);
  }

  std::vector<std::string> leftover() const {
    std::vector<std::string> out;
    for (const auto& [key, value] : data_)
      if (!taken_.contains(key)) out.push_back(key);
    return out;
  }

 private:
  const std::map<std::string, std::string>& data_;
  ControllerConfig& out_;
  std::set<std::string, std::less<>> taken_;
};

constexpr std::int64_t max_u32 = 0xffffffffLL;

// What annotations fall back to; other engineers' group readers apply them.
void read_backend_defaults(ConfigReader& r, ControllerDefaults& d) {
  r.read_bool("ssl-redirect", d.ssl_redirect);
  // configmap.go: strconv.Atoi, then one of 301, 302, 307, 308.
  if (auto v = r.take("http-redirect-code")) {
    auto n = parse_weak_int(*v);
    if (!n || (*n != 301 && *n != 302 && *n != 307 && *n != 308))
      r.invalid("http-redirect-code", *v, "one of 301, 302, 307, 308");
    else
      d.http_redirect_code = static_cast<int>(*n);
  }
  if (auto v = r.take("proxy-body-size")) {
    if (auto size = parse_nginx_size(*v)) d.proxy_body_size = *size;
    else r.invalid("proxy-body-size", *v, "an nginx size (digits with k, m or g)");
  }
  r.read_int_into("proxy-connect-timeout", 0, max_u32, d.proxy_connect_timeout_seconds);
  r.read_int_into("proxy-send-timeout", 0, max_u32, d.proxy_send_timeout_seconds);
  r.read_int_into("proxy-read-timeout", 0, max_u32, d.proxy_read_timeout_seconds);
  if (auto v = r.take("proxy-next-upstream")) {
    static const std::set<std::string_view> tokens = {
        "error", "timeout", "invalid_header", "http_500", "http_502", "http_503", "http_504",
        "http_403", "http_404", "http_429", "non_idempotent", "off"};
    bool ok = !v->empty();
    std::string_view rest = *v;
    while (ok && !rest.empty()) {
      const auto space = rest.find(' ');
      std::string_view token = rest.substr(0, space);
      if (!token.empty() && !tokens.contains(token)) ok = false;
      rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    }
    if (ok) d.proxy_next_upstream = std::string(*v);
    else r.invalid("proxy-next-upstream", *v, "a list of nginx proxy_next_upstream conditions");
  }
  r.read_int_into("proxy-next-upstream-tries", 0, max_u32, d.proxy_next_upstream_tries);
  r.read_int_into("proxy-next-upstream-timeout", 0, max_u32, d.proxy_next_upstream_timeout_seconds);
  r.read_int_into("limit-req-status-code", 100, 599, d.limit_req_status_code);
  r.read_int_into("limit-conn-status-code", 100, 599, d.limit_conn_status_code);
  if (auto v = r.take("global-allowed-response-headers"); v && !v->empty()) {
    static const RE2 header_name("^[a-zA-Z\\d\\-_]+$");  // customheaders.ValidHeader
    for (std::string& name : split_and_trim_space(*v)) {
      if (RE2::FullMatch(name, header_name)) d.global_allowed_response_headers.push_back(std::move(name));
      else r.problem("global-allowed-response-headers", name, "is not a valid header name; left out");
    }
  }
}

void read_hsts(ConfigReader& r, ProxySettings& s) {
  bool on = true;
  HstsPolicy p;
  r.read_bool("hsts", on);
  r.read_bool("hsts-include-subdomains", p.include_subdomains);
  r.read_bool("hsts-preload", p.preload);
  // A string in config.go, written into the header as it is; only digits
  // make a header browsers honour, so sluice keeps the default otherwise.
  if (auto v = r.take("hsts-max-age")) {
    auto n = parse_weak_int(*v);
    if (v->empty() || !std::all_of(v->begin(), v->end(), [](char c) { return c >= '0' && c <= '9'; }) || !n ||
        *n > max_u32)
      r.problem("hsts-max-age", *v, "is not a number of seconds; sluice keeps 31536000 (ingress-nginx would send it as written)");
    else
      p.max_age_seconds = static_cast<std::uint32_t>(*n);
  }
  s.hsts = on ? std::optional<HstsPolicy>(p) : std::nullopt;
}

// A list of addresses or networks; the bad ones are left out (nginx would
// refuse the whole configuration).
std::vector<IpNetwork> read_networks(ConfigReader& r, std::string_view key, std::string_view text) {
  std::vector<IpNetwork> out;
  for (const std::string& entry : split_and_trim_space(text)) {
    if (entry.empty()) continue;
    if (auto n = parse_ip_network(entry)) out.push_back(*n);
    else r.problem(key, entry, "is not an IP address or CIDR; left out");
  }
  return out;
}

void read_client_address(ConfigReader& r, ClientAddressSettings& c) {
  bool use_forwarded = false, real_ip = false, full = false;
  r.read_bool("use-forwarded-headers", use_forwarded);
  r.read_bool("enable-real-ip", real_ip);
  r.read_bool("compute-full-forwarded-for", full);
  if (auto v = r.take("forwarded-for-header")) {
    static const RE2 token("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$");  // an RFC 9110 field name
    if (RE2::FullMatch(*v, token)) c.header = std::string(*v);
    else r.invalid("forwarded-for-header", *v, "a header name");
  }
  if (auto v = r.take("proxy-real-ip-cidr")) c.trusted = read_networks(r, "proxy-real-ip-cidr", *v);
  else c.trusted = {*parse_ip_network("0.0.0.0/0")};  // configmap.go's default: IPv4 only
  c.real_ip = use_forwarded || real_ip;
  c.use_forwarded_headers = use_forwarded;
  if (use_forwarded)
    r.problem("use-forwarded-headers", "true",
              "an ssl-redirect's Location keeps the request's Host, where ingress-nginx would use the "
              "client's X-Forwarded-Host");
  c.full_forwarded_for = use_forwarded && full;  // the template needs both
}

// nginx `map` source values: "~re" (case-sensitive), "~*re" (without case),
// else an exact string compared without case.
std::vector<ValuePattern> read_patterns(ConfigReader& r, std::string_view key, std::string_view text) {
  std::vector<ValuePattern> out;
  for (std::string& entry : split_and_trim_space(text)) {
    if (entry.empty()) continue;
    ValuePattern p{entry, nullptr};
    if (entry[0] == '~') {
      const bool nocase = entry.size() > 1 && entry[1] == '*';
      RE2::Options options;
      options.set_log_errors(false);
      options.set_case_sensitive(!nocase);
      auto re = std::make_shared<const RE2>(std::string_view(entry).substr(nocase ? 2 : 1), options);
      if (!re->ok()) {
        r.problem(key, entry, "is not a regex RE2 accepts (" + re->error() + "); left out");
        continue;
      }
      p.regex = std::move(re);
    }
    out.push_back(std::move(p));
  }
  return out;
}

void read_blocks(ConfigReader& r, ProxySettings& s) {
  if (auto v = r.take("block-cidrs")) s.block_cidrs = read_networks(r, "block-cidrs", *v);
  if (auto v = r.take("block-user-agents")) s.block_user_agents = read_patterns(r, "block-user-agents", *v);
  if (auto v = r.take("block-referers")) s.block_referers = read_patterns(r, "block-referers", *v);
}

void read_connections(ConfigReader& r, ProxySettings& s) {
  r.read_seconds("keep-alive", s.keepalive_timeout);
  if (auto n = r.read_int("keep-alive-requests", 0, max_u32)) s.keepalive_requests = *n;
  r.read_seconds("client-header-timeout", s.client_header_timeout);
  r.read_seconds("client-body-timeout", s.client_body_timeout);
  if (auto n = r.read_int("upstream-keepalive-connections", 0, max_u32))
    s.upstream_keepalive_connections = static_cast<std::uint32_t>(*n);
  r.read_seconds("upstream-keepalive-timeout", s.upstream_keepalive_timeout);
  if (auto n = r.read_int("upstream-keepalive-requests", 0, max_u32)) s.upstream_keepalive_requests = *n;
  if (auto v = r.take("worker-shutdown-timeout")) {
    if (auto t = parse_nginx_time(*v)) s.shutdown_timeout = *t;
    else r.invalid("worker-shutdown-timeout", *v, "an nginx time (240s, 5m)");
  }
}

// The data of the ConfigMap `ref` names ("ns/name") as header edits; an
// empty value drops the field, as proxy_set_header "" and more_set_headers
// "Name:" do. Values are literal: nginx would expand $variables in them.
void read_header_map(ConfigReader& r, const ObjectStore& store, std::string_view key, std::vector<HeaderEdit>& out) {
  auto v = r.take(key);
  if (!v || v->empty()) return;
  const auto slash = v->find('/');
  const auto map = slash == std::string_view::npos ? nullptr
                                                    : store.find<k8s::ConfigMap>(v->substr(0, slash), v->substr(slash + 1));
  if (!map) return r.problem(key, *v, "names no ConfigMap in the store (namespace/name); no headers added");
  static const RE2 name_re("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$");
  for (const auto& [name, value] : map->data) {
    if (!RE2::FullMatch(name, name_re) || value.find_first_of("\r\n") != std::string::npos) {
      r.problem(key, name, "is not a header name with a one-line value; left out");
      continue;
    }
    if (value.find('$') != std::string::npos)
      r.problem(key, name, "has a '$': nginx would expand it as a variable, sluice sends it as written");
    out.push_back({value.empty() ? HeaderEditOp::remove : HeaderEditOp::set, name, value});
  }
}

void read_snippets(ConfigReader& r) {
  bool allowed = false;
  if (auto v = r.take("allow-snippet-annotations")) {
    allowed = parse_weak_bool(*v).value_or(false);
    if (allowed) r.problem("allow-snippet-annotations", *v, "is ignored: sluice never runs snippets");
  }
}

}  // namespace

ControllerConfig read_controller_config(const ObjectStore& store, std::string_view ref) {
  ControllerConfig out;
  if (ref.empty()) return out;
  out.proxy.from_configmap = true;
  out.proxy.hsts = HstsPolicy{};  // ingress-nginx's hsts default is on
  out.proxy.client_address.trusted = {*parse_ip_network("0.0.0.0/0")};
  const auto slash = ref.find('/');
  const auto map = slash == std::string_view::npos ? nullptr
                                                    : store.find<k8s::ConfigMap>(ref.substr(0, slash), ref.substr(slash + 1));
  if (!map) {
    out.problems.push_back("ConfigMap " + std::string(ref) + " not found; ingress-nginx's defaults apply");
    return out;
  }
  ConfigReader r(map->data, out);
  read_backend_defaults(r, out.defaults);
  read_hsts(r, out.proxy);
  read_client_address(r, out.proxy.client_address);
  read_blocks(r, out.proxy);
  read_connections(r, out.proxy);
  read_header_map(r, store, "add-headers", out.global_headers.response);
  read_header_map(r, store, "proxy-set-headers", out.global_headers.request);
  read_snippets(r);
  out.ignored_keys = r.leftover();
  return out;
}

}  // namespace sluice::controller
