// States checked per second, per persistence model, on a fixed churn scenario.
//
// The workload is recorded once; each iteration checks every crash state the
// model allows (with the default options: the continuation's new commits after
// each recovery, and every nested crash state of each state to depth 1, inside
// its recovery and after those commits) with 1 and 2 jobs. Counters:
//   states/s   crash states considered (top-level and nested, duplicates included)
//   checked/s  distinct states actually reopened and judged
// Figures are written up in docs/crash-models.md.
//
// BM_LongWorkload (issue 18) checks lose-unsynced on a workload of N commits
// (4 KiB pages, values of 100-400 bytes, a checkpoint every 100 commits), 200
// states sampled from every crash point, 2 jobs: states/s (crash states
// considered per second of the model's run), checked/s, and peak_MiB, the
// process's peak resident memory (run one N per process to read it per N:
// crashsim/scale_plot.py does, and plots states/s against N).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>

#include "crashsim/engine_adapter.h"
#include "crashsim/simulator.h"

namespace crashsim {
namespace {

engine::Options churn_engine_options() {
  engine::Options o;
  o.page_size = 4096;
  o.checkpoint_every_commits = 8;
  return o;
}

// ~60 transactions of 1-4 small puts, deletes and gets over 64 keys, a reopen every 25.
Scenario churn_scenario() {
  Scenario s;
  s.name = "bench-churn";
  s.workload.generator = GeneratorSpec{.seed = 7, .transactions = 60, .key_space = 64, .reopen_every = 25};
  return s;
}

const Recording& churn_recording(SystemUnderTest& sut) {
  static const Recording recording = [&sut] {
    auto r = Simulator(sut).record(churn_scenario());
    if (!r.ok()) {
      std::fprintf(stderr, "recording the churn scenario failed: %s\n", r.status().to_string().c_str());
      std::abort();
    }
    return std::move(r).value();
  }();
  return recording;
}

void BM_CheckModel(benchmark::State& state) {
  const auto kind = static_cast<ModelKind>(state.range(0));
  EngineSystem sut(churn_engine_options());
  const Recording& recording = churn_recording(sut);
  SimulationOptions options;
  options.models = {ModelConfig{.kind = kind}};
  options.jobs = static_cast<unsigned>(state.range(1));
  options.classify_causes = false;
  const Simulator sim(sut);
  double states = 0;
  double checked = 0;
  for (auto _ : state) {
    const ScenarioResult r = sim.check("bench-churn", recording, options);
    if (!r.error.empty()) {
      state.SkipWithError(r.error.c_str());
      return;
    }
    const Coverage& c = r.models.front().coverage;
    states += static_cast<double>(c.states_generated + c.recovery_states_generated);
    checked += static_cast<double>(c.states_checked + c.recovery_states_checked);
  }
  state.SetLabel(std::string(model_name(kind)) + " jobs=" + std::to_string(options.jobs));
  state.counters["states/s"] = benchmark::Counter(states, benchmark::Counter::kIsRate);
  state.counters["checked/s"] = benchmark::Counter(checked, benchmark::Counter::kIsRate);
}

Scenario long_scenario(uint32_t commits) {
  Scenario s;
  s.name = "bench-long-" + std::to_string(commits);
  s.workload.generator = GeneratorSpec{.seed = 18,
                                       .transactions = commits,
                                       .key_space = 1000000,
                                       .min_value_size = 100,
                                       .max_value_size = 400,
                                       .put_weight = 80,
                                       .delete_weight = 10,
                                       .get_weight = 10};
  return s;
}

void BM_LongWorkload(benchmark::State& state) {
  const auto commits = static_cast<uint32_t>(state.range(0));
  engine::Options engine_options;
  engine_options.page_size = 4096;
  engine_options.checkpoint_every_commits = 100;
  EngineSystem sut(engine_options);
  auto recording = Simulator(sut).record(long_scenario(commits));
  if (!recording.ok()) {
    state.SkipWithError(recording.status().to_string().c_str());
    return;
  }
  SimulationOptions options;
  options.models = {ModelConfig{.kind = ModelKind::kLoseUnsynced}};
  options.jobs = 2;
  options.max_states = 200;
  options.nesting.depth = 0;
  options.classify_causes = false;
  const Simulator sim(sut);
  double states = 0;
  double checked = 0;
  double seconds = 0;
  for (auto _ : state) {
    const ScenarioResult r = sim.check("bench-long", *recording, options);
    if (!r.error.empty()) {
      state.SkipWithError(r.error.c_str());
      return;
    }
    const ModelResult& m = r.models.front();
    states += static_cast<double>(m.coverage.states_generated);
    checked += static_cast<double>(m.coverage.states_checked);
    seconds += m.seconds;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  state.counters["states/s"] = states / seconds;
  state.counters["checked/s"] = checked / seconds;
  state.counters["peak_MiB"] = static_cast<double>(usage.ru_maxrss) / 1024;
}

BENCHMARK(BM_LongWorkload)
    ->Arg(200)
    ->Arg(1000)
    ->Arg(5000)
    ->Arg(50000)
    ->ArgName("commits")
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

BENCHMARK(BM_CheckModel)
    ->ArgsProduct({{static_cast<int>(ModelKind::kProcessCrash), static_cast<int>(ModelKind::kLoseUnsynced),
                    static_cast<int>(ModelKind::kReorder), static_cast<int>(ModelKind::kTorn),
                    static_cast<int>(ModelKind::kCorrupt)},
                   {1, 2}})
    ->ArgNames({"model", "jobs"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace crashsim

BENCHMARK_MAIN();
