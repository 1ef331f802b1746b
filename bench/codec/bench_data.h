#pragma once
// Fixture bytes for the codec benchmarks: the files under tests/data (RCC_BENCH_DATA is that
// directory, set by bench/codec/CMakeLists.txt).

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace rcc::bench {

inline std::string read_fixture(const std::string& relative) {
  std::ifstream in(std::string(RCC_BENCH_DATA) + "/" + relative, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read fixture " + relative);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace rcc::bench
