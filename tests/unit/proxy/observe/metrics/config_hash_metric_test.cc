// nginx_ingress_controller_config_hash in /metrics: the current snapshot's
// content hash as a float gauge with ingress-nginx's constant labels, 0
// before there is a snapshot.
#include <catch2/catch.hpp>

#include "tests/unit/backend_fixture.h"

#include "proxy/observe/metrics/metrics_endpoint.h"

using namespace sluice;

namespace {

std::string line_of(const std::string& text, std::string_view name) {
  for (std::size_t at = 0; at < text.size();) {
    const auto end = text.find('\n', at);
    std::string_view line(text.data() + at, (end == std::string::npos ? text.size() : end) - at);
    if (line.starts_with(name) && (line.size() > name.size() && (line[name.size()] == '{' || line[name.size()] == ' ')))
      return std::string(line);
    at = end == std::string::npos ? text.size() : end + 1;
  }
  return "";
}

}  // namespace

TEST_CASE("the config hash gauge is the snapshot's content hash with the controller labels", "[metrics][hash]") {
  std::shared_ptr<const RouteTable> table;
  metrics::MetricsSources sources;
  sources.labels = {"k8s.io/ingress-nginx", "ingress-nginx", "controller-0"};
  sources.snapshot = [&table] { return table; };
  const std::string series =
      "nginx_ingress_controller_config_hash{controller_class=\"k8s.io/ingress-nginx\","
      "controller_namespace=\"ingress-nginx\",controller_pod=\"controller-0\"} ";

  // Before the first snapshot: 0, as ingress-nginx's gauge before its first reload.
  std::string text = metrics::render_metrics(sources);
  CHECK(text.find("# TYPE nginx_ingress_controller_config_hash gauge\n") != std::string::npos);
  CHECK(line_of(text, "nginx_ingress_controller_config_hash") == series + "0");

  RouteTableBuilder b;
  test::add_dev_route_for_test(b, test::service_backend_for_test("default", "dev", "80"));
  table = std::move(b).build(3);
  std::string value;
  metrics::append_number(value, static_cast<double>(table->content_hash()));
  text = metrics::render_metrics(sources);
  CHECK(line_of(text, "nginx_ingress_controller_config_hash") == series + value);
  CHECK(value != "0");

  // No snapshot source (a proxy without a controller): no family at all.
  sources.snapshot = nullptr;
  CHECK(metrics::render_metrics(sources).find("config_hash") == std::string::npos);
}
