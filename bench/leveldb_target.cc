// LevelDB as a KvTarget, durable: every commit is a WriteBatch written with
// WriteOptions::sync = true (LevelDB appends it to its log and fdatasyncs
// the log before returning). Concurrent writers share that sync: LevelDB
// queues them, and the writer at the head of the queue writes every queued
// batch into the log in one append and one sync (group commit), then wakes
// the others. Options: a 64 MiB block cache (the memory the other engines are
// given), otherwise LevelDB's defaults (4 MiB write buffer, Snappy
// compression as Debian builds it, no Bloom filter). The reads run under one
// snapshot; a get copies the value into a std::string, as LevelDB's API does.
//
// A session is a view of the one leveldb::DB, which is thread-safe; each of
// its gets reads the latest state, with no snapshot held between gets.
#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/iterator.h>
#include <leveldb/write_batch.h>

#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "bench/kv_target.h"

namespace bench {
namespace {

constexpr size_t kBlockCacheBytes = size_t{64} << 20;

leveldb::Slice as_slice(std::string_view bytes) { return {bytes.data(), bytes.size()}; }

Status check(const leveldb::Status& s, std::string_view op, const std::string& dir) {
  if (s.ok()) return Status();
  const std::string message = "leveldb " + std::string(op) + " " + dir + ": " + s.ToString();
  return s.IsNotFound() ? Status::not_found(message) : Status::io_error(message);
}

// A thread's use of the one leveldb::DB: the target's own calls and every
// session's go through one of these.
class LeveldbSession final : public KvSession {
 public:
  LeveldbSession(leveldb::DB& db, std::string dir) : db_(db), dir_(std::move(dir)) { sync_.sync = true; }

  Status commit(std::span<const Op> ops) override {
    batch_.Clear();
    for (const Op& op : ops) {
      if (op.kind == Op::Kind::kPut) {
        batch_.Put(as_slice(op.key), as_slice(op.value));
      } else {
        batch_.Delete(as_slice(op.key));
      }
    }
    return check(db_.Write(sync_, &batch_), "write", dir_);
  }

  // Under `snapshot` when one is set (the target's begin_reads), else the latest state.
  Status get(std::string_view key, std::string_view* value) override {
    RETURN_IF_ERROR(check(db_.Get(read_, as_slice(key), &value_), "get", dir_));
    *value = value_;
    return Status();
  }

  void set_snapshot(const leveldb::Snapshot* snapshot) { read_.snapshot = snapshot; }

 private:
  leveldb::DB& db_;
  std::string dir_;
  leveldb::WriteOptions sync_;
  leveldb::ReadOptions read_;
  leveldb::WriteBatch batch_;
  std::string value_;
};

class LeveldbTarget final : public KvTarget {
 public:
  ~LeveldbTarget() override { (void)close(); }

  Status open(const std::string& dir) override {
    dir_ = dir;
    cache_.reset(leveldb::NewLRUCache(kBlockCacheBytes));
    leveldb::Options options;
    options.create_if_missing = true;
    options.block_cache = cache_.get();
    leveldb::DB* db = nullptr;
    RETURN_IF_ERROR(check(leveldb::DB::Open(options, dir, &db), "open", dir));
    db_.reset(db);
    own_ = std::make_unique<LeveldbSession>(*db_, dir_);
    return Status();
  }

  // LevelDB has no close call: deleting the DB finishes its background work and closes its files.
  Status close() override {
    if (snapshot_ != nullptr) db_->ReleaseSnapshot(snapshot_);
    snapshot_ = nullptr;
    own_.reset();
    db_.reset();
    cache_.reset();
    return Status();
  }

  Status commit(std::span<const Op> ops) override { return own_->commit(ops); }

  Status begin_reads() override {
    snapshot_ = db_->GetSnapshot();
    own_->set_snapshot(snapshot_);
    return Status();
  }
  Status end_reads() override {
    own_->set_snapshot(nullptr);
    db_->ReleaseSnapshot(snapshot_);
    snapshot_ = nullptr;
    return Status();
  }
  Status get(std::string_view key, std::string_view* value) override { return own_->get(key, value); }

  Result<ScanResult> scan() override {
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
    ScanResult result;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      result.add({it->key().data(), it->key().size()}, {it->value().data(), it->value().size()});
    }
    RETURN_IF_ERROR(check(it->status(), "scan", dir_));
    return result;
  }

  // data: the sorted tables (*.ldb, *.sst); log: the write-ahead logs (*.log).
  // The MANIFEST and the small bookkeeping files are in neither.
  Result<FileBytes> file_bytes() override {
    FileBytes bytes;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
      const std::string ext = entry.path().extension().string();
      const uint64_t size = entry.is_regular_file(ec) ? entry.file_size(ec) : 0;
      if (ext == ".ldb" || ext == ".sst") bytes.data += size;
      if (ext == ".log") bytes.log += size;
    }
    if (ec) return Status::io_error("list " + dir_ + ": " + ec.message());
    return bytes;
  }

  Result<std::unique_ptr<KvSession>> open_session() override {
    return std::unique_ptr<KvSession>(std::make_unique<LeveldbSession>(*db_, dir_));
  }

 private:
  std::string dir_;
  std::unique_ptr<leveldb::Cache> cache_;  // outlives db_, which uses it
  std::unique_ptr<leveldb::DB> db_;
  std::unique_ptr<LeveldbSession> own_;  // the target's own calls
  const leveldb::Snapshot* snapshot_ = nullptr;  // between begin_reads() and end_reads()
};

const bool kRegistered = register_target(
    "leveldb", {[] { return std::make_unique<LeveldbTarget>(); },
                "LevelDB " + std::to_string(leveldb::kMajorVersion) + "." + std::to_string(leveldb::kMinorVersion) +
                    "; WriteOptions.sync=true on every commit (group commit across threads), block cache 64 MiB, "
                    "otherwise defaults (4 MiB write buffer, Snappy compression, no Bloom filter)"});

}  // namespace
}  // namespace bench
