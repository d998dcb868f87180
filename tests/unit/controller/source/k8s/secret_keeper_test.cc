// referenced_secrets: which Secrets the store may keep, as a table of
// Ingresses (and flags) in and Secret keys out.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "controller/source/k8s/secret_keeper.h"
#include "tests/unit/controller/fixture.h"

namespace sluice::controller {
namespace {

std::string with_tls(std::string ingress_yaml, const std::string& tls) {
  // The fixture ends an Ingress with "rules: [...]\n---\n"; spec.tls goes before the separator.
  ingress_yaml.resize(ingress_yaml.size() - 4);
  return ingress_yaml + "  tls: [" + tls + "]\n---\n";
}

struct Case {
  const char* name;
  std::string yaml;
  std::string default_certificate;
  std::set<std::string> expected;
};

TEST_CASE("only the Secrets a served Ingress or a flag references may be kept", "[secrets]") {
  const std::string rules = test::rule("a.test", {test::path("/", "Prefix", "web")});
  const std::vector<Case> cases = {
      {"no Ingress references nothing", "", "", {}},
      {"an Ingress's TLS Secret, in its own namespace",
       with_tls(test::ingress({.name = "a", .ns = "shop", .rules = {rules}}), "{hosts: [a.test], secretName: a-tls}"),
       "",
       {"shop/a-tls"}},
      {"every tls entry counts",
       with_tls(test::ingress({.name = "a", .rules = {rules}}), "{secretName: one}, {secretName: two}"),
       "",
       {"default/one", "default/two"}},
      {"a tls entry without secretName uses the default certificate, no Secret",
       with_tls(test::ingress({.name = "a", .rules = {rules}}), "{hosts: [a.test]}"), "", {}},
      {"another controller's Ingress references nothing of ours",
       with_tls(test::ingress({.name = "a", .rules = {rules}, .class_name = "other"}), "{secretName: theirs}"),
       "",
       {}},
      {"basic auth's auth-secret, by name in the Ingress's namespace",
       test::ingress({.name = "a", .ns = "shop", .rules = {rules},
                      .annotations = "nginx.ingress.kubernetes.io/auth-type: basic, "
                                     "nginx.ingress.kubernetes.io/auth-secret: users"}),
       "",
       {"shop/users"}},
      {"basic auth's auth-secret as namespace/name",
       test::ingress({.name = "a", .ns = "shop", .rules = {rules},
                      .annotations = "nginx.ingress.kubernetes.io/auth-type: basic, "
                                     "nginx.ingress.kubernetes.io/auth-secret: shop/users"}),
       "",
       {"shop/users"}},
      {"another namespace's auth-secret is never read (the location is denied)",
       test::ingress({.name = "a", .ns = "shop", .rules = {rules},
                      .annotations = "nginx.ingress.kubernetes.io/auth-type: basic, "
                                     "nginx.ingress.kubernetes.io/auth-secret: infra/users"}),
       "",
       {}},
      {"an auth-secret without auth-type is never read",
       test::ingress({.name = "a", .rules = {rules}, .annotations = "nginx.ingress.kubernetes.io/auth-secret: users"}),
       "",
       {}},
      {"--default-ssl-certificate", "", "infra/wildcard", {"infra/wildcard"}},
      {"a --default-ssl-certificate without namespace is not used", "", "wildcard", {}},
      {"the same Secret referenced twice is one key",
       with_tls(test::ingress({.name = "a", .rules = {rules}}), "{secretName: s}") +
           with_tls(test::ingress({.name = "b", .rules = {rules}}), "{secretName: s}"),
       "default/s",
       {"default/s"}},
  };
  for (const Case& c : cases) {
    SECTION(c.name) {
      ObjectStore store;
      if (!c.yaml.empty()) test::load(store, c.yaml);
      TranslatorOptions options;
      options.default_ssl_certificate = c.default_certificate;
      CHECK(referenced_secrets(store, options) == c.expected);
    }
  }
}

}  // namespace
}  // namespace sluice::controller
