#include "bench/harness.h"

#include <time.h>

#include <iostream>
#include <memory>
#include <string>

namespace bench {
namespace {

struct RunState {
  BenchDir dir;
  std::optional<DeviceFlushCounter> flushes;
};

std::unique_ptr<RunState>& run_state() {
  static std::unique_ptr<RunState> state;
  return state;
}

}  // namespace

Status init_run() {
  const std::string root = bench_root();
  ASSIGN_OR_RETURN(std::string fs, filesystem_type(root));
  ASSIGN_OR_RETURN(BenchDir dir, BenchDir::create(root, "btreekv-bench"));
  auto state = std::make_unique<RunState>(RunState{std::move(dir), DeviceFlushCounter::for_path(root)});
  benchmark::AddCustomContext("bench_dir", state->dir.path());
  benchmark::AddCustomContext("bench_fs", fs);
  benchmark::AddCustomContext("bench_device", state->flushes ? state->flushes->device() : "unknown (no flush counter)");
  if (fs == "tmpfs") {
    std::cerr << "warning: " << root << " is tmpfs, where a sync costs nothing; "
              << "set BENCH_DIR to a directory on a disk for durable figures that mean anything\n";
  }
  run_state() = std::move(state);
  return Status();
}

void end_run() { run_state().reset(); }

Result<BenchDir> fresh_dir(const std::string& name) {
  if (!run_state()) return Status::invalid_argument("fresh_dir " + name + ": init_run() has not been called");
  return BenchDir::create(run_state()->dir.path(), name);
}

Meter::Sample Meter::sample() const {
  Sample s;
  if (run_state() && run_state()->flushes) s.flushes = run_state()->flushes->read();
  if (target_ != nullptr) s.syncs = target_->syncs();
  return s;
}

double Meter::cpu_seconds() const {
  timespec ts{};
  ::clock_gettime(clock_ == CpuClock::kThread ? CLOCK_THREAD_CPUTIME_ID : CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void Meter::add(const Sample& before, const Sample& after) {
  if (flushes_ && before.flushes && after.flushes) {
    *flushes_ += *after.flushes - *before.flushes;
  } else {
    flushes_.reset();
  }
  if (before.syncs && after.syncs) add_syncs(*after.syncs - *before.syncs);
}

void Meter::report(benchmark::State& state, uint64_t items, uint64_t commits) const {
  state.SetIterationTime(seconds_);
  state.SetItemsProcessed(static_cast<int64_t>(items));
  if (items != 0) state.counters["cpu_ns_per_op"] = cpu_seconds_ * 1e9 / static_cast<double>(items);
  if (commits == 0) return;
  const auto per_commit = [commits](uint64_t n) { return static_cast<double>(n) / static_cast<double>(commits); };
  state.counters["commits"] = static_cast<double>(commits);
  if (syncs_) state.counters["syncs_per_commit"] = per_commit(*syncs_);
  if (flushes_) state.counters["device_flushes_per_commit"] = per_commit(*flushes_);
}

bool ok_or_skip(benchmark::State& state, const Status& s) {
  if (!s.ok()) state.SkipWithError(s.to_string().c_str());
  return s.ok();
}

}  // namespace bench
