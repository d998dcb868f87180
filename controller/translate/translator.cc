// Store -> RouteTable: class selection, precedence, rules, default backends.
#include "controller/translate/translator.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include "common/log.h"
#include "controller/translate/annotations/ingress_annotations.h"
#include "controller/translate/annotations/lint.h"
#include "controller/translate/backend_resolution.h"
#include "controller/translate/config_map/controller_config.h"
#include "controller/translate/class_selection.h"
#include "controller/translate/rule_validation.h"

namespace sluice::controller {
namespace {

using IngressPtr = std::shared_ptr<const k8s::Ingress>;

k8s::ObjectRef ref_of(const k8s::Ingress& ing) {
  return {k8s::Kind::ingress, ing.meta.ns, ing.meta.name};
}

// Oldest first; missing timestamps (common in manifest files) count as oldest.
bool older(const IngressPtr& a, const IngressPtr& b) {
  constexpr auto unknown = std::numeric_limits<std::int64_t>::min();
  return std::tuple(a->meta.creation_time.value_or(unknown), a->meta.ns, a->meta.name) <
         std::tuple(b->meta.creation_time.value_or(unknown), b->meta.ns, b->meta.name);
}

// controller-confined: the state of one translate() call.
class Translation {
 public:
  Translation(const ObjectStore& store, const TranslatorOptions& options, CertificateCache& certificates)
      : store_(store), options_(options), certificates_(certificates), resolver_(store, warnings_) {}

  TranslationResult run(std::uint64_t generation) &&;

 private:
  using Annotated = std::vector<std::pair<IngressPtr, IngressAnnotations>>;
  void read_config();
  RoutePolicy with_global_headers(RoutePolicy p) const;
  std::vector<IngressPtr> served_ingresses();
  void set_global_default(const std::vector<IngressPtr>& ingresses);
  Annotated read_all_annotations(const std::vector<IngressPtr>& ingresses);
  void collect_server_settings(const Annotated& annotated);
  void add_ingress(const k8s::Ingress& ing, const IngressAnnotations& annotations);
  bool read_ingress_annotations(const k8s::Ingress& ing, IngressAnnotations& out);
  void add_app_root_routes();
  void add_www_redirects();
  void add_aliases();
  void add_path(const k8s::Ingress& ing, const IngressAnnotations& annotations, const std::string& host,
                const k8s::IngressPath& path);
  void set_host_default(const k8s::Ingress& ing, const std::string& host);
  std::optional<std::uint32_t> backend_for(const k8s::Ingress& ing, const k8s::IngressBackend& b);
  void warn(const k8s::Ingress& ing, std::string reason) {
    warnings_.push_back({ref_of(ing), std::move(reason)});
  }

  const ObjectStore& store_;
  const TranslatorOptions& options_;
  CertificateCache& certificates_;
  ControllerConfig config_;       // --configmap, read once per translation
  ControllerDefaults defaults_;  // the ConfigMap's keys annotations fall back to
  std::uint32_t default_policy_ = 0;  // default backends': the global header edits only
  std::set<std::string> tls_hosts_;
  std::vector<Warning> warnings_;
  std::vector<AnnotationFinding> findings_;
  BackendResolver resolver_;
  RouteTableBuilder builder_;
  std::map<std::string, std::uint32_t> backend_index_;  // by Backend::name
  // Who holds each (host, match, path), and each host's default, for messages.
  std::map<std::tuple<std::string, PathMatch, std::string>, std::string> route_owner_;
  std::map<std::string, std::pair<std::string, std::string>> default_owner_;  // host -> ingress, backend
  std::set<std::string> hosts_;
  TranslationCounts counts_;
  // Server-level settings by rule host (ingress-nginx's server block): the
  // oldest Ingress that sets one for a host decides it.
  struct ServerSettings {
    std::string app_root;
    std::optional<std::uint16_t> www_redirect_code;  // from-to-www-redirect
    std::vector<std::string> aliases;
    std::string aliases_owner;  // the Ingress whose server-alias the host took
  };
  std::map<std::string, ServerSettings> servers_;
  std::map<std::string, std::vector<Route>> host_routes_;  // every route added, by host
  std::map<std::string, Route> host_defaults_;           // each host's default backend route
  std::set<std::string> redirect_hosts_;                 // from-to-www-redirect's generated hosts
};

std::vector<IngressPtr> Translation::served_ingresses() {
  ClassSelector selector(store_, options_);
  std::vector<IngressPtr> out;
  for (const auto& [key, ing] : store_.all<k8s::Ingress>()) {
    if (selector.is_ours(*ing))
      out.push_back(ing);
    else
      ++counts_.ingresses_ignored;
  }
  std::sort(out.begin(), out.end(), older);
  counts_.ingresses_served = out.size();
  if (counts_.ingresses_ignored > 0)
    log::debug("ignoring Ingresses of other classes",
               {{"count", std::to_string(counts_.ingresses_ignored)}});
  return out;
}

// The ConfigMap is read before anything else: every Ingress's annotations
// fall back to its defaults, and the snapshot carries its proxy settings.
void Translation::read_config() {
  config_ = read_controller_config(store_, options_.configmap);
  defaults_ = config_.defaults;
  const auto slash = options_.configmap.find('/');
  const k8s::ObjectRef ref{k8s::Kind::config_map, options_.configmap.substr(0, slash),
                           slash == std::string::npos ? "" : options_.configmap.substr(slash + 1)};
  for (const std::string& problem : config_.problems) warnings_.push_back({ref, problem});
  builder_.set_settings(config_.proxy);
  default_policy_ = builder_.add_policy(with_global_headers(RoutePolicy{}));
}

// add-headers and proxy-set-headers come first, so a route's own edits of
// the same field (custom-headers) are applied after them and win.
RoutePolicy Translation::with_global_headers(RoutePolicy p) const {
  const HeaderEdits& global = config_.global_headers;
  p.headers.request.insert(p.headers.request.begin(), global.request.begin(), global.request.end());
  p.headers.response.insert(p.headers.response.begin(), global.response.begin(), global.response.end());
  return p;
}

TranslationResult Translation::run(std::uint64_t generation) && {
  read_config();
  auto ingresses = served_ingresses();
  tls_hosts_ = add_tls_certificates(store_, ingresses, options_, certificates_, builder_, warnings_);
  set_global_default(ingresses);
  const Annotated annotated = read_all_annotations(ingresses);
  collect_server_settings(annotated);
  for (const auto& [ing, annotations] : annotated) add_ingress(*ing, annotations);
  add_app_root_routes();
  add_www_redirects();
  add_aliases();

  TranslationResult result;
  result.table = std::move(builder_).build(generation);
  counts_.hosts = hosts_.size();
  counts_.routes = result.table->routes().size();
  counts_.backends = result.table->backends().size();
  result.counts = counts_;
  result.served = std::move(ingresses);
  result.annotation_findings = std::move(findings_);
  result.ignored_config_keys = std::move(config_.ignored_keys);
  // Keep the first occurrence of each warning, in discovery order.
  std::set<Warning> seen;
  for (auto& w : warnings_)
    if (seen.insert(w).second) result.warnings.push_back(std::move(w));
  return result;
}

// The oldest served Ingress with spec.defaultBackend serves every request
// that nothing else matches.
void Translation::set_global_default(const std::vector<IngressPtr>& ingresses) {
  for (const auto& ing : ingresses) {
    if (!ing->default_backend) continue;
    auto backend = backend_for(*ing, *ing->default_backend);
    if (!backend) continue;
    Route r{.host = "", .path = "", .backend = *backend, .ingress_namespace = ing->meta.ns,
            .ingress_name = ing->meta.name, .policy = default_policy_};
    builder_.set_default(std::move(r));
    default_owner_[""] = {ing->meta.key(), backend_name(ing->meta.ns, *ing->default_backend)};
    return;
  }
}

// Every issue is a warning and a count; false when ingress-nginx would not
// have served the Ingress at all (a validation error in its annotations).
bool Translation::read_ingress_annotations(const k8s::Ingress& ing, IngressAnnotations& out) {
  out = read_annotations(ing, AnnotationContext{store_, options_, defaults_});
  for (const AnnotationIssue& issue : out.issues) {
    ++counts_.annotation_issues[std::string(issue_kind_name(issue.kind))];
    warn(ing, describe(issue));
  }
  append_findings(ing, out.issues, findings_);
  if (!out.rejected()) return true;
  warn(ing, "an annotation ingress-nginx rejects the Ingress for; Ingress skipped");
  return false;
}

void Translation::add_ingress(const k8s::Ingress& ing, const IngressAnnotations& annotations) {
  std::set<std::string> hosts;
  for (const k8s::IngressRule& rule : ing.rules) {
    std::string reason;
    auto host = normalize_rule_host(rule.host, reason);
    if (!host) {
      warn(ing, reason + "; rule skipped");
      continue;
    }
    hosts.insert(*host);
    for (const k8s::IngressPath& path : rule.paths) add_path(ing, annotations, *host, path);
  }
  for (const std::string& host : hosts) {
    if (!host.empty()) hosts_.insert(host);
    if (!host.empty() && ing.default_backend) set_host_default(ing, host);
  }
}

// Annotations are read once per Ingress, before any route is added, so a
// host's server-level settings (app-root, from-to-www-redirect,
// server-alias) are known when its first path is. Rejected Ingresses drop out.
Translation::Annotated Translation::read_all_annotations(const std::vector<IngressPtr>& ingresses) {
  Annotated out;
  for (const IngressPtr& ing : ingresses) {
    IngressAnnotations annotations;
    if (read_ingress_annotations(*ing, annotations)) out.emplace_back(ing, std::move(annotations));
  }
  return out;
}

// ingress-nginx renders app-root as an `if ($uri = /)` at server level, one
// per location that has it, in its location order (longest path first, then
// the greater path; stable, so the older Ingress on a tie): the first one
// answers. It marks the server for from-to-www-redirect when any location
// asks; the aliases come from the first Ingress of the host that names any
// (controller.go createServers). Ingresses are read oldest first.
void Translation::collect_server_settings(const Annotated& annotated) {
  std::map<std::string, std::pair<std::size_t, std::string>> app_root_path;  // host -> the deciding location
  for (const auto& [ing, annotations] : annotated) {
    for (const k8s::IngressRule& rule : ing->rules) {
      std::string reason;
      auto host = normalize_rule_host(rule.host, reason);
      if (!host) continue;
      ServerSettings& server = servers_[*host];
      for (const k8s::IngressPath& p : rule.paths) {
        if (annotations.app_root.empty()) break;
        const std::string location = p.path.empty() ? "/" : p.path;
        auto key = std::pair(location.size(), location);
        auto [best, fresh] = app_root_path.emplace(*host, key);
        if (fresh || key > best->second) {
          best->second = key;
          server.app_root = annotations.app_root;
        }
      }
      if (annotations.from_to_www && !server.www_redirect_code)
        server.www_redirect_code = annotations.www_redirect_code;
      if (server.aliases.empty() && !annotations.aliases.empty()) {
        server.aliases = annotations.aliases;
        server.aliases_owner = ing->meta.key();
      } else if (!annotations.aliases.empty() && server.aliases_owner != ing->meta.key()) {
        warn(*ing, "host \"" + *host + "\" already has server-alias from Ingress " + server.aliases_owner +
                       "; server-alias not used for it");
      }
    }
  }
}

// nginx answers "/" with app-root's 302 before it picks a location, so "/"
// redirects even on a host with no rule for it: such a host gets an Exact
// "/" route whose only use is that redirect.
void Translation::add_app_root_routes() {
  for (const auto& [host, server] : servers_) {
    auto routes = host_routes_.find(host);
    if (server.app_root.empty() || routes == host_routes_.end() || routes->second.empty()) continue;
    if (route_owner_.contains({host, PathMatch::exact, "/"}) || route_owner_.contains({host, PathMatch::prefix, "/"}))
      continue;
    Route r = routes->second.front();
    r.path = "/";
    r.match = PathMatch::exact;
    r.policy = builder_.add_policy(RoutePolicy{.app_root = server.app_root});
    host_routes_[host].push_back(r);
    if (builder_.add_route(std::move(r))) route_owner_[{host, PathMatch::exact, "/"}] = "app-root of " + host;
  }
}

// BuildRedirects: www.<host> for <host>, <host> for www.<host>, unless an
// Ingress has a rule for that name; its server answers every request.
void Translation::add_www_redirects() {
  for (const auto& [host, server] : servers_) {
    auto routes = host_routes_.find(host);
    if (!server.www_redirect_code || host.empty() || host.starts_with("*.") || routes == host_routes_.end() ||
        routes->second.empty())
      continue;
    std::string from = host.starts_with("www.") ? host.substr(4) : "www." + host;
    if (from.empty() || hosts_.contains(from) || redirect_hosts_.contains(from)) continue;
    Route r = routes->second.front();
    r.host = from;
    r.path = "/";
    r.match = PathMatch::prefix;
    r.policy = builder_.add_policy(RoutePolicy{.www_redirect = WwwRedirect{*server.www_redirect_code, host}});
    if (builder_.add_route(std::move(r))) redirect_hosts_.insert(from);
  }
}

// Each alias serves its host's routes and default. Skipped, as ingress-nginx
// skips them: the host itself, a name an Ingress has a rule for, and a name
// an earlier host (by name; nginx keeps the first server_name) or a
// from-to-www-redirect server (rendered before every server) holds.
void Translation::add_aliases() {
  std::set<std::string> claimed;
  for (const auto& [host, server] : servers_) {
    auto routes = host_routes_.find(host);
    if (routes == host_routes_.end()) continue;
    for (const std::string& alias : server.aliases) {
      if (alias == host || hosts_.contains(alias) || redirect_hosts_.contains(alias) || !claimed.insert(alias).second)
        continue;
      for (Route r : routes->second) {
        r.host = alias;
        builder_.add_route(std::move(r));
      }
      if (auto d = host_defaults_.find(host); d != host_defaults_.end()) {
        Route r = d->second;
        r.host = alias;
        builder_.set_default(std::move(r));
      }
    }
  }
}

void Translation::add_path(const k8s::Ingress& ing, const IngressAnnotations& annotations,
                           const std::string& host, const k8s::IngressPath& path) {
  std::string reason;
  auto spec = resolve_path(path, reason);
  if (!spec) return warn(ing, reason + "; path skipped");
  auto key = std::tuple(host, spec->match,
                        spec->match == PathMatch::prefix ? normalize_prefix(spec->path) : spec->path);
  // Checked before resolving, so a losing path adds no backend and no warning about it.
  if (auto owner = route_owner_.find(key); owner != route_owner_.end()) {
    return warn(ing, "host \"" + host + "\" path \"" + spec->path + "\" (" + path.path_type +
                         ") is already served by Ingress " + owner->second + "; path skipped");
  }
  auto backend = backend_for(ing, path.backend);
  if (!backend) return;
  RoutePolicy policy = annotations.policy_for_host(tls_hosts_.contains(host));
  if (auto server = servers_.find(host); server != servers_.end()) policy.app_root = server->second.app_root;
  Route r{.host = host, .path = spec->path, .match = spec->match, .backend = *backend,
          .ingress_namespace = ing.meta.ns, .ingress_name = ing.meta.name,
          .policy = builder_.add_policy(with_global_headers(std::move(policy)))};
  // route_owner_ mirrors the builder's keys, so this cannot conflict.
  host_routes_[host].push_back(r);
  if (builder_.add_route(std::move(r))) route_owner_[key] = ing.meta.key();
}

void Translation::set_host_default(const k8s::Ingress& ing, const std::string& host) {
  auto backend = backend_for(ing, *ing.default_backend);
  if (!backend) return;
  Route r{.host = host, .path = "", .backend = *backend, .ingress_namespace = ing.meta.ns,
          .ingress_name = ing.meta.name, .policy = default_policy_};
  const std::string name = backend_name(ing.meta.ns, *ing.default_backend);
  const Route kept = r;
  if (builder_.set_default(std::move(r))) {
    host_defaults_.emplace(host, kept);
    default_owner_[host] = {ing.meta.key(), name};
  } else if (default_owner_[host].second != name) {
    warn(ing, "host \"" + host + "\" already has default backend " + default_owner_[host].second +
                  " from Ingress " + default_owner_[host].first + "; defaultBackend not used for it");
  }
}

std::optional<std::uint32_t> Translation::backend_for(const k8s::Ingress& ing,
                                                      const k8s::IngressBackend& b) {
  if (b.is_resource) {
    warn(ing, "resource backends are not supported; skipped");
    return std::nullopt;
  }
  const Resolution& r = resolver_.resolve(ing.meta.ns, b);
  for (const std::string& problem : r.problems) warn(ing, problem + "; its routes answer 503");
  auto it = backend_index_.find(r.backend.name);
  if (it == backend_index_.end())
    it = backend_index_.emplace(r.backend.name, builder_.add_backend(r.backend)).first;
  return it->second;
}

}  // namespace

TranslationResult translate(const ObjectStore& store, const TranslatorOptions& options,
                            std::uint64_t generation, CertificateCache* certificates) {
  CertificateCache fresh;
  return Translation(store, options, certificates ? *certificates : fresh).run(generation);
}

}  // namespace sluice::controller
