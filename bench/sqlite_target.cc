// SQLite as a KvTarget, in its two durable configurations:
//   sqlite-wal       journal_mode=WAL,    synchronous=FULL
//   sqlite-rollback  journal_mode=DELETE, synchronous=FULL
// Both use a WITHOUT ROWID table (the key is the primary key, so a get is one
// b-tree descent, as in a key-value store), prepared statements with static
// bindings, and cache_size=-65536 (64 MiB, the cache our engine is given).
// Everything else is SQLite's default: 4 KiB pages, WAL auto-checkpoint at
// 1000 pages, the default unix VFS. A commit is BEGIN, the ops, COMMIT.
#include <sqlite3.h>

#include <memory>
#include <string>

#include "bench/bench_env.h"
#include "bench/kv_target.h"

namespace bench {
namespace {

constexpr char kFileName[] = "sqlite.db";

enum class JournalMode { kWal, kRollback };

// A prepared statement, finalized on destruction.
using Statement = std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)>;

class SqliteTarget final : public KvTarget {
 public:
  explicit SqliteTarget(JournalMode mode) : mode_(mode) {}
  ~SqliteTarget() override { (void)close(); }

  Status open(const std::string& dir) override {
    path_ = dir + "/" + kFileName;
    if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
      const Status s = error("open");
      (void)close();
      return s;
    }
    const char* journal = mode_ == JournalMode::kWal ? "PRAGMA journal_mode=WAL" : "PRAGMA journal_mode=DELETE";
    for (const char* sql : {journal, "PRAGMA synchronous=FULL", "PRAGMA cache_size=-65536",
                            "CREATE TABLE IF NOT EXISTS kv(k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID"}) {
      if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return error(sql);
    }
    ASSIGN_OR_RETURN(begin_, prepare("BEGIN"));
    ASSIGN_OR_RETURN(commit_, prepare("COMMIT"));
    ASSIGN_OR_RETURN(put_, prepare("INSERT OR REPLACE INTO kv(k, v) VALUES(?1, ?2)"));
    ASSIGN_OR_RETURN(del_, prepare("DELETE FROM kv WHERE k = ?1"));
    ASSIGN_OR_RETURN(get_, prepare("SELECT v FROM kv WHERE k = ?1"));
    ASSIGN_OR_RETURN(scan_, prepare("SELECT k, v FROM kv ORDER BY k"));
    return Status();
  }

  Status close() override {
    for (Statement* s : {&begin_, &commit_, &put_, &del_, &get_, &scan_}) s->reset();
    if (db_ == nullptr) return Status();
    const int rc = sqlite3_close(db_);
    const Status s = rc == SQLITE_OK ? Status() : error("close");
    db_ = nullptr;
    return s;
  }

  Status commit(std::span<const Op> ops) override {
    RETURN_IF_ERROR(run(begin_.get(), "BEGIN"));
    for (const Op& op : ops) {
      sqlite3_stmt* stmt = op.kind == Op::Kind::kPut ? put_.get() : del_.get();
      bind_blob(stmt, 1, op.key);
      if (op.kind == Op::Kind::kPut) bind_blob(stmt, 2, op.value);
      const Status s = run(stmt, op.kind == Op::Kind::kPut ? "put" : "delete");
      if (!s.ok()) {
        (void)sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        return s;
      }
    }
    return run(commit_.get(), "COMMIT");
  }

  // One read transaction: BEGIN here, the first get() takes the snapshot.
  Status begin_reads() override { return run(begin_.get(), "BEGIN"); }
  Status end_reads() override {
    sqlite3_reset(get_.get());
    return run(commit_.get(), "COMMIT");
  }

  // The statement stays on its row until the next get(), so that `value` can
  // point at SQLite's own copy of the bytes instead of a copy of ours.
  Status get(std::string_view key, std::string_view* value) override {
    sqlite3_stmt* stmt = get_.get();
    sqlite3_reset(stmt);
    bind_blob(stmt, 1, key);
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) return Status::not_found("get " + path_ + ": key " + std::string(key) + " is absent");
    if (rc != SQLITE_ROW) return error("get");
    *value = column(stmt, 0);
    return Status();
  }

  Result<ScanResult> scan() override {
    sqlite3_stmt* stmt = scan_.get();
    ScanResult result;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) result.add(column(stmt, 0), column(stmt, 1));
    const Status s = rc == SQLITE_DONE ? Status() : error("scan");
    sqlite3_reset(stmt);
    if (!s.ok()) return s;
    return result;
  }

  Result<FileBytes> file_bytes() override {
    FileBytes bytes;
    bytes.data = file_size_or_zero(path_);
    bytes.log = file_size_or_zero(path_ + (mode_ == JournalMode::kWal ? "-wal" : "-journal"));
    return bytes;
  }

 private:
  Status error(std::string_view op) const {
    return Status::io_error("sqlite " + std::string(op) + " " + path_ + ": " +
                            (db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory"));
  }

  Result<Statement> prepare(const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) != SQLITE_OK) return error(std::string("prepare ") + sql);
    return Statement(stmt, &sqlite3_finalize);
  }

  // Steps a statement that returns no rows to completion and resets it.
  Status run(sqlite3_stmt* stmt, std::string_view what) {
    const int rc = sqlite3_step(stmt);
    const Status s = rc == SQLITE_DONE ? Status() : error(what);
    sqlite3_reset(stmt);
    return s;
  }

  static void bind_blob(sqlite3_stmt* stmt, int index, std::string_view bytes) {
    sqlite3_bind_blob(stmt, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
  }

  static std::string_view column(sqlite3_stmt* stmt, int index) {
    const void* data = sqlite3_column_blob(stmt, index);
    return {static_cast<const char*>(data), static_cast<size_t>(sqlite3_column_bytes(stmt, index))};
  }

  JournalMode mode_;
  std::string path_;
  sqlite3* db_ = nullptr;
  Statement begin_{nullptr, &sqlite3_finalize};
  Statement commit_{nullptr, &sqlite3_finalize};
  Statement put_{nullptr, &sqlite3_finalize};
  Statement del_{nullptr, &sqlite3_finalize};
  Statement get_{nullptr, &sqlite3_finalize};
  Statement scan_{nullptr, &sqlite3_finalize};
};

std::string description(const char* journal) {
  return std::string("SQLite ") + sqlite3_libversion() + "; journal_mode=" + journal +
         ", synchronous=FULL, cache_size=-65536 (64 MiB), WITHOUT ROWID table, prepared statements";
}

const bool kRegisteredWal = register_target(
    "sqlite-wal", {[] { return std::make_unique<SqliteTarget>(JournalMode::kWal); }, description("WAL")});
const bool kRegisteredRollback = register_target(
    "sqlite-rollback", {[] { return std::make_unique<SqliteTarget>(JournalMode::kRollback); }, description("DELETE")});

}  // namespace
}  // namespace bench
