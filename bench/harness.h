// What every benchmark in kv_bench shares: the run directory, and a Meter
// that times a fixed amount of work and reports it with its sync costs.
//
// Each workload is a fixed amount of work run once (Iterations(1) with
// UseManualTime), so the reported time is exactly the measured part: setup
// such as opening a fresh database or refilling it is left out. The Meter
// reports, besides time and items_per_second:
//   commits                    durable commits in the measured part
//   syncs_per_commit           sync calls per commit counted inside the
//                              engine's process (ours: in its Vfs; the raw
//                              loops: their own calls); absent when the
//                              engine cannot be counted that way
//   device_flushes_per_commit  flushes the disk under the run directory
//                              completed, per commit (see bench_env.h)
//   cpu_ns_per_op              CPU time of the measuring thread per item: on
//                              a shared machine, where wall time depends on
//                              what else runs, the steadier figure for the
//                              CPU-bound workloads (every engine here does
//                              its work in the calling thread); for the
//                              concurrent workloads (CpuClock::kProcess) the
//                              CPU time of every thread of the process
#pragma once

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "bench/bench_env.h"
#include "bench/kv_target.h"

namespace bench {

// Creates the run directory under bench_root() and finds its device; call
// once before the benchmarks run. Adds the run's context (directory, file
// system, device) to the benchmark output.
Status init_run();
// Removes the run directory and everything left in it.
void end_run();
// A fresh, empty directory inside the run directory.
Result<BenchDir> fresh_dir(const std::string& name);

// Whose CPU time a Meter counts: the measuring thread's, or the whole
// process's when the measured work runs on threads of its own.
enum class CpuClock : uint8_t { kThread, kProcess };

class Meter {
 public:
  // `target` (may be null) is asked for its sync count around each measure().
  explicit Meter(const KvTarget* target = nullptr, CpuClock clock = CpuClock::kThread)
      : target_(target), clock_(clock) {}

  // Runs `body` (returning a Status) and adds its wall time, the device
  // flushes and the target's syncs during it to the totals.
  template <class Body>
  Status measure(Body&& body) {
    const Sample before = sample();
    const double cpu_start = cpu_seconds();
    const auto start = std::chrono::steady_clock::now();
    const Status s = body();
    const auto stop = std::chrono::steady_clock::now();
    cpu_seconds_ += cpu_seconds() - cpu_start;
    seconds_ += std::chrono::duration<double>(stop - start).count();
    add(before, sample());
    return s;
  }

  // Syncs that the measured code made itself rather than through a target.
  void add_syncs(uint64_t n) { syncs_ = syncs_.value_or(0) + n; }

  double seconds() const { return seconds_; }

  // Sets the iteration time and the counters listed above.
  void report(benchmark::State& state, uint64_t items, uint64_t commits) const;

 private:
  struct Sample {
    std::optional<uint64_t> flushes;
    std::optional<uint64_t> syncs;
  };
  Sample sample() const;
  void add(const Sample& before, const Sample& after);
  double cpu_seconds() const;

  const KvTarget* target_;
  CpuClock clock_;
  double seconds_ = 0;
  double cpu_seconds_ = 0;
  std::optional<uint64_t> flushes_ = 0;  // nullopt once any sample lacked the counter
  std::optional<uint64_t> syncs_;
};

// Ends the benchmark with `s` as its error when `s` is not OK; returns s.ok().
bool ok_or_skip(benchmark::State& state, const Status& s);

}  // namespace bench
