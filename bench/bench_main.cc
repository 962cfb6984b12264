// kv_bench: every workload on every engine compiled in, plus the raw fsync
// limits, in one process and one run. bench/run_all.sh runs it and prints
// the table; docs/benchmarks.md explains the figures.
//
// Run order: workload by workload, every engine in turn, with the two raw
// sync loops on either side of fill-sync, so that figures compared with each
// other are measured moments apart; then the concurrent workloads, thread
// count by thread count (bench/concurrent_benchmarks.h).
#include <benchmark/benchmark.h>

#include <iostream>

#include "bench/concurrent_benchmarks.h"
#include "bench/fsync_limit.h"
#include "bench/harness.h"
#include "bench/kv_benchmarks.h"

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const bench::Status s = bench::init_run();
  if (!s.ok()) {
    std::cerr << "kv_bench: " << s.to_string() << "\n";
    return 1;
  }
  using bench::KvWorkload;
  bench::add_kv_context();
  bench::register_kv_workload(KvWorkload::kFillBatch);
  bench::register_kv_workload(KvWorkload::kScan);
  bench::register_kv_workload(KvWorkload::kReadRandom);
  bench::register_fsync_limit(bench::SyncLoop::kOverwrite);
  bench::register_kv_workload(KvWorkload::kFillSync);
  bench::register_fsync_limit(bench::SyncLoop::kAppend);
  bench::register_kv_workload(KvWorkload::kChurn);
  bench::register_read_while_write();
  bench::register_fill_sync_concurrent();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  bench::close_filled_databases();
  bench::end_run();
  return 0;
}
