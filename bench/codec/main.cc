// codec_bench's main: Google Benchmark's console table, then messages per second and the ratios
// registered in ratio.h, each computed from runs of this same process.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "ratio.h"

namespace {

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  // Colours only on a terminal: the figures are often redirected into a note.
  RatioReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_Defaults : OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) {
      if (r.error_occurred || r.run_type != Run::RT_Iteration || r.iterations == 0) continue;
      // CPU seconds per message: on a shared machine wall time also counts other processes.
      seconds_[r.benchmark_name()] = r.cpu_accumulated_time / double(r.iterations);
    }
    ConsoleReporter::ReportRuns(runs);
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\nmessages per second (CPU time)\n");
    for (const auto& [name, s] : seconds_)
      std::printf("  %-44s %12.0f msg/s\n", name.c_str(), 1 / s);
    if (rcc::bench::ratios().empty()) return;
    std::printf("\nratios (CPU time per message, same run)\n");
    for (const auto& ratio : rcc::bench::ratios()) {
      const auto n = seconds_.find(ratio.numerator);
      const auto d = seconds_.find(ratio.denominator);
      if (n == seconds_.end() || d == seconds_.end()) continue;  // filtered out
      const double x = n->second / d->second;
      std::printf("  %-60s %6.2fx", ratio.label.c_str(), x);
      if (ratio.goal > 0)
        std::printf("  (goal <= %.2fx: %s)", ratio.goal, x <= ratio.goal ? "met" : "NOT met");
      std::printf("\n");
    }
  }

 private:
  std::map<std::string, double> seconds_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
