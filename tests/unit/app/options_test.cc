// The command line: ingress-nginx's flag names and spellings (pflag's
// --flag=value and --flag value, strconv.ParseBool booleans), as a table.
#include <catch2/catch.hpp>

#include <initializer_list>
#include <string>
#include <vector>

#include "app/options.h"

using namespace sluice::app;

namespace {

std::optional<Options> parse(std::initializer_list<const char*> args, std::string& error) {
  std::vector<char*> argv{const_cast<char*>("sluice")};
  for (const char* a : args) argv.push_back(const_cast<char*>(a));
  return parse_options(static_cast<int>(argv.size()), argv.data(), error);
}

Options parse_ok(std::initializer_list<const char*> args) {
  std::string error;
  auto o = parse(args, error);
  INFO(error);
  REQUIRE(o);
  return *o;
}

std::string parse_error(std::initializer_list<const char*> args) {
  std::string error;
  auto o = parse(args, error);
  CHECK_FALSE(o);
  return error;
}

}  // namespace

TEST_CASE("ingress-nginx's valued flags take --flag=value and --flag value", "[options]") {
  for (bool joined : {true, false}) {
    INFO((joined ? "--flag=value" : "--flag value"));
    auto o = joined ? parse_ok({"--ingress-class=nginx", "--controller-class=k8s.io/ingress-nginx",
                                "--publish-service=ingress-nginx/ingress-nginx-controller",
                                "--default-ssl-certificate=ingress-nginx/default-cert",
                                "--election-id=ingress-nginx-leader", "--watch-namespace=team-a",
                                "--default-backend-service=ingress-nginx/defaultbackend"})
                    : parse_ok({"--ingress-class", "nginx", "--controller-class", "k8s.io/ingress-nginx",
                                "--publish-service", "ingress-nginx/ingress-nginx-controller",
                                "--default-ssl-certificate", "ingress-nginx/default-cert",
                                "--election-id", "ingress-nginx-leader", "--watch-namespace", "team-a",
                                "--default-backend-service", "ingress-nginx/defaultbackend"});
    CHECK(o.translator.ingress_class == "nginx");
    CHECK(o.translator.controller_class == "k8s.io/ingress-nginx");
    CHECK(o.cluster.publish_service == "ingress-nginx/ingress-nginx-controller");
    CHECK(o.translator.default_ssl_certificate == "ingress-nginx/default-cert");
    CHECK(o.cluster.election.id == "ingress-nginx-leader");
    CHECK(o.cluster.watch_namespace == "team-a");
    CHECK(o.default_backend_service == "ingress-nginx/defaultbackend");
  }
}

TEST_CASE("a flag's value may itself hold '=' and only the first one splits", "[options]") {
  auto o = parse_ok({"--election-id=a=b"});
  CHECK(o.cluster.election.id == "a=b");
}

TEST_CASE("boolean flags take strconv.ParseBool's forms after '='", "[options]") {
  struct Case {
    const char* arg;
    bool value;
  };
  const Case cases[] = {
      {"--watch-ingress-without-class", true},        {"--watch-ingress-without-class=true", true},
      {"--watch-ingress-without-class=false", false}, {"--watch-ingress-without-class=1", true},
      {"--watch-ingress-without-class=0", false},     {"--watch-ingress-without-class=t", true},
      {"--watch-ingress-without-class=F", false},     {"--watch-ingress-without-class=TRUE", true},
      {"--watch-ingress-without-class=False", false},
  };
  for (const auto& c : cases) {
    INFO(c.arg);
    CHECK(parse_ok({c.arg}).translator.watch_ingress_without_class == c.value);
  }
  CHECK(parse_ok({}).cluster.update_status);  // ingress-nginx's default
  CHECK_FALSE(parse_ok({"--update-status=false"}).cluster.update_status);
  CHECK(parse_ok({"--update-status=false", "--update-status"}).cluster.update_status);  // the last one wins
  CHECK(parse_ok({"--hsts=true"}).proxy.hsts);
  CHECK_FALSE(parse_ok({"--hsts=0"}).proxy.hsts);
  CHECK(parse_ok({"--enable-underscores-in-headers=T"}).proxy.underscores_in_headers);
  CHECK(parse_ok({"--version"}).version);
  CHECK_FALSE(parse_ok({"--version=false"}).version);
  CHECK(parse_ok({"--help"}).help);
}

TEST_CASE("a boolean flag refuses a value it cannot parse or one written as the next argument", "[options]") {
  CHECK(parse_error({"--update-status=no"}) == "bad value \"no\" for --update-status (true or false)");
  CHECK(parse_error({"--update-status=yes"}) == "bad value \"yes\" for --update-status (true or false)");
  CHECK(parse_error({"--update-status="}) == "bad value \"\" for --update-status (true or false)");
  // pflag would take "false" as a stray argument and leave the flag true.
  CHECK(parse_error({"--update-status", "false"}) == "--update-status is a boolean: write --update-status=false");
  CHECK(parse_error({"--watch-ingress-without-class", "true"}) ==
        "--watch-ingress-without-class is a boolean: write --watch-ingress-without-class=true");
  // A boolean followed by another flag is fine.
  CHECK(parse_ok({"--watch-ingress-without-class", "--ingress-class", "nginx"}).translator.watch_ingress_without_class);
}

TEST_CASE("flags naming an object take namespace/name", "[options]") {
  for (const char* flag : {"--publish-service", "--default-ssl-certificate", "--default-backend-service"}) {
    INFO(flag);
    for (const char* bad : {"name", "/name", "ns/", "a/b/c", ""}) {
      INFO(bad);
      CHECK(parse_error({flag, bad}) == std::string("bad value \"") + bad + "\" for " + flag);
    }
  }
  CHECK(parse_error({"--ingress-class="}) == "bad value \"\" for --ingress-class");
  CHECK(parse_error({"--controller-class", ""}) == "bad value \"\" for --controller-class");
  CHECK(parse_error({"--election-id"}) == "flag --election-id needs a value");
}

TEST_CASE("flags sluice accepts but does not act on yet say so", "[options]") {
  auto o = parse_ok({"--default-backend-service=ingress-nginx/defaultbackend"});
  REQUIRE(o.warnings.size() == 1);
  CHECK(o.warnings[0].find("not supported yet") != std::string::npos);
  CHECK(o.warnings[0].find("ingress-nginx/defaultbackend") != std::string::npos);
  CHECK(parse_ok({}).warnings.empty());

  CHECK_FALSE(parse_ok({"--enable-ssl-passthrough=false"}).enable_ssl_passthrough);
  CHECK(parse_error({"--enable-ssl-passthrough"}).find("not supported yet") != std::string::npos);
  CHECK(parse_error({"--enable-ssl-passthrough=true"}).find("not supported yet") != std::string::npos);
}

TEST_CASE("sluice's defaults stay its own unless the flags name ingress-nginx's", "[options]") {
  auto o = parse_ok({});
  CHECK(o.translator.ingress_class == "sluice");
  CHECK(o.translator.controller_class == "sluice.dev/ingress-controller");
  CHECK(o.cluster.election.id == "sluice-leader");
  CHECK_FALSE(o.translator.watch_ingress_without_class);
  CHECK_FALSE(o.version);
}
