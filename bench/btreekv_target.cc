// Our engine as a KvTarget: engine::Db on PosixVfs, behind a CountingVfs.
//
// Settings: default engine::Options (4 KiB pages, automatic checkpoint every
// 1000 commits or 16 MiB of WAL) except cache_pages, raised from 1024 to
// kCachePages so that the filled database (about 4,600 pages) fits, as the
// read-random workload asks; SQLite gets the same 64 MiB (sqlite_target.cc).
#include <memory>
#include <string>

#include "bench/counting_vfs.h"
#include "bench/kv_target.h"
#include "engine/db.h"
#include "vfs/posix_vfs.h"

namespace bench {
namespace {

constexpr size_t kCachePages = 16384;  // 64 MiB of 4 KiB pages
constexpr char kFileName[] = "btreekv.db";

// A thread's use of the one engine::Db, which is thread-safe (engine/db.h):
// the target's own calls and every session's go through one of these.
class BtreekvSession final : public KvSession {
 public:
  explicit BtreekvSession(engine::Db& db) : db_(db) {}

  // A lone op goes through put()/del(), which view the caller's bytes; a
  // batch through WriteBatch, which copies them: what a user of the API does.
  Status commit(std::span<const Op> ops) override {
    if (ops.size() == 1) {
      const Op& op = ops.front();
      return op.kind == Op::Kind::kPut ? db_.put(op.key, op.value) : db_.del(op.key);
    }
    batch_.clear();
    for (const Op& op : ops) {
      if (op.kind == Op::Kind::kPut) {
        batch_.put(op.key, op.value);
      } else {
        batch_.del(op.key);
      }
    }
    return db_.write(batch_);
  }

  // Each get() reads the last committed state (the engine's implicit snapshot).
  Status get(std::string_view key, std::string_view* value) override {
    RETURN_IF_ERROR(db_.get(key, &value_));
    *value = value_;
    return Status();
  }

 private:
  engine::Db& db_;
  engine::WriteBatch batch_;
  std::string value_;
};

class BtreekvTarget final : public KvTarget {
 public:
  BtreekvTarget() : vfs_(vfs::default_vfs()) {}

  Status open(const std::string& dir) override {
    path_ = dir + "/" + kFileName;
    engine::Options options;
    options.cache_pages = kCachePages;
    ASSIGN_OR_RETURN(db_, engine::Db::open(vfs_, path_, options));
    own_ = std::make_unique<BtreekvSession>(*db_);
    syncs_at_open_ = vfs_.syncs();
    return Status();
  }

  Status close() override {
    if (!db_) return Status();
    own_.reset();
    const Status s = db_->close();
    db_.reset();
    return s;
  }

  Status commit(std::span<const Op> ops) override { return own_->commit(ops); }

  // The engine has no read transaction: each get() reads the last committed state.
  Status begin_reads() override { return Status(); }
  Status end_reads() override { return Status(); }

  Status get(std::string_view key, std::string_view* value) override { return own_->get(key, value); }

  Result<ScanResult> scan() override {
    ASSIGN_OR_RETURN(std::unique_ptr<engine::Cursor> cursor, db_->new_cursor());
    ScanResult result;
    for (cursor->seek_to_first(); cursor->valid(); cursor->next()) result.add(cursor->key(), cursor->value());
    RETURN_IF_ERROR(cursor->status());
    return result;
  }

  Result<FileBytes> file_bytes() override {
    FileBytes bytes;
    ASSIGN_OR_RETURN(bytes.data, vfs_.file_size(path_));
    ASSIGN_OR_RETURN(bytes.log, vfs_.file_size(path_ + "-wal"));
    return bytes;
  }

  Result<std::unique_ptr<KvSession>> open_session() override {
    return std::unique_ptr<KvSession>(std::make_unique<BtreekvSession>(*db_));
  }

  std::optional<uint64_t> syncs() const override { return vfs_.syncs() - syncs_at_open_; }

 private:
  CountingVfs vfs_;
  std::string path_;
  std::unique_ptr<engine::Db> db_;
  std::unique_ptr<BtreekvSession> own_;  // the target's own calls
  uint64_t syncs_at_open_ = 0;
};

const bool kRegistered = register_target(
    "btreekv", {[] { return std::make_unique<BtreekvTarget>(); },
                "btreekv (this tree); default Options (4 KiB pages, checkpoint every 1000 commits or 16 MiB of WAL), "
                "cache_pages=16384 (64 MiB)"});

}  // namespace
}  // namespace bench
