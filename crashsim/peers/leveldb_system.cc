#include "crashsim/peers/leveldb_system.h"

#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "crashsim/check/invariants.h"
#include "crashsim/peers/leveldb_env.h"
#include "crashsim/peers/leveldb_regions.h"

namespace crashsim::peers {

using vfs::Result;
using vfs::Status;

namespace {

constexpr char kDbName[] = "db";

// LevelDB's info log, kept in memory. While an open runs it turns the lines
// that say how recovery went into recovery paths. A line saying a write is
// about to wait for background work is fatal: that work runs on this same
// thread (VfsEnv), so the wait would never end.
class RecoveryLog final : public leveldb::Logger {
 public:
  void Logv(const char* format, std::va_list ap) override {
    char line[512];
    std::vsnprintf(line, sizeof line, format, ap);
    const std::string_view text(line);
    if (text.starts_with("Current memtable full; waiting") || text.starts_with("Too many L0 files; waiting")) {
      std::fprintf(stderr, "crashsim leveldb adapter: LevelDB waits for background work that runs on its own "
                           "thread between calls (\"%s\"): this would never return\n", line);
      std::abort();
    }
    if (!collecting_) return;
    if (text.starts_with("Creating DB ")) paths_.insert("database-created");
    if (text.starts_with("Recovering log #")) paths_.insert("log-replayed");
    if (text.find(": dropping ") != std::string_view::npos) paths_.insert("log-bytes-dropped");
  }

  void stop_collecting() { collecting_ = false; }
  std::vector<std::string> paths() const { return {paths_.begin(), paths_.end()}; }

 private:
  bool collecting_ = true;
  std::set<std::string> paths_;
};

// What a session owns, in destruction order from the bottom: the DB goes
// first (after its queued work ran), then the Env and log it used.
struct Store {
  std::unique_ptr<VfsEnv> env;
  std::unique_ptr<RecoveryLog> log;
  std::unique_ptr<leveldb::DB> db;

  ~Store() {
    if (db) {
      env->run_queued();
      db.reset();
    }
  }
};

class LeveldbSession final : public SutSession {
 public:
  LeveldbSession(std::unique_ptr<Store> store, LeveldbOptions options) : store_(std::move(store)), options_(options) {}

  Status apply(const Batch& batch) override {
    leveldb::WriteBatch wb;
    for (const KvOp& op : batch) {
      if (op.kind == KvOp::Kind::kPut) {
        wb.Put(op.key, op.value);
      } else {
        wb.Delete(op.key);
      }
    }
    leveldb::WriteOptions wo;
    wo.sync = options_.sync;
    const leveldb::Status s = store_->db->Write(wo, &wb);
    store_->env->run_queued();
    return from_leveldb(s, "write");
  }

  Status get(const std::string& key, std::string* value) override {
    const leveldb::Status s = store_->db->Get(read_options(options_.verify_checksums), key, value);
    store_->env->run_queued();
    return from_leveldb(s, "get");
  }

  Result<KvState> scan_all() override { return scan(options_.verify_checksums); }

  Status checkpoint() override {
    return Status::not_supported("leveldb checkpoint: LevelDB compacts on its own; CompactRange() would wait for "
                                 "a background thread");
  }

  Result<std::vector<SutFinding>> verify() override {
    Result<KvState> checked = scan(true);
    if (checked.ok()) return std::vector<SutFinding>{};
    if (!checked.status().is_corruption()) return checked.status();
    return std::vector<SutFinding>{{std::string(invariant::kStructure), checked.status().message()}};
  }

  std::vector<std::string> recovery_paths() override { return store_->log->paths(); }

  Status close() override {
    store_.reset();
    return Status();
  }

 private:
  static leveldb::ReadOptions read_options(bool verify_checksums) {
    leveldb::ReadOptions ro;
    ro.verify_checksums = verify_checksums;
    return ro;
  }

  Result<KvState> scan(bool verify_checksums) {
    KvState state;
    leveldb::Status s;
    {
      std::unique_ptr<leveldb::Iterator> it(store_->db->NewIterator(read_options(verify_checksums)));
      for (it->SeekToFirst(); it->Valid(); it->Next()) state.emplace_hint(state.end(), it->key().ToString(), it->value().ToString());
      s = it->status();
    }
    // Reads may schedule a compaction (seek statistics).
    store_->env->run_queued();
    if (!s.ok()) return from_leveldb(s, "scan");
    return state;
  }

  std::unique_ptr<Store> store_;
  LeveldbOptions options_;
};

}  // namespace

std::string LeveldbSystem::name() const {
  const LeveldbOptions defaults;
  std::string n = options_.sync ? "leveldb[sync" : "leveldb[no-sync";
  if (options_.paranoid_checks) n += ",paranoid";
  if (options_.verify_checksums) n += ",verify-checksums";
  if (options_.write_buffer_size != defaults.write_buffer_size)
    n += ",write_buffer_size=" + std::to_string(options_.write_buffer_size);
  return n + "]";
}

std::vector<FileRegion> LeveldbSystem::describe_regions(const DiskImage& image) const { return leveldb_regions(image); }

Result<std::unique_ptr<SutSession>> LeveldbSystem::open(vfs::Vfs& vfs) {
  auto store = std::make_unique<Store>();
  store->env = std::make_unique<VfsEnv>(vfs, kDbName);
  store->log = std::make_unique<RecoveryLog>();
  leveldb::Options o;
  o.env = store->env.get();
  o.info_log = store->log.get();
  o.create_if_missing = true;
  o.paranoid_checks = options_.paranoid_checks;
  o.write_buffer_size = options_.write_buffer_size;
  leveldb::DB* db = nullptr;
  const leveldb::Status s = leveldb::DB::Open(o, kDbName, &db);
  store->db.reset(db);
  store->log->stop_collecting();
  if (!s.ok()) return from_leveldb(s, "open");
  store->env->run_queued();
  return std::unique_ptr<SutSession>(std::make_unique<LeveldbSession>(std::move(store), options_));
}

}  // namespace crashsim::peers
