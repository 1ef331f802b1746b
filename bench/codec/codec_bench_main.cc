// codec_bench: runs every registered codec benchmark, then prints, for each
// "<operation>/<message>" group, messages per second of each implementation and the ratio of
// ours ("rcc") to each of the others (above 1: ours is faster; for a ceiling such as memchr,
// below 1 is expected and says how close we come).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace {

class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& run : runs) {
      if (run.error_occurred || run.run_type != Run::RT_Iteration) continue;
      const std::string name = run.benchmark_name();
      const auto slash = name.rfind('/');
      if (slash == std::string::npos) continue;
      const auto it = run.counters.find("items_per_second");
      if (it == run.counters.end()) continue;
      rates_[name.substr(0, slash)].emplace_back(name.substr(slash + 1), double(it->second));
    }
  }

  void Summary() const {
    std::printf("\n%-44s %-8s %14s %10s\n", "operation/message", "impl", "messages/s", "rcc/impl");
    for (const auto& [group, impls] : rates_) {
      double ours = 0;
      for (const auto& [impl, rate] : impls)
        if (impl == "rcc") ours = rate;
      for (const auto& [impl, rate] : impls) {
        if (impl == "rcc" || ours == 0) {
          std::printf("%-44s %-8s %14.0f %10s\n", group.c_str(), impl.c_str(), rate, "");
        } else {
          std::printf("%-44s %-8s %14.0f %9.2fx\n", group.c_str(), impl.c_str(), rate, ours / rate);
        }
      }
    }
  }

 private:
  std::map<std::string, std::vector<std::pair<std::string, double>>> rates_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.Summary();
  benchmark::Shutdown();
  return 0;
}
