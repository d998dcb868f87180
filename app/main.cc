// sluice: dispatches to a sub-command; start-up exceptions end here.
#include <cstdio>
#include <cstring>
#include <exception>

#include "app/commands.h"

int main(int argc, char** argv) {
  try {
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
