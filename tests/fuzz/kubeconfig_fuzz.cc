// kubeconfig parsing (controller/source/k8s/cluster_config.*) from text: it
// either gives a config with a usable server or throws one runtime_error;
// nothing else escapes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "controller/source/k8s/cluster_config.h"

using namespace sluice::controller;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // File references are read: keep the fuzzer away from files that never
  // end or block (an operator's kubeconfig may name them; input here may not).
  // A backslash could spell such a path in a double-quoted YAML scalar.
  for (std::string_view special : {"/dev", "/proc", "/sys", "/run", "\\"})
    if (text.find(special) != std::string_view::npos) return 0;
  try {
    const kube::ClusterConfig c = kube::parse_kubeconfig(text, "/nonexistent/sluice-fuzz");
    if (c.host.empty() || c.port.empty()) {
      std::fprintf(stderr, "fuzz: a kubeconfig without host or port was accepted\n%.*s\n",
                   static_cast<int>(size), text.data());
      std::abort();
    }
  } catch (const std::runtime_error&) {
  }
  return 0;
}
