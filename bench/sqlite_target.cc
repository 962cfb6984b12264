// SQLite as a KvTarget, in its two durable configurations:
//   sqlite-wal       journal_mode=WAL,    synchronous=FULL
//   sqlite-rollback  journal_mode=DELETE, synchronous=FULL
// Both use a WITHOUT ROWID table (the key is the primary key, so a get is one
// b-tree descent, as in a key-value store), prepared statements with static
// bindings, and cache_size=-65536 (64 MiB, the cache our engine is given).
// Everything else is SQLite's default: 4 KiB pages, WAL auto-checkpoint at
// 1000 pages, the default unix VFS. A commit is BEGIN IMMEDIATE, the ops,
// COMMIT: IMMEDIATE takes the write lock first, so that concurrent writers
// queue in the busy handler instead of failing to upgrade a read lock.
//
// A session is a connection of its own (SQLite's unit of concurrency), with
// the same settings and busy_timeout=10000: a writer or, in rollback mode, a
// reader that finds the lock taken sleeps and retries, as SQLite users do.
#include <sqlite3.h>

#include <memory>
#include <string>

#include "bench/bench_env.h"
#include "bench/kv_target.h"

namespace bench {
namespace {

constexpr char kFileName[] = "sqlite.db";
constexpr int kBusyTimeoutMs = 10'000;

enum class JournalMode { kWal, kRollback };

// A prepared statement, finalized on destruction.
using Statement = std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)>;

// One connection with its settings and prepared statements; closed on destruction.
class Connection {
 public:
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { (void)close(); }

  static Result<std::unique_ptr<Connection>> open(const std::string& path, JournalMode mode) {
    std::unique_ptr<Connection> c(new Connection(path));
    if (sqlite3_open_v2(path.c_str(), &c->db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK)
      return c->error("open");
    if (sqlite3_busy_timeout(c->db_, kBusyTimeoutMs) != SQLITE_OK) return c->error("busy_timeout");
    const char* journal = mode == JournalMode::kWal ? "PRAGMA journal_mode=WAL" : "PRAGMA journal_mode=DELETE";
    for (const char* sql : {journal, "PRAGMA synchronous=FULL", "PRAGMA cache_size=-65536",
                            "CREATE TABLE IF NOT EXISTS kv(k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID"}) {
      if (sqlite3_exec(c->db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return c->error(sql);
    }
    ASSIGN_OR_RETURN(c->begin_, c->prepare("BEGIN"));
    ASSIGN_OR_RETURN(c->begin_write_, c->prepare("BEGIN IMMEDIATE"));
    ASSIGN_OR_RETURN(c->commit_, c->prepare("COMMIT"));
    ASSIGN_OR_RETURN(c->put_, c->prepare("INSERT OR REPLACE INTO kv(k, v) VALUES(?1, ?2)"));
    ASSIGN_OR_RETURN(c->del_, c->prepare("DELETE FROM kv WHERE k = ?1"));
    ASSIGN_OR_RETURN(c->get_, c->prepare("SELECT v FROM kv WHERE k = ?1"));
    ASSIGN_OR_RETURN(c->scan_, c->prepare("SELECT k, v FROM kv ORDER BY k"));
    return c;
  }

  // Closes now, reporting SQLite's answer (the destructor cannot); a second call does nothing.
  Status close() {
    if (db_ == nullptr) return Status();
    for (Statement* s : {&begin_, &begin_write_, &commit_, &put_, &del_, &get_, &scan_}) s->reset();
    const int rc = sqlite3_close(db_);
    const Status s = rc == SQLITE_OK ? Status() : error("close");
    db_ = nullptr;
    return s;
  }

  Status commit(std::span<const Op> ops) {
    RETURN_IF_ERROR(run(begin_write_.get(), "BEGIN IMMEDIATE"));
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
  Status begin_reads() { return run(begin_.get(), "BEGIN"); }
  Status end_reads() {
    end_get();
    return run(commit_.get(), "COMMIT");
  }

  // The statement stays on its row until end_get() or the next get(), so
  // that `value` can point at SQLite's own copy of the bytes instead of a
  // copy of ours. Outside BEGIN/COMMIT the row holds the get's own read
  // transaction open until then.
  Status get(std::string_view key, std::string_view* value) {
    sqlite3_stmt* stmt = get_.get();
    sqlite3_reset(stmt);
    bind_blob(stmt, 1, key);
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) return Status::not_found("get " + path_ + ": key " + std::string(key) + " is absent");
    if (rc != SQLITE_ROW) return error("get");
    *value = column(stmt, 0);
    return Status();
  }
  void end_get() { sqlite3_reset(get_.get()); }

  Result<ScanResult> scan() {
    sqlite3_stmt* stmt = scan_.get();
    ScanResult result;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) result.add(column(stmt, 0), column(stmt, 1));
    const Status s = rc == SQLITE_DONE ? Status() : error("scan");
    sqlite3_reset(stmt);
    if (!s.ok()) return s;
    return result;
  }

 private:
  explicit Connection(std::string path) : path_(std::move(path)) {}

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

  std::string path_;
  sqlite3* db_ = nullptr;
  Statement begin_{nullptr, &sqlite3_finalize};
  Statement begin_write_{nullptr, &sqlite3_finalize};
  Statement commit_{nullptr, &sqlite3_finalize};
  Statement put_{nullptr, &sqlite3_finalize};
  Statement del_{nullptr, &sqlite3_finalize};
  Statement get_{nullptr, &sqlite3_finalize};
  Statement scan_{nullptr, &sqlite3_finalize};
};

// A connection of the session's own; each get is an autocommit SELECT, its
// read transaction ended (the statement reset) before get() returns.
class SqliteSession final : public KvSession {
 public:
  explicit SqliteSession(std::unique_ptr<Connection> connection) : connection_(std::move(connection)) {}

  Status commit(std::span<const Op> ops) override { return connection_->commit(ops); }

  Status get(std::string_view key, std::string_view* value) override {
    std::string_view row;
    const Status s = connection_->get(key, &row);
    if (s.ok()) value_.assign(row);
    connection_->end_get();
    *value = value_;
    return s;
  }

 private:
  std::unique_ptr<Connection> connection_;
  std::string value_;
};

class SqliteTarget final : public KvTarget {
 public:
  explicit SqliteTarget(JournalMode mode) : mode_(mode) {}

  Status open(const std::string& dir) override {
    path_ = dir + "/" + kFileName;
    ASSIGN_OR_RETURN(connection_, Connection::open(path_, mode_));
    return Status();
  }

  Status close() override {
    if (!connection_) return Status();
    const Status s = connection_->close();
    connection_.reset();
    return s;
  }

  Status commit(std::span<const Op> ops) override { return connection_->commit(ops); }
  Status begin_reads() override { return connection_->begin_reads(); }
  Status end_reads() override { return connection_->end_reads(); }
  Status get(std::string_view key, std::string_view* value) override { return connection_->get(key, value); }
  Result<ScanResult> scan() override { return connection_->scan(); }

  Result<FileBytes> file_bytes() override {
    FileBytes bytes;
    bytes.data = file_size_or_zero(path_);
    bytes.log = file_size_or_zero(path_ + (mode_ == JournalMode::kWal ? "-wal" : "-journal"));
    return bytes;
  }

  Result<std::unique_ptr<KvSession>> open_session() override {
    ASSIGN_OR_RETURN(std::unique_ptr<Connection> connection, Connection::open(path_, mode_));
    return std::unique_ptr<KvSession>(std::make_unique<SqliteSession>(std::move(connection)));
  }

 private:
  JournalMode mode_;
  std::string path_;
  std::unique_ptr<Connection> connection_;
};

std::string description(const char* journal) {
  return std::string("SQLite ") + sqlite3_libversion() + "; journal_mode=" + journal +
         ", synchronous=FULL, cache_size=-65536 (64 MiB), WITHOUT ROWID table, prepared statements; "
         "sessions: a connection each, busy_timeout=10000";
}

const bool kRegisteredWal = register_target(
    "sqlite-wal", {[] { return std::make_unique<SqliteTarget>(JournalMode::kWal); }, description("WAL")});
const bool kRegisteredRollback = register_target(
    "sqlite-rollback", {[] { return std::make_unique<SqliteTarget>(JournalMode::kRollback); }, description("DELETE")});

}  // namespace
}  // namespace bench
