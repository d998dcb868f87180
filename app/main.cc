// sluice: dispatches to a sub-command; start-up exceptions end here.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string_view>

#include "app/commands.h"

namespace {

// Installed as kubectl-sluice (a symlink), the binary is a kubectl plugin:
// `kubectl sluice lint|explain|ingresses|backends` is `sluice ctl ...`.
bool called_as_kubectl_plugin(const char* argv0) {
  std::string_view name(argv0 ? argv0 : "");
  if (auto slash = name.rfind('/'); slash != std::string_view::npos) name.remove_prefix(slash + 1);
  return name == "kubectl-sluice";
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (called_as_kubectl_plugin(argv[0])) return sluice::app::run_ctl_command(argc, argv);
    if (argc > 1 && std::strcmp(argv[1], "echo") == 0)
      return sluice::app::run_echo_command(argc - 1, argv + 1);
    if (argc > 1 && std::strcmp(argv[1], "ctl") == 0)
      return sluice::app::run_ctl_command(argc - 1, argv + 1);
    return sluice::app::run_proxy_command(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sluice: %s\n", e.what());
    return 1;
  }
}
