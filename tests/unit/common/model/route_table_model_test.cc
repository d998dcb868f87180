// RouteTable::match against a plain model of the Ingress v1 rules, written
// from the spec rather than from the index (a linear scan over the routes),
// on random tables and requests: any shortcut the index takes (bit masks,
// inline root, hashing) must give exactly the model's answer.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "tests/unit/backend_fixture.h"

#include "common/model/route_table.h"
#include "common/strings.h"

using namespace sluice;

namespace {

struct ModelRoute {
  std::string host;  // "", "a.b", "*.b"
  std::string path;  // Prefix: normalised
  PathMatch match;
  bool is_default;
  std::string backend;
};

// Prefix `p` matches path `t` (already without trailing '/') on segment boundaries.
bool prefix_covers(const std::string& p, std::string_view t) {
  if (p == "/") return t.starts_with('/');
  return !p.empty() && t.starts_with(p) && (t.size() == p.size() || t[p.size()] == '/');
}

std::string model_match(const std::vector<ModelRoute>& routes, std::string_view raw_host, std::string_view path) {
  path = path.substr(0, std::min(path.find('?'), path.find('#')));
  char buf[max_host_length];
  const std::string host(normalize_host(raw_host, buf));
  auto dot = host.find('.');
  const std::string wildcard = dot != std::string::npos && dot > 0 ? "*" + host.substr(dot) : "";
  // The rule host that applies: exact, then wildcard, then none ("").
  std::string rule_host;
  for (const auto& r : routes) if (!host.empty() && r.host == host) rule_host = host;
  if (rule_host.empty())
    for (const auto& r : routes) if (!wildcard.empty() && r.host == wildcard) rule_host = wildcard;

  std::string_view trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.remove_suffix(1);
  const ModelRoute* best = nullptr;
  for (const auto& r : routes) {
    if (r.host != rule_host || r.is_default) continue;
    if (r.match == PathMatch::exact && r.path == path) return r.backend;
    if (r.match == PathMatch::prefix && prefix_covers(r.path, trimmed) && (!best || r.path.size() > best->path.size()))
      best = &r;
  }
  if (best) return best->backend;
  for (const auto& r : routes) if (r.is_default && r.host == rule_host) return r.backend;
  for (const auto& r : routes) if (r.is_default && r.host.empty()) return r.backend;
  return "404";
}

struct Random {
  std::mt19937 rng;
  std::size_t below(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); }
  template <typename T, std::size_t N>
  const T& pick(const T (&options)[N]) { return options[below(N)]; }

  std::string path() {
    static const char* const segments[] = {"a", "b", "ab", "", "a.b"};
    std::string p = below(8) ? "/" : "";
    for (std::size_t n = below(5); n > 0; --n) p += std::string(pick(segments)) + (n > 1 ? "/" : "");
    if (below(4) == 0) p += "/";
    return p;
  }
};

}  // namespace

TEST_CASE("match agrees with a linear model of the Ingress rules on random tables", "[router]") {
  static const char* const rule_hosts[] = {"", "", "a.x", "b.x", "*.x", "*.a.x", "y", "*.y"};
  static const char* const request_hosts[] = {"a.x", "A.X:80", "b.x", "c.x", "q.a.x", "x", "y", "z.y", "other", ".x", ""};
  Random r{std::mt19937(20240611)};
  for (int round = 0; round < 300; ++round) {
    test::RouteTableFixtureForTest f;
    std::vector<ModelRoute> model;
    for (std::size_t n = 1 + r.below(12); n > 0; --n) {
      ModelRoute m{r.pick(rule_hosts), r.path(), r.below(3) ? PathMatch::prefix : PathMatch::exact, r.below(8) == 0,
                   "b" + std::to_string(model.size())};
      if (m.match == PathMatch::prefix) m.path = normalize_prefix(m.path);
      const bool taken = std::any_of(model.begin(), model.end(), [&](const ModelRoute& o) {
        return o.host == m.host && o.is_default == m.is_default &&
               (m.is_default || (o.path == m.path && o.match == m.match));
      });
      const Route route{.host = m.host, .path = m.path, .match = m.match, .backend = f.backend(m.backend)};
      CHECK((m.is_default ? f.builder.set_default(route) : f.builder.add_route(route)) == !taken);
      if (!taken) model.push_back(m);
    }
    auto t = std::move(f.builder).build(1);
    for (int q = 0; q < 40; ++q) {
      const std::string host = r.pick(request_hosts);
      const std::string path = r.path() + (r.below(4) == 0 ? "?q=/a" : "");
      auto m = t->match(host, path);
      INFO("round " << round << ": " << host << " " << path << "\n" << t->dump());
      CHECK((m.route ? m.backend->name : "404") == model_match(model, host, path));
    }
  }
}
