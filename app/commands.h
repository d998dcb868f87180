// The sub-commands of the sluice binary, each a function main() dispatches to.
#pragma once

namespace sluice::app {

// `sluice [flags]`: the proxy and controller. argv excludes nothing.
int run_proxy_command(int argc, char** argv);
// `sluice echo --listen ADDR:PORT [--name NAME]`: argv[0] is "echo".
int run_echo_command(int argc, char** argv);
// `sluice ctl VIEW [URL] [--admin ADDR:PORT] [-o json]`: argv[0] is "ctl".
int run_ctl_command(int argc, char** argv);
// `sluice ctl lint [PATH...] [-o json] [--strict]`: argv[0] is "lint".
int run_ctl_lint(int argc, char** argv);
// `sluice ctl annotations [-o table|markdown|json]`: argv[0] is "annotations".
int run_ctl_annotations(int argc, char** argv);

}  // namespace sluice::app
