// The Catch2 entry point for every unit test in tests/unit. Logs are kept to
// errors so test output shows test results; SLUICE_TEST_LOG=debug shows all.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>

#include "common/log.h"

int main(int argc, char** argv) {
  sluice::log::level level = sluice::log::level::error;
  if (const char* wanted = std::getenv("SLUICE_TEST_LOG")) sluice::log::parse_level(wanted, level);
  sluice::log::set_level(level);
  return Catch::Session().run(argc, argv);
}
