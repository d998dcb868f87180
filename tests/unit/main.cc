// The Catch2 entry point for every unit test in tests/unit.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
