// KvTarget: one embedded engine as the benchmarks see it.
//
// Each engine (ours and every peer) implements this once, with its durable
// settings, and every workload in kv_benchmarks.cc drives all of them through
// it, so no engine gets a workload of its own. Errors are vfs::Status with the
// engine's own message; a failing call fails the benchmark, never hides.
//
// Lifecycle: open() on a directory (creating the database there when it is
// empty), any number of commits, reads and scans, close(). open() after
// close() on the same directory reopens the same database.
//
// Threads: a KvTarget is driven by one thread at a time. The concurrent
// workloads give each of their threads a KvSession from open_session(); see
// KvSession for the contract.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "bench/workload.h"
#include "vfs/status.h"

namespace bench {

using vfs::Result;
using vfs::Status;

// What a full ordered scan saw; a correct scan of the filled database sees
// every key once, in order. Targets feed it every entry with add().
class ScanResult {
 public:
  void add(std::string_view key, std::string_view value) {
    ordered_ = ordered_ && (keys_ == 0 || last_key_ < key);
    last_key_.assign(key);
    ++keys_;
    bytes_ += key.size() + value.size();
  }
  uint64_t keys() const { return keys_; }
  uint64_t bytes() const { return bytes_; }  // key plus value bytes
  bool ordered() const { return ordered_; }

 private:
  std::string last_key_;
  uint64_t keys_ = 0;
  uint64_t bytes_ = 0;
  bool ordered_ = true;
};

// On-disk bytes of an engine's files, as stat() reports them.
struct FileBytes {
  uint64_t data = 0;  // the database file proper
  uint64_t log = 0;   // its write-ahead log or rollback journal, when one exists
};

// One thread's handle on an open KvTarget, for the concurrent workloads.
//
// Contract: the sessions of a target may be used at the same time, each by
// one thread (a session itself is not shared). They are opened by the
// target's thread while no session call runs, and all destroyed before the
// target's own calls resume and before close(): a target never runs one of
// its own calls beside a session's. What a session is depends on what the
// engine offers a thread: ours and LevelDB's a view of their one thread-safe
// handle, SQLite a connection of its own, LMDB the shared environment with a
// read transaction of the session's own.
class KvSession {
 public:
  virtual ~KvSession() = default;

  // One durable commit, as KvTarget::commit. Commits of several sessions run
  // concurrently as far as the engine lets them (one at a time, or grouped
  // under one sync); each stays atomic and durable once it returns OK.
  virtual Status commit(std::span<const Op> ops) = 0;

  // Looks up a key that is present, in a read transaction of its own that
  // ends before get() returns (no snapshot outlives the call, so the session
  // never holds back a writer or a checkpoint between gets); it sees every
  // commit that returned before the get began. `value` is the session's own
  // copy, valid until the next call on this session.
  virtual Status get(std::string_view key, std::string_view* value) = 0;
};

class KvTarget {
 public:
  virtual ~KvTarget() = default;

  // Opens (creating when absent) the database inside the existing directory `dir`.
  virtual Status open(const std::string& dir) = 0;
  // Closes the database the way a user would (checkpointing where the engine does so on close).
  virtual Status close() = 0;

  // Applies the ops atomically as one durable commit: once this returns OK
  // the commit survives power loss.
  virtual Status commit(std::span<const Op> ops) = 0;

  // Brackets a run of get() calls: one read transaction or snapshot where the
  // engine has one, nothing where it has none.
  virtual Status begin_reads() = 0;
  virtual Status end_reads() = 0;
  // Looks up a key that is present, between begin_reads() and end_reads().
  // `value` views the engine's bytes (or the copy its API makes) until the
  // next call on this target.
  virtual Status get(std::string_view key, std::string_view* value) = 0;

  // Reads every key and value in key order.
  virtual Result<ScanResult> scan() = 0;

  // Sizes of the database's files; also after close(), when it reports what
  // the engine's clean close left on disk.
  virtual Result<FileBytes> file_bytes() = 0;

  // A session for one more thread (see KvSession), while the target is open.
  virtual Result<std::unique_ptr<KvSession>> open_session() = 0;

  // Sync calls (file and directory) the engine made since open, when the
  // target can count them itself; the device's flush counter is taken for
  // every engine by the harness.
  virtual std::optional<uint64_t> syncs() const { return std::nullopt; }
};

using TargetFactory = std::function<std::unique_ptr<KvTarget>()>;

struct TargetInfo {
  TargetFactory make;
  // Library version and the settings the target runs with, for the benchmark
  // context, e.g. "SQLite 3.40.1; journal_mode=WAL, synchronous=FULL, ...".
  std::string description;
};

// Engines register themselves (one static registrar per target source file,
// as Google Benchmark's BENCHMARK macro does) so that a peer whose library is
// absent at configure time is simply not compiled in. Names are the engine
// column of the benchmark table, e.g. "btreekv", "sqlite-wal", "lmdb", "leveldb".
bool register_target(std::string name, TargetInfo info);
const std::map<std::string, TargetInfo>& registered_targets();

}  // namespace bench
