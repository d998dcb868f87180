// The /debug views: plain data out of the snapshot, rendered as JSON with
// stable (sorted) order so tests and diffs read them line by line.
#include "proxy/server/debug_views.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <optional>
#include <tuple>
#include <vector>

#include "common/json_writer.h"
#include "common/model/route_explain.h"
#include "common/strings.h"

namespace sluice {

namespace {

constexpr std::string_view json_type = "application/json";

using Json = JsonWriter;

std::string rfc3339(std::chrono::system_clock::time_point t) {
  if (t == std::chrono::system_clock::time_point{}) return {};
  const std::time_t s = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool has_tls(const RouteTable& table, const Route& r) {
  return !r.host.empty() && table.host_certificate(r.host) != nullptr;
}

// The columns a rule shares between /debug/ingresses and /debug/explain.
void rule_fields(Json& j, const RouteTable& table, const Route& r) {
  const Backend& b = table.backends()[r.backend];
  j.field("namespace", r.ingress_namespace)
      .field("ingress", r.ingress_name)
      .field("host", r.host)
      .field("path", r.is_default ? std::string_view() : std::string_view(r.path))
      .field("pathType", path_type_name(r))
      .field("service", b.service_name)
      .field("port", b.service_port)
      .field("backend", b.name)
      .field("tls", has_tls(table, r))
      .field("sslRedirect", table.policy(r).ssl_redirect);
}

void endpoints_field(Json& j, const Backend& b) {
  j.key("endpoints").begin_array();
  for (const Endpoint& e : b.endpoints) j.begin_object().field("address", e.name).field("ready", true).end_object();
  for (const Endpoint& e : b.not_ready) j.begin_object().field("address", e.name).field("ready", false).end_object();
  j.end_array();
}

void backend_object(Json& j, const Backend& b) {
  j.begin_object()
      .field("name", b.name)
      .field("namespace", b.service_namespace)
      .field("service", b.service_name)
      .field("port", b.service_port);
  j.key("external");
  if (b.is_external()) j.value(b.external_name + ":" + std::to_string(b.external_port));
  else j.null();
  endpoints_field(j, b);
  j.end_object();
}

std::vector<const Route*> sorted_routes(const RouteTable& table) {
  std::vector<const Route*> rs;
  for (const Route& r : table.routes()) rs.push_back(&r);
  std::sort(rs.begin(), rs.end(), [](const Route* a, const Route* b) {
    return std::tie(a->ingress_namespace, a->ingress_name, a->host, a->is_default, a->path, a->match) <
           std::tie(b->ingress_namespace, b->ingress_name, b->host, b->is_default, b->path, b->match);
  });
  return rs;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

AdminResponse json_response(int status, std::string body) {
  body += '\n';
  return {status, std::string(json_type), std::move(body)};
}

AdminResponse json_error(int status, std::string_view message) {
  Json j;
  j.begin_object().field("error", message).end_object();
  return json_response(status, std::move(j).take());
}

}  // namespace

bool query_value(std::string_view query, std::string_view name, std::string& out) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    std::string_view raw = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    out.clear();
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '+') {
        out += ' ';
      } else if (raw[i] == '%' && i + 2 < raw.size() && hex_value(raw[i + 1]) >= 0 && hex_value(raw[i + 2]) >= 0) {
        out += static_cast<char>(hex_value(raw[i + 1]) * 16 + hex_value(raw[i + 2]));
        i += 2;
      } else {
        out += raw[i];
      }
    }
    return true;
  }
  return false;
}

std::string debug_ingresses_json(const RouteTable* table) {
  Json j;
  j.begin_object();
  j.field("generation", std::uint64_t{table ? table->generation() : 0});
  j.key("rules").begin_array();
  if (table) {
    for (const Route* r : sorted_routes(*table)) {
      const Backend& b = table->backends()[r->backend];
      j.begin_object();
      rule_fields(j, *table, *r);
      j.field("endpoints", std::uint64_t{b.endpoints.size()});
      j.field("external", b.is_external());
      j.end_object();
    }
  }
  j.end_array().end_object();
  return std::move(j).take();
}

std::string debug_backends_json(const RouteTable* table) {
  Json j;
  j.begin_object();
  j.field("generation", std::uint64_t{table ? table->generation() : 0});
  j.key("backends").begin_array();
  if (table) {
    std::vector<const Backend*> bs;
    for (const Backend& b : table->backends()) bs.push_back(&b);
    std::sort(bs.begin(), bs.end(), [](const Backend* a, const Backend* b) { return a->name < b->name; });
    for (const Backend* b : bs) backend_object(j, *b);
  }
  j.end_array().end_object();
  return std::move(j).take();
}

std::string debug_snapshot_json(const RouteTable* table, const TranslationReport* report,
                                std::uint64_t applied_generation) {
  Json j;
  j.begin_object();
  j.field("generation", std::uint64_t{table ? table->generation() : 0});
  j.field("appliedGeneration", applied_generation);
  if (report) {
    j.field("builtAt", rfc3339(report->built_at))
        .field("reason", report->reason)
        .field("translations", report->translations)
        .field("translationSeconds", std::chrono::duration<double>(report->duration).count());
    j.key("counts")
        .begin_object()
        .field("ingresses", std::uint64_t{report->ingresses_served})
        .field("ingressesIgnored", std::uint64_t{report->ingresses_ignored})
        .field("hosts", std::uint64_t{report->hosts})
        .field("routes", std::uint64_t{report->routes})
        .field("backends", std::uint64_t{report->backends})
        .end_object();
    j.key("skipped").begin_array();
    for (const SkippedObject& s : report->skipped)
      j.begin_object()
          .field("kind", s.kind)
          .field("namespace", s.ns)
          .field("name", s.name)
          .field("reason", s.reason)
          .end_object();
    j.end_array();
  }
  j.field("dump", table ? table->dump() : std::string());
  j.end_object();
  return std::move(j).take();
}

std::string debug_annotations_json(const TranslationReport* report) {
  if (!report) return annotation_findings_json({}, 0);
  return annotation_findings_json(report->annotation_findings, report->ingresses_served);
}

std::string debug_explain_json(const RouteTable& table, std::string_view host, std::string_view path) {
  const RouteExplanation e = table.explain(host, path);
  int status = 404;
  std::string summary = "404: no rule matches";
  if (e.route) {
    const Backend& b = *e.backend;
    if (b.is_external()) {
      status = 200;
      summary = "proxied to " + b.name + " (ExternalName " + b.external_name + ")";
    } else if (b.endpoints.empty()) {
      status = 503;
      summary = "503: " + b.name + " has no ready endpoint";
    } else {
      status = 200;
      summary = "proxied to " + b.name + " (" + std::to_string(b.endpoints.size()) + " ready endpoint" +
                (b.endpoints.size() == 1 ? ")" : "s)");
    }
    const RoutePolicy& policy = table.policy(*e.route);
    if (policy.ssl_redirect) summary += "; plain HTTP gets 308 to https://";
    // The route's own redirects come first (see decide.cc).
    if (policy.www_redirect) {
      status = policy.www_redirect->code;
      summary = std::to_string(status) + ": from-to-www-redirect to " + policy.www_redirect->host;
    } else if (policy.redirect && !policy.denied) {
      status = policy.redirect->code;
      summary = std::to_string(status) + ": returns " + policy.redirect->url;
    }
    if (!policy.app_root.empty()) summary += "; \"/\" gets 302 to app-root " + policy.app_root;
  }

  Json j;
  j.begin_object();
  j.field("generation", std::uint64_t{table.generation()});
  j.key("request").begin_object().field("host", host).field("path", path).end_object();
  j.field("normalizedHost", e.host).field("hostSelection", host_selection_name(e.selection)).field("hostRule", e.host_rule);
  j.field("status", status).field("summary", summary).field("reason", e.reason);
  j.key("matched");
  if (e.route) {
    j.begin_object();
    rule_fields(j, table, *e.route);
    j.key("target");
    backend_object(j, *e.backend);
    j.end_object();
  } else {
    j.null();
  }
  j.key("notMatched").begin_array();
  for (const RuleVerdict& v : e.others) {
    j.begin_object();
    rule_fields(j, table, *v.route);
    j.field("outcome", rule_outcome_name(v.outcome)).field("why", v.reason);
    j.end_object();
  }
  j.end_array();
  j.field("notMatchedOmitted", std::uint64_t{e.host_mismatches_omitted});
  j.end_object();
  return std::move(j).take();
}

void register_debug_views(AdminServer& admin, DebugSources sources) {
  auto src = std::make_shared<DebugSources>(std::move(sources));
  admin.handle("/debug/ingresses", [src](std::string_view) {
    auto table = src->snapshot();
    return json_response(200, debug_ingresses_json(table.get()));
  });
  admin.handle("/debug/backends", [src](std::string_view) {
    auto table = src->snapshot();
    return json_response(200, debug_backends_json(table.get()));
  });
  admin.handle("/debug/snapshot", [src](std::string_view) {
    auto table = src->snapshot();
    std::optional<TranslationReport> report;
    if (src->translation) report = src->translation();
    return json_response(200, debug_snapshot_json(table.get(), report ? &*report : nullptr,
                                                  src->applied_generation ? src->applied_generation() : 0));
  });
  admin.handle("/debug/annotations", [src](std::string_view) {
    std::optional<TranslationReport> report;
    if (src->translation) report = src->translation();
    return json_response(200, debug_annotations_json(report ? &*report : nullptr));
  });
  admin.handle("/debug/explain", [src](std::string_view query) {
    std::string host, path;
    if (!query_value(query, "host", host)) return json_error(400, "missing host: /debug/explain?host=H&path=P");
    if (!query_value(query, "path", path) || path.empty()) path = "/";
    auto table = src->snapshot();
    if (!table) return json_error(503, "no snapshot published yet");
    return json_response(200, debug_explain_json(*table, host, path));
  });
}

}  // namespace sluice
