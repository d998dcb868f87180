// Where the Kubernetes API server is and how to authenticate to it: from the
// pod's service account (in-cluster) or from a kubeconfig file.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::controller::kube {

inline constexpr const char* service_account_dir = "/var/run/secrets/kubernetes.io/serviceaccount";

// any thread (immutable)
struct ClusterConfig {
  std::string server;     // as configured, for messages: "https://10.0.0.1:443"
  bool tls = true;        // https
  std::string host;       // name or address, without IPv6 brackets
  std::string port;       // "443" when the URL names none
  std::string base_path;  // "" or "/prefix" (no trailing slash), prepended to every path
  std::string ca_pem;     // trusted CAs; empty: the system's default store
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;  // overrides `host` for SNI and verification
  std::string token;            // a static bearer token
  std::string token_file;       // re-read periodically (bound tokens rotate); wins over token
  std::string client_cert_pem;  // client certificate chain and key, both or neither
  std::string client_key_pem;
  std::string ns;      // the pod's (or the context's) namespace; "" when unknown
  std::string source;  // "in-cluster" or "kubeconfig FILE, context NAME", for logs
};

// Splits "https://host:port/prefix" into the config's server fields. False
// with `error` set on anything else (only http and https are supported).
bool parse_server_url(std::string_view url, ClusterConfig& out, std::string& error);

// The in-cluster config when KUBERNETES_SERVICE_HOST and _PORT are set, as
// client-go's InClusterConfig: token file, ca.crt and namespace under `dir`
// (POD_NAMESPACE overrides the namespace file). nullopt with `error` empty
// when not in a cluster; nullopt with `error` set when the environment is
// set but the files are unusable.
std::optional<ClusterConfig> in_cluster_config(std::string& error,
                                               const std::filesystem::path& dir = service_account_dir);

// Loads a kubeconfig. `paths` is one file or a ':'-separated list merged as
// kubectl does (the first file to define a name or current-context wins).
// Relative file references are relative to the file that names them.
// Throws std::runtime_error (one line) on a missing file, bad YAML, a
// missing context/cluster/user, or an unsupported auth method (exec,
// auth-provider).
ClusterConfig load_kubeconfig(const std::string& paths, const std::string& context = "");

// One kubeconfig from its text, as load_kubeconfig reads each file: `dir`
// resolves its relative file references and `name` stands for it in
// messages. Throws as load_kubeconfig does (an empty text is an error).
ClusterConfig parse_kubeconfig(std::string_view text, const std::filesystem::path& dir,
                               const std::string& context = "", const std::string& name = "kubeconfig");

// The cluster source to use, in client-go's order: `kubeconfig_flag`, then
// $KUBECONFIG, then the in-cluster service account. nullopt with `error`
// set (one line) when there is none or it is unusable.
std::optional<ClusterConfig> find_cluster_config(const std::string& kubeconfig_flag, std::string& error);

}  // namespace sluice::controller::kube
