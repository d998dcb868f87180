// Store -> RouteTable: class selection, precedence, rules, default backends.
#include "controller/translate/translator.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include "common/log.h"
#include "controller/translate/annotations/ingress_annotations.h"
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
  void read_config();
  RoutePolicy with_global_headers(RoutePolicy p) const;
  std::vector<IngressPtr> served_ingresses();
  void set_global_default(const std::vector<IngressPtr>& ingresses);
  void add_ingress(const k8s::Ingress& ing);
  bool read_ingress_annotations(const k8s::Ingress& ing, IngressAnnotations& out);
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
  BackendResolver resolver_;
  RouteTableBuilder builder_;
  std::map<std::string, std::uint32_t> backend_index_;  // by Backend::name
  // Who holds each (host, match, path), and each host's default, for messages.
  std::map<std::tuple<std::string, PathMatch, std::string>, std::string> route_owner_;
  std::map<std::string, std::pair<std::string, std::string>> default_owner_;  // host -> ingress, backend
  std::set<std::string> hosts_;
  TranslationCounts counts_;
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
  for (const auto& ing : ingresses) add_ingress(*ing);

  TranslationResult result;
  result.table = std::move(builder_).build(generation);
  counts_.hosts = hosts_.size();
  counts_.routes = result.table->routes().size();
  counts_.backends = result.table->backends().size();
  result.counts = counts_;
  result.served = std::move(ingresses);
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
  if (!out.rejected()) return true;
  warn(ing, "an annotation ingress-nginx rejects the Ingress for; Ingress skipped");
  return false;
}

void Translation::add_ingress(const k8s::Ingress& ing) {
  IngressAnnotations annotations;
  if (!read_ingress_annotations(ing, annotations)) return;
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
  Route r{.host = host, .path = spec->path, .match = spec->match, .backend = *backend,
          .ingress_namespace = ing.meta.ns, .ingress_name = ing.meta.name,
          .policy = builder_.add_policy(with_global_headers(annotations.policy_for_host(tls_hosts_.contains(host))))};
  // route_owner_ mirrors the builder's keys, so this cannot conflict.
  if (builder_.add_route(std::move(r))) route_owner_[key] = ing.meta.key();
}

void Translation::set_host_default(const k8s::Ingress& ing, const std::string& host) {
  auto backend = backend_for(ing, *ing.default_backend);
  if (!backend) return;
  Route r{.host = host, .path = "", .backend = *backend, .ingress_namespace = ing.meta.ns,
          .ingress_name = ing.meta.name, .policy = default_policy_};
  const std::string name = backend_name(ing.meta.ns, *ing.default_backend);
  if (builder_.set_default(std::move(r))) {
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
