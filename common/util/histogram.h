#pragma once
// A latency histogram with fixed bucket bounds, Prometheus style: counts[i] holds the
// observations <= bounds[i] (not cumulative here; the exposition adds them up), the last count
// the rest (+Inf).
//
//   Histogram h;                 // default bounds: 0.25 ms .. 10 s
//   h.observe(0.0012);           // seconds

#include <cstdint>
#include <vector>

namespace rcc::util {

struct Histogram {
  std::vector<double> bounds = {0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                0.1,     0.25,   0.5,   1,      2.5,   5,    10};
  std::vector<std::uint64_t> counts = std::vector<std::uint64_t>(bounds.size() + 1, 0);
  double sum = 0;
  std::uint64_t count = 0;

  void observe(double seconds) {
    std::size_t i = 0;
    while (i < bounds.size() && seconds > bounds[i])
      ++i;
    ++counts[i];
    sum += seconds;
    ++count;
  }
};

}  // namespace rcc::util
