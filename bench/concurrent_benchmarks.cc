#include "bench/concurrent_benchmarks.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bench/crew.h"
#include "bench/harness.h"
#include "bench/kv_benchmarks.h"
#include "bench/kv_target.h"
#include "bench/workload.h"

namespace bench {
namespace {

constexpr int kReaderCounts[] = {1, 2};
constexpr int kWriterCounts[] = {1, 2, 4, 8, 16};

// Ours and the peers issue 16 names (those compiled in run): engines whose
// readers do not wait for a writer, and for concurrent writers also LevelDB,
// which groups their syncs. SQLite's rollback journal is left out of both: a
// reader waits out every commit there, and concurrent writers starve one
// another past any busy timeout (2 writers failed with "database is locked"
// after 10 s when it was tried).
constexpr std::string_view kReadWhileWriteEngines[] = {"btreekv", "lmdb", "sqlite-wal"};
constexpr std::string_view kFillSyncConcurrentEngines[] = {"btreekv", "leveldb", "lmdb", "sqlite-wal"};

using Sessions = std::vector<std::unique_ptr<KvSession>>;

Result<Sessions> open_sessions(KvTarget& target, size_t n) {
  Sessions sessions;
  for (size_t i = 0; i < n; ++i) {
    ASSIGN_OR_RETURN(std::unique_ptr<KvSession> session, target.open_session());
    sessions.push_back(std::move(session));
  }
  return sessions;
}

// Reads back `count` puts, put_at(n) giving the n-th, in one read
// transaction of the target: each key must be present with its value.
template <class PutAt>
Status check_committed(KvTarget& target, size_t count, PutAt put_at, const std::string& engine) {
  RETURN_IF_ERROR(target.begin_reads());
  uint64_t wrong = 0;
  std::string_view value;
  for (size_t n = 0; n < count; ++n) {
    const Op op = put_at(n);
    RETURN_IF_ERROR(target.get(op.key, &value).with("reading back committed key " + std::string(op.key)));
    wrong += value != op.value ? 1 : 0;
  }
  RETURN_IF_ERROR(target.end_reads());
  if (wrong != 0) {
    return Status::corruption(engine + ": " + std::to_string(wrong) + " of " + std::to_string(count) +
                              " committed keys read back with a wrong value");
  }
  return Status();
}

// What one reader did; aligned so that readers never write to one cache line.
struct alignas(64) ReaderTally {
  uint64_t gets = 0;
  uint64_t wrong_values = 0;
  std::vector<uint32_t> sampled_ns;  // every kLatencySampleEvery-th get's latency
};

// Gets the read-random keys from index `first` on, wrapping, until `stop`.
Status read_until(KvSession& session, size_t first, const std::atomic<bool>& stop, ReaderTally& tally) {
  const std::vector<uint32_t>& indices = workload().read_indices();
  tally.sampled_ns.reserve(1 << 20);
  char key[kKeySize];
  char expected[kValueSize];
  std::string_view value;
  for (size_t at = first; !stop.load(std::memory_order_relaxed); at = (at + 1) % indices.size()) {
    write_key(indices[at], key);
    if (tally.gets % kLatencySampleEvery == 0) {
      const auto start = std::chrono::steady_clock::now();
      RETURN_IF_ERROR(session.get({key, kKeySize}, &value));
      const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start);
      tally.sampled_ns.push_back(static_cast<uint32_t>(std::min<int64_t>(ns.count(), UINT32_MAX)));
    } else {
      RETURN_IF_ERROR(session.get({key, kKeySize}, &value));
    }
    write_value(indices[at], expected);
    tally.wrong_values += value != std::string_view(expected, kValueSize) ? 1 : 0;
    ++tally.gets;
  }
  return Status();
}

// The writer's n-th put: key and value of index kFillKeys + n, which the fill did not write.
struct WriterPut {
  char key[kKeySize];
  char value[kValueSize];
  Op at(size_t n) {
    write_key(kFillKeys + n, key);
    write_value(kFillKeys + n, value);
    return {Op::Kind::kPut, {key, kKeySize}, {value, kValueSize}};
  }
};

Status write_until(KvSession& session, const std::atomic<bool>& stop, uint64_t& commits) {
  WriterPut put;
  while (!stop.load(std::memory_order_relaxed)) {
    const Op op = put.at(commits);
    RETURN_IF_ERROR(session.commit({&op, 1}));
    ++commits;
  }
  return Status();
}

// The q-quantile of the samples, in microseconds (reorders them).
double quantile_us(std::vector<uint32_t>& ns, double q) {
  if (ns.empty()) return 0;
  const auto at = ns.begin() + static_cast<std::ptrdiff_t>(q * static_cast<double>(ns.size() - 1));
  std::nth_element(ns.begin(), at, ns.end());
  return *at / 1e3;
}

void read_while_write(benchmark::State& state, const std::string& engine, int readers) {
  for (auto _ : state) {
    Result<OpenDb> db = take_filled_db(engine);
    if (!ok_or_skip(state, db.status())) break;
    KvTarget& target = *db->target;
    Meter meter(&target, CpuClock::kProcess);
    std::vector<ReaderTally> tallies(static_cast<size_t>(readers));
    uint64_t writer_commits = 0;
    Status s;
    {
      Result<Sessions> sessions = open_sessions(target, static_cast<size_t>(readers) + 1);
      if (!ok_or_skip(state, sessions.status())) break;
      Crew crew(sessions->size());
      crew.add([&] { return write_until(*(*sessions)[0], crew.stop(), writer_commits); });
      for (size_t r = 0; r < tallies.size(); ++r) {
        const size_t first = r * kReads / tallies.size();
        crew.add([&, r, first] { return read_until(*(*sessions)[r + 1], first, crew.stop(), tallies[r]); });
      }
      s = meter.measure([&] { return crew.run_for(kReadWhileWriteInterval); });
    }
    if (!ok_or_skip(state, s)) break;
    uint64_t gets = 0;
    uint64_t wrong = 0;
    std::vector<uint32_t> samples;
    for (ReaderTally& t : tallies) {
      gets += t.gets;
      wrong += t.wrong_values;
      samples.insert(samples.end(), t.sampled_ns.begin(), t.sampled_ns.end());
    }
    if (wrong != 0) {
      state.SkipWithError((engine + " returned " + std::to_string(wrong) + " wrong values to its readers").c_str());
      break;
    }
    WriterPut put;
    if (!ok_or_skip(state, check_committed(target, writer_commits, [&](size_t n) { return put.at(n); }, engine))) break;
    state.counters["readers"] = readers;
    state.counters["writer_commits_per_second"] = static_cast<double>(writer_commits) / meter.seconds();
    state.counters["latency_samples"] = static_cast<double>(samples.size());
    state.counters["reader_max_us"] = quantile_us(samples, 1.0);
    state.counters["reader_p999_us"] = quantile_us(samples, 0.999);
    state.counters["reader_p99_us"] = quantile_us(samples, 0.99);
    state.counters["reader_p50_us"] = quantile_us(samples, 0.5);
    meter.report(state, gets, writer_commits);
  }
}

void fill_sync_concurrent(benchmark::State& state, const std::string& engine, int writers) {
  const std::vector<Commit>& commits = workload().fill_sync();
  const size_t stride = static_cast<size_t>(writers);
  for (auto _ : state) {
    Result<OpenDb> db = open_fresh(engine);
    if (!ok_or_skip(state, db.status())) break;
    KvTarget& target = *db->target;
    Meter meter(&target, CpuClock::kProcess);
    Status s;
    {
      Result<Sessions> sessions = open_sessions(target, stride);
      if (!ok_or_skip(state, sessions.status())) break;
      Crew crew(stride);
      for (size_t t = 0; t < stride; ++t) {
        crew.add([&, t]() -> Status {
          for (size_t i = t; i < commits.size() && !crew.stop().load(std::memory_order_relaxed); i += stride)
            RETURN_IF_ERROR((*sessions)[t]->commit(commits[i]));
          return Status();
        });
      }
      s = meter.measure([&] { return crew.run(); });
    }
    if (!ok_or_skip(state, s)) break;
    if (!ok_or_skip(state, check_committed(target, commits.size(), [&](size_t n) { return commits[n].front(); }, engine)))
      break;
    state.counters["writers"] = writers;
    meter.report(state, commits.size(), commits.size());
  }
}

template <class Body>
void register_each(const char* workload_name, std::span<const std::string_view> engines, const char* count_name,
                   std::span<const int> counts, Body body) {
  for (int n : counts) {
    for (std::string_view view : engines) {
      const std::string engine(view);
      if (!registered_targets().contains(engine)) continue;
      const std::string name = std::string(workload_name) + "/" + engine + "/" + count_name + ":" + std::to_string(n);
      benchmark::RegisterBenchmark(name.c_str(), body, engine, n)
          ->Iterations(1)
          ->UseManualTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
}

}  // namespace

void register_read_while_write() {
  register_each("read-while-write", kReadWhileWriteEngines, "readers", kReaderCounts, read_while_write);
}

void register_fill_sync_concurrent() {
  register_each("fill-sync-concurrent", kFillSyncConcurrentEngines, "writers", kWriterCounts, fill_sync_concurrent);
}

}  // namespace bench
