// In-cluster and kubeconfig loading; see cluster_config.h.
#include "controller/source/k8s/cluster_config.h"

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "common/k8s/base64.h"
#include "controller/source/yaml_tree.h"

namespace sluice::controller::kube {
namespace fs = std::filesystem;
namespace {

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return out.str();
}

std::string trim(std::string s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  while (!s.empty() && !not_space(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && !not_space(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

using node_id = YamlTree::node_id;

// One kubeconfig file's parsed YAML and where it lives.
struct KubeconfigFile {
  fs::path dir;
  std::shared_ptr<const YamlTree> tree;
  node_id root;
};

// A map in one kubeconfig file; node none reads as an empty map.
struct MapRef {
  const YamlTree* tree;
  node_id node;

  node_id operator[](std::string_view key) const {
    return node == YamlTree::none ? YamlTree::none : tree->member(node, key);
  }
  bool has(std::string_view key) const { return (*this)[key] != YamlTree::none; }
};

// The entry `name` of the list `list` (clusters, users, contexts) in the
// first file that defines it, with that file's directory.
std::optional<std::pair<MapRef, fs::path>> find_named(const std::vector<KubeconfigFile>& files,
                                                      const char* list, const std::string& name,
                                                      const char* inner) {
  for (const auto& f : files) {
    const YamlTree& t = *f.tree;
    const node_id entries = t.member(f.root, list);
    if (entries == YamlTree::none || t.kind(entries) != YamlTree::type::sequence) continue;
    for (node_id e : t.children(entries)) {
      const node_id n = t.member(e, "name");
      if (n == YamlTree::none || t.kind(n) != YamlTree::type::scalar || t.scalar(n) != name) continue;
      const node_id body = t.member(e, inner);
      if (body == YamlTree::none || t.kind(body) != YamlTree::type::map)
        return std::pair{MapRef{&t, YamlTree::none}, f.dir};
      return std::pair{MapRef{&t, body}, f.dir};
    }
  }
  return std::nullopt;
}

std::string scalar(const MapRef& map, const char* key) {
  const node_id v = map[key];
  if (v == YamlTree::none || map.tree->kind(v) == YamlTree::type::null) return {};
  if (map.tree->kind(v) != YamlTree::type::scalar)
    fail(std::string("kubeconfig: \"") + key + "\" must be a string");
  return std::string(map.tree->scalar(v));
}

fs::path resolve(const fs::path& dir, const std::string& file) {
  fs::path p(file);
  return p.is_absolute() ? p : dir / p;
}

std::string file_or_data(const MapRef& map, const char* file_key, const char* data_key,
                         const fs::path& dir) {
  if (std::string data = scalar(map, data_key); !data.empty()) {
    auto decoded = k8s::base64_decode(data);
    if (!decoded) fail(std::string("kubeconfig: ") + data_key + " is not valid base64");
    return *decoded;
  }
  if (std::string file = scalar(map, file_key); !file.empty()) {
    auto text = read_file(resolve(dir, file));
    if (!text) fail(std::string("kubeconfig: cannot read ") + file_key + " " + resolve(dir, file).string());
    return *text;
  }
  return {};
}

// Adds one file's text to the merge; an empty file (or document) adds nothing.
void add_kubeconfig(std::vector<KubeconfigFile>& files, std::string_view text, const fs::path& dir,
                    const std::string& name) {
  std::string error;
  auto tree = parse_yaml(text, error);
  if (!tree) fail("kubeconfig " + name + ": " + error);
  if (tree->documents().empty()) return;
  const node_id root = tree->documents().front();
  if (tree->kind(root) == YamlTree::type::null) return;
  if (tree->kind(root) != YamlTree::type::map) fail("kubeconfig " + name + " is not a YAML map");
  files.push_back({dir, std::move(tree), root});
}

// The credentials of user `user_name` (named by `context`) into `c`.
void read_user(const std::vector<KubeconfigFile>& files, const std::string& user_name,
               const std::string& context, ClusterConfig& c) {
  auto user = find_named(files, "users", user_name, "user");
  if (!user) fail("kubeconfig: user \"" + user_name + "\" (context \"" + context + "\") not found");
  const MapRef& u = user->first;
  if (u.has("exec")) fail("kubeconfig: user \"" + user_name + "\" uses exec credentials, which sluice does not support");
  if (u.has("auth-provider")) fail("kubeconfig: user \"" + user_name + "\" uses an auth-provider, which sluice does not support");
  if (u.has("username") || u.has("password")) fail("kubeconfig: user \"" + user_name + "\" uses basic auth, which sluice does not support");
  c.token = scalar(u, "token");
  if (std::string f = scalar(u, "tokenFile"); !f.empty()) {
    c.token_file = resolve(user->second, f).string();
    if (!read_file(c.token_file)) fail("kubeconfig: cannot read tokenFile " + c.token_file);
  }
  c.client_cert_pem = file_or_data(u, "client-certificate", "client-certificate-data", user->second);
  c.client_key_pem = file_or_data(u, "client-key", "client-key-data", user->second);
  if (c.client_cert_pem.empty() != c.client_key_pem.empty())
    fail("kubeconfig: user \"" + user_name + "\" needs both a client certificate and its key");
}

// The config the merged files give for `context_name` (or their current-context);
// `paths` names them in messages.
ClusterConfig resolve_kubeconfig(const std::vector<KubeconfigFile>& files, const std::string& context_name,
                                 const std::string& paths) {
  std::string context = context_name;
  for (const auto& f : files) {
    if (!context.empty()) break;
    context = scalar(MapRef{f.tree.get(), f.root}, "current-context");
  }
  if (context.empty()) fail("kubeconfig " + paths + " has no current-context");
  auto ctx = find_named(files, "contexts", context, "context");
  if (!ctx) fail("kubeconfig: context \"" + context + "\" not found");
  const std::string cluster_name = scalar(ctx->first, "cluster");
  const std::string user_name = scalar(ctx->first, "user");
  auto cluster = find_named(files, "clusters", cluster_name, "cluster");
  if (!cluster) fail("kubeconfig: cluster \"" + cluster_name + "\" (context \"" + context + "\") not found");

  ClusterConfig c;
  std::string error;
  const std::string server = scalar(cluster->first, "server");
  if (server.empty()) fail("kubeconfig: cluster \"" + cluster_name + "\" has no server");
  if (!parse_server_url(server, c, error)) fail("kubeconfig: " + error);
  c.ca_pem = file_or_data(cluster->first, "certificate-authority", "certificate-authority-data",
                          cluster->second);
  const std::string insecure = scalar(cluster->first, "insecure-skip-tls-verify");
  c.insecure_skip_tls_verify = insecure == "true" || insecure == "True";
  c.tls_server_name = scalar(cluster->first, "tls-server-name");

  if (!user_name.empty()) read_user(files, user_name, context, c);
  c.ns = scalar(ctx->first, "namespace");
  c.source = "kubeconfig " + paths + ", context " + context;
  return c;
}

}  // namespace

bool parse_server_url(std::string_view url, ClusterConfig& out, std::string& error) {
  out.server = std::string(url);
  std::string_view rest;
  if (url.starts_with("https://")) {
    out.tls = true;
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    out.tls = false;
    rest = url.substr(7);
  } else {
    error = "server \"" + std::string(url) + "\" is not an http:// or https:// URL";
    return false;
  }
  std::string_view authority = rest.substr(0, rest.find('/'));
  std::string_view path = authority.size() < rest.size() ? rest.substr(authority.size()) : "";
  while (path.ends_with('/')) path.remove_suffix(1);
  std::string_view host = authority, port;
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "server \"" + std::string(url) + "\": unterminated IPv6 address";
      return false;
    }
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (after.starts_with(':')) port = after.substr(1);
    else if (!after.empty()) host = {};
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  unsigned port_number = 0;
  if (!port.empty()) {
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), port_number);
    if (ec != std::errc() || p != port.data() + port.size() || port_number == 0 || port_number > 65535)
      host = {};
  }
  if (host.empty()) {
    error = "server \"" + std::string(url) + "\" has no valid host and port";
    return false;
  }
  out.host = std::string(host);
  out.port = port.empty() ? (out.tls ? "443" : "80") : std::string(port);
  out.base_path = std::string(path);
  return true;
}

std::optional<ClusterConfig> in_cluster_config(std::string& error, const fs::path& dir) {
  error.clear();
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (!host || !*host || !port || !*port) return std::nullopt;
  ClusterConfig c;
  std::string h = host;
  if (h.find(':') != std::string::npos) h = "[" + h + "]";  // IPv6
  if (!parse_server_url("https://" + h + ":" + port, c, error)) return std::nullopt;
  c.token_file = (dir / "token").string();
  if (!read_file(c.token_file)) {
    error = "in-cluster: cannot read the service account token " + c.token_file;
    return std::nullopt;
  }
  auto ca = read_file(dir / "ca.crt");
  if (!ca) {
    error = "in-cluster: cannot read " + (dir / "ca.crt").string();
    return std::nullopt;
  }
  c.ca_pem = *ca;
  if (const char* pod_ns = std::getenv("POD_NAMESPACE"); pod_ns && *pod_ns)
    c.ns = pod_ns;
  else if (auto ns = read_file(dir / "namespace"))
    c.ns = trim(*ns);
  c.source = "in-cluster";
  return c;
}

ClusterConfig load_kubeconfig(const std::string& paths, const std::string& context_name) {
  std::vector<KubeconfigFile> files;
  std::string first_missing;
  std::size_t start = 0;
  while (start <= paths.size()) {
    std::size_t end = paths.find(':', start);
    if (end == std::string::npos) end = paths.size();
    std::string path = paths.substr(start, end - start);
    start = end + 1;
    if (path.empty()) continue;
    auto text = read_file(path);
    if (!text) {
      if (first_missing.empty()) first_missing = path;
      continue;
    }
    add_kubeconfig(files, *text, fs::absolute(path).parent_path(), path);
  }
  if (files.empty())
    fail("kubeconfig " + (first_missing.empty() ? paths : first_missing) + " cannot be read");
  return resolve_kubeconfig(files, context_name, paths);
}

ClusterConfig parse_kubeconfig(std::string_view text, const fs::path& dir, const std::string& context,
                               const std::string& name) {
  std::vector<KubeconfigFile> files;
  add_kubeconfig(files, text, dir, name);
  if (files.empty()) fail("kubeconfig " + name + " is empty");
  return resolve_kubeconfig(files, context, name);
}

std::optional<ClusterConfig> find_cluster_config(const std::string& kubeconfig_flag, std::string& error) {
  error.clear();
  std::string paths = kubeconfig_flag;
  if (paths.empty())
    if (const char* env = std::getenv("KUBECONFIG"); env && *env) paths = env;
  if (!paths.empty()) {
    try {
      return load_kubeconfig(paths);
    } catch (const std::exception& e) {
      error = e.what();
      return std::nullopt;
    }
  }
  if (auto c = in_cluster_config(error)) return c;
  if (error.empty())
    error = "no source: pass --manifests DIR (standalone mode), or --kubeconfig FILE or $KUBECONFIG, "
            "or run in a pod (in-cluster service account)";
  return std::nullopt;
}

}  // namespace sluice::controller::kube
