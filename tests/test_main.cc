// Catch2 main for every test executable. Tests find the source tree, the test data and the
// build tree through RCC_SOURCE_DIR, RCC_TEST_DATA and RCC_BUILD_DIR; they are set here (unless
// the caller set them) so that a test binary run by hand behaves as under ctest.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>

int main(int argc, char** argv) {
  setenv("RCC_SOURCE_DIR", RCC_SOURCE_DIR_DEFAULT, 0);
  setenv("RCC_TEST_DATA", RCC_TEST_DATA_DEFAULT, 0);
  setenv("RCC_BUILD_DIR", RCC_BUILD_DIR_DEFAULT, 0);
  return Catch::Session().run(argc, argv);
}
