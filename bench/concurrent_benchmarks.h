// The concurrent workloads, one Google Benchmark per engine and thread
// count, every thread with a KvSession of its own (kv_target.h):
//
//   read-while-write/<engine>/readers:N       N = 1, 2
//     On the engine's filled database (fill-batch's 100,000 keys, taken over:
//     see take_filled_db), one writer thread does single-put durable commits
//     of new keys (indices kFillKeys, kFillKeys + 1, ...: the readers' keys
//     keep their values) while N reader threads do gets of present keys (the
//     read-random indices, each reader from its own offset), every get its
//     own read transaction, every value compared with the expected bytes.
//     All start together and run for kReadWhileWriteInterval of wall time.
//     Reports gets/s of all readers together (items_per_second), the readers'
//     latency (every kLatencySampleEvery-th get timed: reader_p50_us,
//     reader_p99_us, reader_p999_us, reader_max_us), the writer's commits/s
//     (writer_commits_per_second) and its syncs and device flushes per
//     commit. Afterwards every key the writer committed is read back.
//
//   fill-sync-concurrent/<engine>/writers:N   N = 1, 2, 4, 8, 16
//     A fresh database; N writer threads share fill-sync's kSyncCommits
//     single-put durable commits of distinct keys (thread t commits t, t + N,
//     t + 2N, ...), all started together. Reports commits/s of all threads,
//     syncs and device flushes per commit. Afterwards every key is read back
//     with its value.
//
// Both count the CPU time of every thread (CpuClock::kProcess).
#pragma once

#include <chrono>
#include <cstddef>

namespace bench {

inline constexpr std::chrono::milliseconds kReadWhileWriteInterval{2000};
inline constexpr size_t kLatencySampleEvery = 16;

// Register every engine for each thread count, thread count by thread count,
// so that the figures of one table row group are measured moments apart.
void register_read_while_write();
void register_fill_sync_concurrent();

}  // namespace bench
