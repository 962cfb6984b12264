#include "bench/kv_benchmarks.h"

#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bench/harness.h"
#include "bench/kv_target.h"
#include "bench/workload.h"

namespace bench {
namespace {

// Every engine here uses 4 KiB pages; file growth is reported in them.
constexpr double kPageBytes = 4096;

Status commit_all(KvTarget& target, const std::vector<Commit>& commits) {
  for (const Commit& c : commits) RETURN_IF_ERROR(target.commit(c));
  return Status();
}

// The filled database that scan and read-random run on, one per engine.
struct Filled {
  OpenDb db;
  bool read = false;  // a scan or a get has run on it since the fill
};

std::map<std::string, Filled>& filled() {
  static std::map<std::string, Filled> f;
  return f;
}

// A filled database and the Meter that timed its fill.
struct FillResult {
  KvTarget* target;
  Meter meter;
};

// Fills a fresh database for `engine` and keeps it as the filled one.
Result<FillResult> fill(const std::string& engine) {
  filled().erase(engine);
  ASSIGN_OR_RETURN(OpenDb db, open_fresh(engine));
  KvTarget* target = db.target.get();
  Meter meter(target);
  RETURN_IF_ERROR(meter.measure([&] { return commit_all(*target, workload().fill_batch()); }));
  filled().insert_or_assign(engine, Filled{std::move(db)});
  return FillResult{target, meter};
}

// The engine's filled database, marked as read; refilled when absent, or when
// `unread` asks for one that nothing has read since its fill (the first scan
// after a fill is what the scan workload measures: LMDB's, for one, is much
// slower than its later ones).
Result<KvTarget*> filled_db(const std::string& engine, bool unread) {
  auto it = filled().find(engine);
  if (it == filled().end() || (unread && it->second.read)) {
    RETURN_IF_ERROR(fill(engine).status());
    it = filled().find(engine);
  }
  it->second.read = true;
  return it->second.db.target.get();
}

void report_file_bytes(benchmark::State& state, KvTarget& target) {
  const Result<FileBytes> bytes = target.file_bytes();
  if (!ok_or_skip(state, bytes.status())) return;
  state.counters["data_bytes"] = static_cast<double>(bytes->data);
  state.counters["log_bytes"] = static_cast<double>(bytes->log);
}

void fill_batch(benchmark::State& state, const std::string& engine) {
  for (auto _ : state) {
    Result<FillResult> f = fill(engine);
    if (!ok_or_skip(state, f.status())) break;
    report_file_bytes(state, *f->target);
    f->meter.report(state, kFillKeys, workload().fill_batch().size());
  }
}

void scan(benchmark::State& state, const std::string& engine) {
  for (auto _ : state) {
    Result<KvTarget*> target = filled_db(engine, /*unread=*/true);
    if (!ok_or_skip(state, target.status())) break;
    Meter meter(*target);
    Result<ScanResult> seen = ScanResult();
    const Status s = meter.measure([&] {
      seen = (*target)->scan();
      return seen.status();
    });
    if (!ok_or_skip(state, s)) break;
    if (seen->keys() != kFillKeys || seen->bytes() != kFillKeys * (kKeySize + kValueSize) || !seen->ordered()) {
      state.SkipWithError(("scan of " + engine + " saw " + std::to_string(seen->keys()) + " keys and " +
                           std::to_string(seen->bytes()) + " bytes" + (seen->ordered() ? "" : " out of order") +
                           "; expected " + std::to_string(kFillKeys) + " keys in order")
                              .c_str());
      break;
    }
    meter.report(state, seen->keys(), 0);
  }
}

void read_random(benchmark::State& state, const std::string& engine) {
  const Workload& w = workload();
  for (auto _ : state) {
    Result<KvTarget*> target = filled_db(engine, /*unread=*/false);
    if (!ok_or_skip(state, target.status())) break;
    KvTarget& t = **target;
    Meter meter(&t);
    uint64_t wrong_values = 0;
    const Status s = meter.measure([&]() -> Status {
      RETURN_IF_ERROR(t.begin_reads());
      // Key and expected value are rebuilt from the index (see workload.h),
      // so the loop's own memory traffic is the sequential index list.
      std::string_view value;
      char key[kKeySize];
      char expected[kValueSize];
      for (uint32_t i : w.read_indices()) {
        write_key(i, key);
        RETURN_IF_ERROR(t.get({key, kKeySize}, &value));
        write_value(i, expected);
        wrong_values += value != std::string_view(expected, kValueSize) ? 1 : 0;
      }
      return t.end_reads();
    });
    if (!ok_or_skip(state, s)) break;
    if (wrong_values != 0) {
      state.SkipWithError((engine + " returned " + std::to_string(wrong_values) + " wrong values").c_str());
      break;
    }
    meter.report(state, w.read_indices().size(), 0);
  }
}

// Times the two halves of fill-sync apart: on a fresh database an engine
// whose log grows during the first half (each sync then also commits the
// file system's journal) shows it here, against the same engine reusing its
// log in place later.
void fill_sync(benchmark::State& state, const std::string& engine) {
  const std::vector<Commit>& commits = workload().fill_sync();
  const size_t half = commits.size() / 2;
  for (auto _ : state) {
    Result<OpenDb> db = open_fresh(engine);
    if (!ok_or_skip(state, db.status())) break;
    KvTarget& target = *db->target;
    Meter meter(&target);
    double half_seconds[2] = {0, 0};
    Status s;
    for (size_t h = 0; h < 2 && s.ok(); ++h) {
      const double before = meter.seconds();
      s = meter.measure([&]() -> Status {
        for (size_t i = h * half; i < (h == 0 ? half : commits.size()); ++i) RETURN_IF_ERROR(target.commit(commits[i]));
        return Status();
      });
      half_seconds[h] = meter.seconds() - before;
    }
    if (!ok_or_skip(state, s)) break;
    report_file_bytes(state, target);
    state.counters["first_half_commits_per_second"] = static_cast<double>(half) / half_seconds[0];
    state.counters["second_half_commits_per_second"] = static_cast<double>(commits.size() - half) / half_seconds[1];
    meter.report(state, commits.size(), commits.size());
  }
}

// Runs every churn cycle, timing only the commits; returns the files' sizes
// after closing the database at the end of the first cycle and at the end.
Status run_churn(KvTarget& target, const std::string& dir, Meter& meter, uint64_t& ops, uint64_t& commits,
                 FileBytes& after_first, FileBytes& at_end) {
  const std::vector<ChurnCycle>& cycles = workload().churn();
  for (size_t c = 0; c < cycles.size(); ++c) {
    RETURN_IF_ERROR(meter.measure([&]() -> Status {
      RETURN_IF_ERROR(commit_all(target, cycles[c].puts));
      return commit_all(target, cycles[c].deletes);
    }));
    ops += op_count(cycles[c].puts) + op_count(cycles[c].deletes);
    commits += cycles[c].puts.size() + cycles[c].deletes.size();
    if (c == 0) {
      RETURN_IF_ERROR(target.close());
      ASSIGN_OR_RETURN(after_first, target.file_bytes());
      RETURN_IF_ERROR(target.open(dir));
    }
  }
  RETURN_IF_ERROR(target.close());
  ASSIGN_OR_RETURN(at_end, target.file_bytes());
  return Status();
}

void churn(benchmark::State& state, const std::string& engine) {
  for (auto _ : state) {
    Result<OpenDb> db = open_fresh(engine);
    if (!ok_or_skip(state, db.status())) break;
    Meter meter(db->target.get());
    uint64_t ops = 0;
    uint64_t commits = 0;
    FileBytes after_first;
    FileBytes at_end;
    if (!ok_or_skip(state, run_churn(*db->target, db->dir.path(), meter, ops, commits, after_first, at_end))) break;
    state.counters["data_bytes_after_first_cycle"] = static_cast<double>(after_first.data);
    state.counters["data_bytes_end"] = static_cast<double>(at_end.data);
    state.counters["log_bytes_end"] = static_cast<double>(at_end.log);
    state.counters["growth_pages_after_first_cycle"] =
        (static_cast<double>(at_end.data) - static_cast<double>(after_first.data)) / kPageBytes;
    meter.report(state, ops, commits);
  }
}

}  // namespace

void add_kv_context() {
  benchmark::AddCustomContext(
      "workload", std::to_string(kKeySize) + "-byte keys, " + std::to_string(kValueSize) + "-byte values, seed " +
                      std::to_string(kSeed) + "; fill-batch " + std::to_string(kFillKeys) + " puts, " +
                      std::to_string(kBatchSize) + " per commit; fill-sync " + std::to_string(kSyncCommits) +
                      " commits of one put; read-random " + std::to_string(kReads) + " gets; churn " +
                      std::to_string(kChurnCycles) + " cycles over " + std::to_string(kChurnKeys) +
                      " keys (put all, delete half)");
  for (const auto& [engine, info] : registered_targets()) benchmark::AddCustomContext("engine." + engine, info.description);
}

void register_kv_workload(KvWorkload w) {
  using Body = void (*)(benchmark::State&, const std::string&);
  static constexpr std::pair<const char*, Body> kBodies[] = {
      {"fill-batch", fill_batch}, {"scan", scan}, {"read-random", read_random}, {"fill-sync", fill_sync}, {"churn", churn}};
  const auto& [name, body] = kBodies[static_cast<size_t>(w)];
  for (const auto& entry : registered_targets()) {
    benchmark::RegisterBenchmark((std::string(name) + "/" + entry.first).c_str(), body, entry.first)
        ->Iterations(1)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
  }
}

void close_filled_databases() { filled().clear(); }

Result<OpenDb> open_fresh(const std::string& engine) {
  ASSIGN_OR_RETURN(BenchDir dir, fresh_dir(engine));
  std::unique_ptr<KvTarget> target = registered_targets().at(engine).make();
  RETURN_IF_ERROR(target->open(dir.path()).with("open " + engine + " in " + dir.path()));
  return OpenDb{std::move(dir), std::move(target)};
}

Result<OpenDb> take_filled_db(const std::string& engine) {
  if (!filled().contains(engine)) RETURN_IF_ERROR(fill(engine).status());
  return std::move(filled().extract(engine).mapped().db);
}

}  // namespace bench
