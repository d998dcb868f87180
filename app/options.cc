// Flag parsing for `sluice`: every flag documented in usage_text, every
// bad value named in the error.
#include "app/options.h"

#include <charconv>
#include <functional>
#include <map>
#include <string_view>

#include "common/strings.h"
#include "controller/translate/annotations/annotation_reader.h"  // parse_go_bool: pflag's booleans
#include "proxy/codec/h1/message_head.h"

namespace sluice::app {

const char* const usage_text = R"(usage: sluice [flags]
       sluice echo --listen ADDR:PORT [--name NAME] [--threads N]
       sluice ctl ingresses|backends|snapshot|explain URL [--admin ADDR:PORT] [-o json]

sluice is an HTTP reverse proxy and Kubernetes Ingress controller in one binary.
Standalone, it routes by the Ingress, IngressClass, Service and EndpointSlice
manifests in a folder and applies changes to them without a restart.

Sources:
  --manifests DIR               read *.yaml, *.yml, *.json in DIR and watch it for changes
  --kubeconfig FILE             watch the Kubernetes API of FILE's current context (default:
                                $KUBECONFIG, then the in-cluster service account); not with --manifests
  --watch-namespace NS          watch namespaced objects in NS only (default: all namespaces)
Status and leader election (cluster mode):
  --publish-service NS/NAME     write that Service's load-balancer address into Ingress status
  --publish-status-address A[,B]  write these IPs or host names into Ingress status instead
  --update-status=false         never write Ingress status (default true: with --publish-*)
  --election-id NAME            the Lease that elects the status writer (default sluice-leader)
  --election-namespace NS       its namespace (default: the pod's namespace)
  --election-lease-duration D   (default 15s)
  --election-renew-deadline D   (default 10s)
  --election-retry-period D     (default 2s)
Listeners:
  --http-listen ADDR:PORT       public HTTP listener (default 0.0.0.0:8080; port 0 picks a free port)
  --https-listen ADDR:PORT      public HTTPS listener (default 0.0.0.0:8443; "off" disables it)
  --admin-listen ADDR:PORT      /healthz, /readyz, /metrics, /debug/* (default 127.0.0.1:10254)
Ingress selection:
  --ingress-class NAME          class name served (default sluice)
  --controller-class NAME       IngressClass spec.controller served (default sluice.dev/ingress-controller)
  --watch-ingress-without-class also serve Ingresses that name no class
  --default-backend-service NS/NAME  accepted, not supported yet (a warning): requests no rule
                                matches get sluice's 404
  --configmap NS/NAME           ingress-nginx's ConfigMap of settings (hsts, block-*, real IP,
                                add-headers, ...); a change applies without restart
TLS:
  --default-ssl-certificate NS/NAME  Secret whose certificate serves unknown or missing SNI
                                (default: a self-signed certificate generated at start)
  --hsts                        send Strict-Transport-Security (1 year, includeSubDomains) over HTTPS
  --enable-ssl-passthrough      not supported yet: =true is refused, =false accepted
Proxy:
  --workers N                   worker threads (default: number of cores)
  --max-header-bytes N          request header block limit, then 431 (default 32768)
  --max-header-fields N         request header fields, then 431 (default 100, at most 128)
  --max-request-line-bytes N    request line limit, then 414 (default 8192)
  --max-body-bytes N            request body limit, then 413 (default 0: no limit)
  --enable-underscores-in-headers  forward request header fields whose names have '_'
                                (default: dropped, as ingress-nginx does)
  --client-header-timeout D     time to receive a whole request head, then 408 (default 10s)
  --client-body-timeout D       time between two reads of a request body (default 60s)
  --keepalive-timeout D         idle time between requests on a connection (default 75s)
  --keepalive-requests N        requests per client connection; the last response says
                                Connection: close (default 1000)
  --max-connections N           client connections per worker; more wait in the kernel's
                                accept queue until one closes (default 16384)
  --tunnel-idle-timeout D       an upgraded (WebSocket) connection with no byte either way
                                for this long is closed (default 1h)
  --upstream-connect-timeout D  time to connect to a backend, then 502 (default 5s)
  --upstream-read-timeout D     time between two reads from a backend, then 504 (default 60s)
  --upstream-max-fails N        consecutive connect failures or resets that eject an endpoint
                                (default 3; 0: never eject)
  --upstream-fail-timeout D     how long an ejected endpoint is skipped (default 10s)
  --shutdown-grace D            on SIGTERM, time for in-flight requests to finish (default 30s)
  --sync-period D               coalescing window for configuration changes (default 50ms)
Logging:
  --log-format text|json        (default text)
  --log-level debug|info|warn|error  (default info)
  --access-log off|stdout|FILE  one line per request, written off the request path (default stdout)
  --access-log-format text|json ingress-nginx's upstream format, or JSON (default text)
  --help                        this text
  --version                     print "sluice VERSION" and the build's facts, and exit
Flags are written as ingress-nginx's are: --flag=value or --flag value; a boolean
as --flag or --flag=false (also 1, t, T, TRUE, True, 0, f, F, FALSE, False).
Durations: 500ms, 10s, 2m, 1h (a bare number is seconds).
)";

namespace {

using Setter = std::function<bool(Options&, std::string_view)>;

bool set_unsigned(std::string_view v, std::uint64_t& out) {
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  return ec == std::errc() && p == v.data() + v.size();
}

Setter duration(std::chrono::milliseconds ProxyConfig::*field) {
  return [field](Options& o, std::string_view v) {
    long long ms = 0;
    if (!parse_duration_ms(v, ms)) return false;
    o.proxy.*field = std::chrono::milliseconds(ms);
    return true;
  };
}

// "namespace/name", as ingress-nginx's flags that name an object take it.
bool namespaced_name(std::string_view v) {
  auto slash = v.find('/');
  return slash != std::string_view::npos && slash > 0 && slash + 1 < v.size() &&
         v.find('/', slash + 1) == std::string_view::npos;
}

const std::map<std::string_view, Setter>& valued_flags() {
  static const std::map<std::string_view, Setter> flags = {
      {"--manifests", [](Options& o, std::string_view v) { o.manifests = v; return !v.empty(); }},
      {"--http-listen", [](Options& o, std::string_view v) { o.http_listen = v; return true; }},
      {"--admin-listen", [](Options& o, std::string_view v) { o.admin_listen = v; return true; }},
      {"--https-listen", [](Options& o, std::string_view v) { o.https_listen = v; return true; }},
      {"--default-ssl-certificate", [](Options& o, std::string_view v) {
         o.translator.default_ssl_certificate = v;
         return namespaced_name(v);
       }},
      {"--default-backend-service", [](Options& o, std::string_view v) {
         o.default_backend_service = v;
         return namespaced_name(v);
       }},
      {"--ingress-class", [](Options& o, std::string_view v) { o.translator.ingress_class = v; return !v.empty(); }},
      {"--configmap", [](Options& o, std::string_view v) {
         o.translator.configmap = v;
         auto slash = v.find('/');
         return slash != std::string_view::npos && slash > 0 && slash + 1 < v.size() &&
                v.find('/', slash + 1) == std::string_view::npos;
       }},
      {"--controller-class", [](Options& o, std::string_view v) { o.translator.controller_class = v; return !v.empty(); }},
      {"--workers", [](Options& o, std::string_view v) {
         std::uint64_t n = 0;
         if (!set_unsigned(v, n) || n == 0 || n > 1024) return false;
         o.workers = static_cast<unsigned>(n);
         return true;
       }},
      {"--log-format", [](Options& o, std::string_view v) {
         if (v == "text") o.log_format = log::format::text;
         else if (v == "json") o.log_format = log::format::json;
         else return false;
         return true;
       }},
      {"--log-level", [](Options& o, std::string_view v) { return log::parse_level(v, o.log_level); }},
      {"--access-log", [](Options& o, std::string_view v) { o.access_log = v; return !v.empty(); }},
      {"--access-log-format", [](Options& o, std::string_view v) {
         return parse_access_log_format(v, o.access_log_format);
       }},
      {"--max-header-bytes", [](Options& o, std::string_view v) {
         std::uint64_t n = 0;
         if (!set_unsigned(v, n) || n < 256 || n > (1u << 24)) return false;
         o.proxy.max_header_bytes = n;
         return true;
       }},
      {"--max-header-fields", [](Options& o, std::string_view v) {
         std::uint64_t n = 0;
         if (!set_unsigned(v, n) || n == 0 || n > max_header_fields) return false;
         o.proxy.max_header_fields = n;
         return true;
       }},
      {"--max-request-line-bytes", [](Options& o, std::string_view v) {
         std::uint64_t n = 0;
         if (!set_unsigned(v, n) || n < 64 || n > (1u << 24)) return false;
         o.proxy.max_request_line_bytes = n;
         return true;
       }},
      {"--max-body-bytes", [](Options& o, std::string_view v) { return set_unsigned(v, o.proxy.max_body_bytes); }},
      {"--client-header-timeout", duration(&ProxyConfig::client_header_timeout)},
      {"--client-body-timeout", duration(&ProxyConfig::client_body_timeout)},
      {"--keepalive-timeout", duration(&ProxyConfig::keepalive_timeout)},
      {"--keepalive-requests", [](Options& o, std::string_view v) {
         return set_unsigned(v, o.proxy.keepalive_requests);
       }},
      {"--max-connections", [](Options& o, std::string_view v) {
         std::uint64_t n = 0;
         if (!set_unsigned(v, n) || n == 0 || n > (1u << 24)) return false;
         o.proxy.max_connections = n;
         return true;
       }},
      {"--tunnel-idle-timeout", [](Options& o, std::string_view v) {
         long long ms = 0;
         if (!parse_duration_ms(v, ms) || ms <= 0) return false;
         o.proxy.tunnel_idle_timeout = std::chrono::milliseconds(ms);
         return true;
       }},
      {"--upstream-connect-timeout", duration(&ProxyConfig::upstream_connect_timeout)},
      {"--upstream-read-timeout", duration(&ProxyConfig::upstream_read_timeout)},
      {"--upstream-max-fails", [](Options& o, std::string_view v) {
         std::uint64_t n = 0;
         if (!set_unsigned(v, n) || n > 1'000'000) return false;
         o.proxy.upstream_max_fails = static_cast<std::uint32_t>(n);
         return true;
       }},
      {"--upstream-fail-timeout", duration(&ProxyConfig::upstream_fail_timeout)},
      {"--shutdown-grace", duration(&ProxyConfig::drain_timeout)},
      {"--kubeconfig", [](Options& o, std::string_view v) { o.cluster.kubeconfig = v; return !v.empty(); }},
      {"--watch-namespace", [](Options& o, std::string_view v) { o.cluster.watch_namespace = v; return !v.empty(); }},
      {"--publish-service", [](Options& o, std::string_view v) {
         o.cluster.publish_service = v;
         return namespaced_name(v);
       }},
      {"--publish-status-address", [](Options& o, std::string_view v) {
         o.cluster.publish_status_addresses.clear();
         for (std::string_view rest = v; !rest.empty();) {
           auto comma = rest.find(',');
           std::string_view a = rest.substr(0, comma);
           if (a.empty()) return false;
           o.cluster.publish_status_addresses.emplace_back(a);
           rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
           if (comma != std::string_view::npos && rest.empty()) return false;
         }
         return !o.cluster.publish_status_addresses.empty();
       }},
      {"--election-id", [](Options& o, std::string_view v) { o.cluster.election.id = v; return !v.empty(); }},
      {"--election-namespace", [](Options& o, std::string_view v) { o.cluster.election.ns = v; return !v.empty(); }},
      {"--election-lease-duration", [](Options& o, std::string_view v) {
         long long ms = 0;
         if (!parse_duration_ms(v, ms) || ms < 1000) return false;
         o.cluster.election.lease_duration = std::chrono::milliseconds(ms);
         return true;
       }},
      {"--election-renew-deadline", [](Options& o, std::string_view v) {
         long long ms = 0;
         if (!parse_duration_ms(v, ms) || ms <= 0) return false;
         o.cluster.election.renew_deadline = std::chrono::milliseconds(ms);
         return true;
       }},
      {"--election-retry-period", [](Options& o, std::string_view v) {
         long long ms = 0;
         if (!parse_duration_ms(v, ms) || ms <= 0) return false;
         o.cluster.election.retry_period = std::chrono::milliseconds(ms);
         return true;
       }},
      {"--sync-period", [](Options& o, std::string_view v) {
         long long ms = 0;
         if (!parse_duration_ms(v, ms)) return false;
         o.sync_period = std::chrono::milliseconds(ms);
         return true;
       }},
  };
  return flags;
}

// Flags that take no value or a strconv.ParseBool value after '='.
const std::map<std::string_view, std::function<void(Options&, bool)>>& bool_flags() {
  static const std::map<std::string_view, std::function<void(Options&, bool)>> flags = {
      {"--help", [](Options& o, bool v) { o.help = v; }},
      {"-h", [](Options& o, bool v) { o.help = v; }},
      {"--version", [](Options& o, bool v) { o.version = v; }},
      {"--hsts", [](Options& o, bool v) { o.proxy.hsts = v; }},
      {"--enable-underscores-in-headers", [](Options& o, bool v) { o.proxy.underscores_in_headers = v; }},
      {"--watch-ingress-without-class", [](Options& o, bool v) { o.translator.watch_ingress_without_class = v; }},
      {"--update-status", [](Options& o, bool v) { o.cluster.update_status = v; }},
      {"--enable-ssl-passthrough", [](Options& o, bool v) { o.enable_ssl_passthrough = v; }},
  };
  return flags;
}

}  // namespace

std::optional<Options> parse_options(int argc, char** argv, std::string& error) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string_view value;
    bool has_value = false;
    if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    if (auto b = bool_flags().find(arg); b != bool_flags().end()) {
      // pflag's booleans: --flag, or --flag=V with strconv.ParseBool's V. A
      // bare "--flag false" leaves "false" behind as an argument, which
      // ingress-nginx would silently ignore: here it is an error that says why.
      std::optional<bool> on = has_value ? controller::parse_go_bool(value) : std::optional<bool>(true);
      if (!on) {
        error = "bad value \"" + std::string(value) + "\" for " + std::string(arg) + " (true or false)";
        return std::nullopt;
      }
      if (!has_value && i + 1 < argc && controller::parse_go_bool(argv[i + 1])) {
        error = std::string(arg) + " is a boolean: write " + std::string(arg) + "=" + argv[i + 1];
        return std::nullopt;
      }
      b->second(o, *on);
      continue;
    }
    auto it = valued_flags().find(arg);
    if (it == valued_flags().end()) {
      error = "unknown flag " + std::string(arg);
      return std::nullopt;
    }
    if (!has_value) {
      if (i + 1 >= argc) {
        error = "flag " + std::string(arg) + " needs a value";
        return std::nullopt;
      }
      value = argv[++i];
    }
    if (!it->second(o, value)) {
      error = "bad value \"" + std::string(value) + "\" for " + std::string(arg);
      return std::nullopt;
    }
  }
  if (o.enable_ssl_passthrough) {
    error = "--enable-ssl-passthrough is not supported yet: sluice terminates every TLS connection itself";
    return std::nullopt;
  }
  if (!o.default_backend_service.empty())
    o.warnings.push_back("--default-backend-service " + o.default_backend_service +
                         " is not supported yet: requests no rule matches get sluice's own 404");
  return o;
}

}  // namespace sluice::app
