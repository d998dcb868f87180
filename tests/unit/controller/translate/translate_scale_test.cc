// Not run by default ([.]): times decoding a 10,000-Ingress LIST body and a
// full translation of 10,000 Ingresses, and prints the numbers. Run with
//   unit_controller "[scale]"
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "common/k8s/json_value.h"
#include "common/k8s/object.h"
#include "controller/object_store.h"
#include "controller/translate/translator.h"

namespace sluice::controller {
namespace {

using clock_type = std::chrono::steady_clock;

std::string ingress_json(int i) {
  const std::string n = std::to_string(i);
  const std::string svc = "svc-" + std::to_string(i % 100);
  return R"({"metadata":{"name":"ing-)" + n + R"(","namespace":"ns-)" + std::to_string(i % 50) +
         R"(","uid":"u-)" + n + R"(","resourceVersion":")" + n +
         R"(","creationTimestamp":"2024-05-01T10:00:00Z","annotations":{"a":"b"}},"spec":{"ingressClassName":"sluice","rules":[{"host":"h)" +
         n + R"(.example.com","http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":")" + svc +
         R"(","port":{"number":80}}}},{"path":"/api/v)" + n + R"(","pathType":"Exact","backend":{"service":{"name":")" +
         svc + R"(","port":{"number":80}}}}]}}]}})";
}

double median_ms(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

TEST_CASE("decode and translate 10,000 Ingresses", "[.][scale]") {
  constexpr int count = 10'000;
  std::string list = R"({"kind":"IngressList","apiVersion":"networking.k8s.io/v1","metadata":{"resourceVersion":"1"},"items":[)";
  for (int i = 0; i < count; ++i) list += (i ? "," : "") + ingress_json(i);
  list += "]}";

  ObjectStore store;
  std::vector<double> decode_ms;
  for (int round = 0; round < 5; ++round) {
    const auto t0 = clock_type::now();
    std::string error;
    auto root = k8s::parse_json(list, error);
    REQUIRE(root);
    int ok = 0;
    for (auto& item : root->member("items")->elements()) {
      std::shared_ptr<const k8s::Value> v = std::move(item);
      auto r = k8s::decode_object(k8s::with_type_meta(v, "networking.k8s.io/v1", "Ingress"));
      REQUIRE(r.object);
      if (round == 0) store.upsert(*r.object);
      ++ok;
    }
    decode_ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
    REQUIRE(ok == count);
  }
  for (int s = 0; s < 100; ++s) {
    for (int ns = 0; ns < 50; ++ns) {
      const std::string name = "svc-" + std::to_string(s), space = "ns-" + std::to_string(ns);
      std::string error;
      auto svc = k8s::parse_json(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":")" + name +
                                     R"(","namespace":")" + space + R"("},"spec":{"ports":[{"name":"http","port":80,"targetPort":8080}]}})",
                                 error);
      store.upsert(*k8s::decode_object(svc).object);
      auto slice = k8s::parse_json(
          R"({"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":")" + name +
              R"(-x","namespace":")" + space + R"(","labels":{"kubernetes.io/service-name":")" + name +
              R"("}},"addressType":"IPv4","ports":[{"name":"http","port":8080}],"endpoints":[{"addresses":["10.0.0.1"]},{"addresses":["10.0.0.2"]}]})",
          error);
      store.upsert(*k8s::decode_object(slice).object);
    }
  }

  TranslatorOptions options;
  std::vector<double> translate_ms;
  TranslationResult result;
  for (int round = 0; round < 5; ++round) {
    const auto t0 = clock_type::now();
    result = translate(store, options, round + 1);
    translate_ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
  }
  CHECK(result.counts.ingresses_served == count);
  CHECK(result.counts.routes == 2 * count);
  std::printf("10,000 Ingresses: LIST body %.1f MiB, parse+decode median %.1f ms; "
              "translate (%zu routes, %zu backends) median %.1f ms, min %.1f ms\n",
              static_cast<double>(list.size()) / (1 << 20), median_ms(decode_ms), result.counts.routes,
              result.counts.backends, median_ms(translate_ms),
              *std::min_element(translate_ms.begin(), translate_ms.end()));
}

}  // namespace
}  // namespace sluice::controller
