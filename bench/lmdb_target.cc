// LMDB as a KvTarget, with its defaults: no MDB_NOSYNC, no MDB_NOMETASYNC,
// no MDB_WRITEMAP, so a commit writes the dirty pages, fdatasyncs, writes the
// meta page and fdatasyncs again. The only setting is the map size (LMDB's
// default of 10 MiB cannot hold the filled database), which is an address
// space reservation, not a tuning. A commit is one write transaction; the
// reads run in one read-only transaction; a get returns a pointer into the
// memory map, which LMDB's API allows the caller to use without a copy.
//
// A session shares the environment (LMDB's handle for every thread of a
// process). Its commits are write transactions like the target's: LMDB lets
// one run at a time and a second waits for the first, by design. Its gets
// reuse one read-only transaction, renewed before each get and reset after it
// (mdb_txn_renew/mdb_txn_reset, LMDB's way of running many short reads
// without allocating), copying the value out while the snapshot is held.
#include <lmdb.h>

#include <memory>
#include <string>

#include "bench/bench_env.h"
#include "bench/kv_target.h"

namespace bench {
namespace {

constexpr size_t kMapSize = size_t{1} << 30;

MDB_val as_val(std::string_view bytes) { return {bytes.size(), const_cast<char*>(bytes.data())}; }
std::string_view as_view(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }

Status check(int rc, std::string_view op, const std::string& dir) {
  if (rc == MDB_SUCCESS) return Status();
  return Status::io_error("lmdb " + std::string(op) + " " + dir + ": " + mdb_strerror(rc));
}

// Applies `ops` in one write transaction.
Status commit_ops(MDB_env* env, MDB_dbi dbi, std::span<const Op> ops, const std::string& dir) {
  MDB_txn* txn = nullptr;
  RETURN_IF_ERROR(check(mdb_txn_begin(env, nullptr, 0, &txn), "txn_begin", dir));
  for (const Op& op : ops) {
    MDB_val key = as_val(op.key);
    int rc;
    if (op.kind == Op::Kind::kPut) {
      MDB_val value = as_val(op.value);
      rc = mdb_put(txn, dbi, &key, &value, 0);
    } else {
      rc = mdb_del(txn, dbi, &key, nullptr);
      if (rc == MDB_NOTFOUND) rc = MDB_SUCCESS;
    }
    if (rc != MDB_SUCCESS) {
      mdb_txn_abort(txn);
      return check(rc, op.kind == Op::Kind::kPut ? "put" : "del", dir);
    }
  }
  return check(mdb_txn_commit(txn), "txn_commit", dir);
}

class LmdbSession final : public KvSession {
 public:
  LmdbSession(MDB_env* env, MDB_dbi dbi, std::string dir) : env_(env), dbi_(dbi), dir_(std::move(dir)) {}
  ~LmdbSession() override {
    if (read_txn_ != nullptr) mdb_txn_abort(read_txn_);
  }

  Status commit(std::span<const Op> ops) override { return commit_ops(env_, dbi_, ops, dir_); }

  // The read transaction is begun by the first get, so that it belongs to the
  // thread that uses the session (LMDB ties a reader slot to its thread).
  Status get(std::string_view key, std::string_view* value) override {
    if (read_txn_ == nullptr) {
      RETURN_IF_ERROR(check(mdb_txn_begin(env_, nullptr, MDB_RDONLY, &read_txn_), "txn_begin(read)", dir_));
    } else {
      RETURN_IF_ERROR(check(mdb_txn_renew(read_txn_), "txn_renew", dir_));
    }
    MDB_val k = as_val(key);
    MDB_val v;
    const int rc = mdb_get(read_txn_, dbi_, &k, &v);
    if (rc == MDB_SUCCESS) value_.assign(as_view(v));
    mdb_txn_reset(read_txn_);
    *value = value_;
    return check(rc, "get", dir_);
  }

 private:
  MDB_env* env_;
  MDB_dbi dbi_;
  std::string dir_;
  MDB_txn* read_txn_ = nullptr;
  std::string value_;
};

class LmdbTarget final : public KvTarget {
 public:
  ~LmdbTarget() override { (void)close(); }

  Status open(const std::string& dir) override {
    dir_ = dir;
    RETURN_IF_ERROR(check(mdb_env_create(&env_), "env_create"));
    RETURN_IF_ERROR(check(mdb_env_set_mapsize(env_, kMapSize), "env_set_mapsize"));
    RETURN_IF_ERROR(check(mdb_env_open(env_, dir.c_str(), 0, 0644), "env_open"));
    MDB_txn* txn = nullptr;
    RETURN_IF_ERROR(check(mdb_txn_begin(env_, nullptr, 0, &txn), "txn_begin"));
    const int rc = mdb_dbi_open(txn, nullptr, 0, &dbi_);
    if (rc != MDB_SUCCESS) {
      mdb_txn_abort(txn);
      return check(rc, "dbi_open");
    }
    return check(mdb_txn_commit(txn), "txn_commit");
  }

  Status close() override {
    if (read_txn_ != nullptr) mdb_txn_abort(read_txn_);
    read_txn_ = nullptr;
    if (env_ != nullptr) mdb_env_close(env_);
    env_ = nullptr;
    return Status();
  }

  Status commit(std::span<const Op> ops) override { return commit_ops(env_, dbi_, ops, dir_); }

  Status begin_reads() override { return check(mdb_txn_begin(env_, nullptr, MDB_RDONLY, &read_txn_), "txn_begin(read)"); }
  Status end_reads() override {
    mdb_txn_abort(read_txn_);
    read_txn_ = nullptr;
    return Status();
  }

  Status get(std::string_view key, std::string_view* value) override {
    MDB_val k = as_val(key);
    MDB_val v;
    RETURN_IF_ERROR(check(mdb_get(read_txn_, dbi_, &k, &v), "get"));
    *value = as_view(v);
    return Status();
  }

  Result<ScanResult> scan() override {
    MDB_txn* txn = nullptr;
    RETURN_IF_ERROR(check(mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn), "txn_begin(scan)"));
    MDB_cursor* cursor = nullptr;
    int rc = mdb_cursor_open(txn, dbi_, &cursor);
    ScanResult result;
    if (rc == MDB_SUCCESS) {
      MDB_val k;
      MDB_val v;
      for (rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST); rc == MDB_SUCCESS; rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT))
        result.add(as_view(k), as_view(v));
      mdb_cursor_close(cursor);
    }
    mdb_txn_abort(txn);
    if (rc != MDB_NOTFOUND) return check(rc, "scan");
    return result;
  }

  Result<std::unique_ptr<KvSession>> open_session() override {
    return std::unique_ptr<KvSession>(std::make_unique<LmdbSession>(env_, dbi_, dir_));
  }

  Result<FileBytes> file_bytes() override {
    FileBytes bytes;
    bytes.data = file_size_or_zero(dir_ + "/data.mdb");  // LMDB has no log; lock.mdb holds no data
    return bytes;
  }

 private:
  Status check(int rc, std::string_view op) const { return bench::check(rc, op, dir_); }

  std::string dir_;
  MDB_env* env_ = nullptr;
  MDB_dbi dbi_ = 0;
  MDB_txn* read_txn_ = nullptr;
};

const bool kRegistered = register_target(
    "lmdb", {[] { return std::make_unique<LmdbTarget>(); },
             std::string(mdb_version(nullptr, nullptr, nullptr)) + "; default flags (synchronous), mapsize 1 GiB"});

}  // namespace
}  // namespace bench
