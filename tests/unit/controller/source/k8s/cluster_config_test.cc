// Finding the API server: server URLs, kubeconfig files, the in-cluster service account.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "controller/source/k8s/cluster_config.h"

namespace sluice::controller::kube {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("sluice-kube-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return path / name;
  }
  static inline int counter = 0;
};

TEST_CASE("server URLs split into scheme, host, port and path", "[kubeconfig]") {
  ClusterConfig c;
  std::string error;
  REQUIRE(parse_server_url("https://10.0.0.1", c, error));
  CHECK((c.tls && c.host == "10.0.0.1" && c.port == "443" && c.base_path.empty()));
  REQUIRE(parse_server_url("http://api.example:8080/k8s/clusters/c-1/", c, error));
  CHECK((!c.tls && c.host == "api.example" && c.port == "8080" && c.base_path == "/k8s/clusters/c-1"));
  REQUIRE(parse_server_url("https://[fd00::1]:6443", c, error));
  CHECK((c.host == "fd00::1" && c.port == "6443"));
  for (const char* bad : {"ftp://x", "https://", "https://host:0", "https://host:99999", "https://[::1", "host:443"}) {
    INFO(bad);
    CHECK_FALSE(parse_server_url(bad, c, error));
  }
}

const char* kubeconfig = R"(apiVersion: v1
kind: Config
current-context: two
clusters:
- name: c1
  cluster: {server: "https://one.example:6443", certificate-authority: ca.pem}
- name: c2
  cluster: {server: "https://two.example", certificate-authority-data: Q0EgREFUQQ==, insecure-skip-tls-verify: true, tls-server-name: api.internal}
users:
- name: u1
  user: {token: tok-1}
- name: u2
  user: {tokenFile: token, client-certificate-data: Q0VSVA==, client-key: key.pem}
contexts:
- name: one
  context: {cluster: c1, user: u1}
- name: two
  context: {cluster: c2, user: u2, namespace: shop}
)";

TEST_CASE("a kubeconfig's current context picks cluster and user", "[kubeconfig]") {
  TempDir d;
  d.write("ca.pem", "CA FILE");
  d.write("token", "file-token\n");
  d.write("key.pem", "KEY");
  auto path = d.write("config", kubeconfig);
  ClusterConfig c = load_kubeconfig(path.string());
  CHECK(c.host == "two.example");
  CHECK(c.ca_pem == "CA DATA");
  CHECK(c.insecure_skip_tls_verify);
  CHECK(c.tls_server_name == "api.internal");
  CHECK(c.token_file == (d.path / "token").string());  // relative to the kubeconfig
  CHECK(c.client_cert_pem == "CERT");
  CHECK(c.client_key_pem == "KEY");
  CHECK(c.ns == "shop");
  ClusterConfig one = load_kubeconfig(path.string(), "one");
  CHECK(one.ca_pem == "CA FILE");
  CHECK(one.token == "tok-1");
  CHECK_FALSE(one.insecure_skip_tls_verify);
}

TEST_CASE("a kubeconfig parses from text as from its file", "[kubeconfig]") {
  TempDir d;
  d.write("ca.pem", "CA FILE");
  d.write("token", "file-token\n");
  d.write("key.pem", "KEY");
  ClusterConfig c = parse_kubeconfig(kubeconfig, d.path);
  CHECK(c.host == "two.example");
  CHECK(c.token_file == (d.path / "token").string());  // relative to `dir`
  CHECK(c.client_key_pem == "KEY");
  CHECK(parse_kubeconfig(kubeconfig, d.path, "one").ca_pem == "CA FILE");
  CHECK_THROWS_WITH(parse_kubeconfig("", d.path, "", "inline"), Catch::Contains("kubeconfig inline is empty"));
  CHECK_THROWS_WITH(parse_kubeconfig("[1]", d.path), Catch::Contains("not a YAML map"));
}

TEST_CASE("kubeconfig files merge: the first to define a name wins", "[kubeconfig]") {
  TempDir d;
  auto a = d.write("a", "current-context: x\ncontexts:\n- {name: x, context: {cluster: c, user: u}}\n"
                        "clusters:\n- {name: c, cluster: {server: 'http://first:1'}}\n");
  auto b = d.write("b", "current-context: y\nclusters:\n- {name: c, cluster: {server: 'http://second:2'}}\n"
                        "users:\n- {name: u, user: {token: t}}\n");
  ClusterConfig c = load_kubeconfig((d.path / "missing").string() + ":" + a.string() + ":" + b.string());
  CHECK(c.host == "first");
  CHECK(c.token == "t");
}

TEST_CASE("unusable kubeconfigs are refused with one line", "[kubeconfig]") {
  TempDir d;
  auto check_throws = [&](const std::string& text, const std::string& expect) {
    auto p = d.write("bad", text);
    INFO(text);
    try {
      load_kubeconfig(p.string());
      FAIL("no exception");
    } catch (const std::runtime_error& e) {
      CHECK_THAT(e.what(), Catch::Contains(expect));
    }
  };
  check_throws("current-context: x\n", "context \"x\" not found");
  check_throws("clusters: []\n", "no current-context");
  check_throws("current-context: x\ncontexts:\n- {name: x, context: {cluster: c}}\n", "cluster \"c\"");
  check_throws("current-context: x\ncontexts:\n- {name: x, context: {cluster: c, user: u}}\n"
               "clusters:\n- {name: c, cluster: {server: 'http://h:1'}}\nusers:\n- {name: u, user: {exec: {command: x}}}\n",
               "exec");
  check_throws("current-context: x\ncontexts:\n- {name: x, context: {cluster: c}}\n"
               "clusters:\n- {name: c, cluster: {server: 'http://h:1', certificate-authority: nope.pem}}\n",
               "cannot read certificate-authority");
  check_throws("[1, 2]\n", "not a YAML map");
  CHECK_THROWS_WITH(load_kubeconfig((d.path / "none").string()), Catch::Contains("cannot be read"));
}

TEST_CASE("in-cluster config comes from the environment and the service account files", "[kubeconfig]") {
  TempDir d;
  ::unsetenv("POD_NAMESPACE");
  ::setenv("KUBERNETES_SERVICE_HOST", "fd00::10", 1);
  ::setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  std::string error;
  CHECK_FALSE(in_cluster_config(error, d.path));
  CHECK_THAT(error, Catch::Contains("token"));
  d.write("token", "sa-token");
  d.write("ca.crt", "CA");
  d.write("namespace", "ingress\n");
  auto c = in_cluster_config(error, d.path);
  REQUIRE(c);
  CHECK(c->host == "fd00::10");
  CHECK(c->tls);
  CHECK(c->token_file == (d.path / "token").string());
  CHECK(c->ca_pem == "CA");
  CHECK(c->ns == "ingress");
  ::setenv("POD_NAMESPACE", "other", 1);
  CHECK(in_cluster_config(error, d.path)->ns == "other");
  ::unsetenv("POD_NAMESPACE");
  ::unsetenv("KUBERNETES_SERVICE_HOST");
  CHECK_FALSE(in_cluster_config(error, d.path));
  CHECK(error.empty());  // not in a cluster is not an error
  ::unsetenv("KUBERNETES_SERVICE_PORT");
}

}  // namespace
}  // namespace sluice::controller::kube
