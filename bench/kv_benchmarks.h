// The workloads of workload.h as Google Benchmarks, one per registered
// KvTarget, named "<workload>/<engine>" (e.g. "fill-batch/lmdb").
//
// Each runs once (a fixed amount of work):
//   fill-batch   a fresh database; the filled database is kept open (one per engine)
//   scan         the first pass over that database after its fill (nothing
//                has read it yet)
//   read-random  on the same database, inside one read transaction
//   fill-sync    a fresh database
//   churn        a fresh database; closed and reopened after the first cycle
//                and closed at the end, to report its files' sizes as a user
//                would find them (after the engine's own close-time work)
// scan and read-random refill (untimed) when they find no suitable filled
// database, e.g. under --benchmark_filter, with repetitions or in random
// interleaving, so each always measures what its name says.
//
// bench_main.cc registers them workload by workload, every engine in turn, so
// that the figures compared in one row are taken within seconds of each other
// on a machine whose load may drift.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "bench/bench_env.h"
#include "bench/kv_target.h"

namespace bench {

// In registration (and run) order.
enum class KvWorkload : uint8_t { kFillBatch, kScan, kReadRandom, kFillSync, kChurn };

// Adds the workload definition and every engine's description to the context.
void add_kv_context();
// Registers `w` for every registered engine.
void register_kv_workload(KvWorkload w);
// Closes the databases kept open between fill-batch, scan and read-random.
void close_filled_databases();

// A database in a directory of its own. Members are destroyed in reverse
// order: the target (which closes its files) before the directory goes.
struct OpenDb {
  BenchDir dir;
  std::unique_ptr<KvTarget> target;
};

// A fresh, empty database of `engine`, open.
Result<OpenDb> open_fresh(const std::string& engine);
// The engine's filled database (fill-batch's), taken out of the ones scan and
// read-random share, for a workload that writes more into it: filled first
// when there is none; the next of those workloads fills another.
Result<OpenDb> take_filled_db(const std::string& engine);

}  // namespace bench
