#include "crashsim/peers/sqlite_system.h"

#include <sqlite3.h>

#include <array>
#include <mutex>
#include <set>
#include <utility>

#include "crashsim/check/invariants.h"
#include "crashsim/peers/sqlite_regions.h"
#include "crashsim/peers/sqlite_vfs.h"

namespace crashsim::peers {

using vfs::Result;
using vfs::Status;

namespace {

constexpr char kDatabase[] = "db";

// SQLite's recovery notices reach one process-wide log callback, on the
// thread that runs the recovery: the open that runs it collects them here.
thread_local std::set<std::string>* t_recovery_notices = nullptr;

void log_callback(void*, int code, const char*) {
  if (t_recovery_notices == nullptr) return;
  if (code == SQLITE_NOTICE_RECOVER_WAL) t_recovery_notices->insert("wal-recovered");
  if (code == SQLITE_NOTICE_RECOVER_ROLLBACK) t_recovery_notices->insert("journal-rolled-back");
}

// SQLITE_CONFIG_LOG is accepted only before sqlite3_initialize().
void install_log_callback_once() {
  static std::once_flag once;
  std::call_once(once, [] { (void)sqlite3_config(SQLITE_CONFIG_LOG, log_callback, nullptr); });
}

// Collects the recovery notices of one open, on this thread.
class NoticeScope {
 public:
  explicit NoticeScope(std::set<std::string>& into) { t_recovery_notices = &into; }
  ~NoticeScope() { t_recovery_notices = nullptr; }
  NoticeScope(const NoticeScope&) = delete;
  NoticeScope& operator=(const NoticeScope&) = delete;
};

struct StatementDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

class Connection {
 public:
  Connection(std::unique_ptr<SqliteVfs> shim, sqlite3* db) : shim_(std::move(shim)), db_(db) {}
  // The connection closes before the VFS it uses is unregistered.
  ~Connection() {
    if (db_ != nullptr) sqlite3_close_v2(db_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* db() const { return db_; }

  // Every statement must be finalized first.
  Status close() {
    if (const int rc = sqlite3_close(db_); rc != SQLITE_OK) return error("close", rc);
    db_ = nullptr;
    return Status();
  }

  // The Status for SQLite result `rc` of `what`: the code from SQLite's
  // primary result, the message from SQLite and the Vfs error behind it.
  Status error(std::string_view what, int rc) {
    std::string message = "sqlite " + std::string(what) + " on " + kDatabase + ": " + sqlite3_errmsg(db_) + " (" +
                          sqlite3_errstr(rc) + ", code " + std::to_string(rc) + ")";
    if (Status cause = shim_->take_last_error(); !cause.ok()) message += ": " + cause.message();
    switch (rc & 0xff) {
      case SQLITE_CORRUPT:
      case SQLITE_NOTADB:
        return Status::corruption(std::move(message));
      case SQLITE_FULL:
        return Status::no_space(std::move(message));
      default:
        return Status::io_error(std::move(message));
    }
  }

  Status exec(const std::string& sql) {
    if (const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr); rc != SQLITE_OK)
      return error(sql, rc);
    return Status();
  }

  // The first column of the first row of `sql` (a pragma that answers).
  Result<std::string> query_text(const std::string& sql) {
    ASSIGN_OR_RETURN(Statement st, prepare(sql));
    const int rc = sqlite3_step(st.get());
    if (rc != SQLITE_ROW) return error(sql, rc);
    const auto* text = sqlite3_column_text(st.get(), 0);
    return std::string(text == nullptr ? "" : reinterpret_cast<const char*>(text));
  }

  Result<Statement> prepare(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (const int rc = sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr);
        rc != SQLITE_OK)
      return error("prepare " + sql, rc);
    return Statement(st);
  }

 private:
  std::unique_ptr<SqliteVfs> shim_;
  sqlite3* db_;
};

Status bind_blob(Connection& c, sqlite3_stmt* st, int index, const std::string& bytes) {
  // A zero-length blob must still be a blob, not NULL: pass a non-null pointer.
  static const char kEmpty = 0;
  const int rc = sqlite3_bind_blob(st, index, bytes.empty() ? &kEmpty : bytes.data(), static_cast<int>(bytes.size()),
                                   SQLITE_TRANSIENT);
  return rc == SQLITE_OK ? Status() : c.error("bind", rc);
}

std::string column_bytes(sqlite3_stmt* st, int column) {
  const void* p = sqlite3_column_blob(st, column);
  const int n = sqlite3_column_bytes(st, column);
  return p == nullptr ? std::string() : std::string(static_cast<const char*>(p), static_cast<size_t>(n));
}

class SqliteSession final : public SutSession {
 public:
  SqliteSession(std::unique_ptr<Connection> c, std::vector<std::string> recovery, bool wal)
      : c_(std::move(c)), recovery_(std::move(recovery)), wal_(wal) {}

  Status prepare_statements() {
    ASSIGN_OR_RETURN(begin_, c_->prepare("BEGIN"));
    ASSIGN_OR_RETURN(commit_, c_->prepare("COMMIT"));
    ASSIGN_OR_RETURN(rollback_, c_->prepare("ROLLBACK"));
    ASSIGN_OR_RETURN(put_, c_->prepare("INSERT OR REPLACE INTO kv(k, v) VALUES (?1, ?2)"));
    ASSIGN_OR_RETURN(del_, c_->prepare("DELETE FROM kv WHERE k = ?1"));
    ASSIGN_OR_RETURN(get_, c_->prepare("SELECT v FROM kv WHERE k = ?1"));
    ASSIGN_OR_RETURN(scan_, c_->prepare("SELECT k, v FROM kv ORDER BY k"));
    return Status();
  }

  Status apply(const Batch& batch) override {
    if (Status s = step_done(begin_.get(), "BEGIN"); !s.ok()) return s;
    Status s = write_ops(batch);
    if (s.ok()) s = step_done(commit_.get(), "COMMIT");
    // A failed statement or COMMIT may leave the transaction open (SQLite
    // rolls some errors back by itself): close it, so the next batch starts clean.
    if (!s.ok() && sqlite3_get_autocommit(c_->db()) == 0) (void)step_done(rollback_.get(), "ROLLBACK");
    return s;
  }

  Status get(const std::string& key, std::string* value) override {
    sqlite3_stmt* st = get_.get();
    RETURN_IF_ERROR(bind_blob(*c_, st, 1, key));
    const int rc = sqlite3_step(st);
    Status s;
    if (rc == SQLITE_ROW) {
      *value = column_bytes(st, 0);
    } else if (rc == SQLITE_DONE) {
      s = Status::not_found("sqlite get: key absent");
    } else {
      s = c_->error("SELECT v FROM kv WHERE k = ?", rc);
    }
    sqlite3_reset(st);
    return s;
  }

  Result<KvState> scan_all() override {
    sqlite3_stmt* st = scan_.get();
    KvState state;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) state.emplace_hint(state.end(), column_bytes(st, 0), column_bytes(st, 1));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return c_->error("SELECT k, v FROM kv ORDER BY k", rc);
    return state;
  }

  Status checkpoint() override {
    if (!wal_) return Status::not_supported("sqlite checkpoint: only WAL mode has one");
    int log = 0, copied = 0;
    const int rc = sqlite3_wal_checkpoint_v2(c_->db(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    return rc == SQLITE_OK ? Status() : c_->error("wal_checkpoint(PASSIVE)", rc);
  }

  Result<std::vector<SutFinding>> verify() override {
    ASSIGN_OR_RETURN(Statement st, c_->prepare("PRAGMA integrity_check"));
    std::vector<SutFinding> findings;
    int rc;
    while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(st.get(), 0);
      const std::string line = text == nullptr ? "" : reinterpret_cast<const char*>(text);
      if (line != "ok") findings.push_back({std::string(invariant::kStructure), "integrity_check: " + line});
    }
    if (rc != SQLITE_DONE) return c_->error("PRAGMA integrity_check", rc);
    return findings;
  }

  std::vector<std::string> recovery_paths() override { return recovery_; }

  Status close() override {
    for (Statement* st : {&begin_, &commit_, &rollback_, &put_, &del_, &get_, &scan_}) st->reset();
    return c_->close();
  }

 private:
  Status step_done(sqlite3_stmt* st, std::string_view what) {
    const int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? Status() : c_->error(what, rc);
  }

  Status write_ops(const Batch& batch) {
    for (const KvOp& op : batch) {
      sqlite3_stmt* st = op.kind == KvOp::Kind::kPut ? put_.get() : del_.get();
      RETURN_IF_ERROR(bind_blob(*c_, st, 1, op.key));
      if (op.kind == KvOp::Kind::kPut) RETURN_IF_ERROR(bind_blob(*c_, st, 2, op.value));
      RETURN_IF_ERROR(step_done(st, op.kind == KvOp::Kind::kPut ? "INSERT OR REPLACE" : "DELETE"));
    }
    return Status();
  }

  std::unique_ptr<Connection> c_;
  std::vector<std::string> recovery_;
  bool wal_;
  Statement begin_, commit_, rollback_, put_, del_, get_, scan_;
};

// The pragmas open() runs, in order (see the header for why each).
std::vector<std::string> setup_pragmas(const SqliteOptions& o) {
  const bool wal = o.journal_mode == SqliteOptions::JournalMode::kWal;
  return {
      std::string("PRAGMA locking_mode=") + (wal ? "EXCLUSIVE" : "NORMAL"),
      "PRAGMA page_size=" + std::to_string(o.page_size),
      "PRAGMA journal_mode=" + std::string(journal_mode_name(o.journal_mode)),
      "PRAGMA synchronous=" + std::string(synchronous_name(o.synchronous)),
      "PRAGMA wal_autocheckpoint=" + std::to_string(o.wal_autocheckpoint),
      "PRAGMA temp_store=MEMORY",
  };
}

}  // namespace

std::string_view journal_mode_name(SqliteOptions::JournalMode mode) {
  static constexpr std::array<std::string_view, 5> kNames = {"delete", "truncate", "wal", "memory", "off"};
  return kNames[static_cast<size_t>(mode)];
}

std::string_view synchronous_name(SqliteOptions::Synchronous level) {
  static constexpr std::array<std::string_view, 4> kNames = {"off", "normal", "full", "extra"};
  return kNames[static_cast<size_t>(level)];
}

std::string SqliteSystem::name() const {
  std::string n = "sqlite[" + std::string(journal_mode_name(options_.journal_mode)) + "," +
                  std::string(synchronous_name(options_.synchronous));
  const SqliteOptions defaults;
  if (options_.page_size != defaults.page_size) n += ",page_size=" + std::to_string(options_.page_size);
  if (options_.wal_autocheckpoint != defaults.wal_autocheckpoint)
    n += ",checkpoint=" + std::to_string(options_.wal_autocheckpoint);
  return n + "]";
}

std::vector<FileRegion> SqliteSystem::describe_regions(const DiskImage& image) const { return sqlite_regions(image); }

Result<std::unique_ptr<SutSession>> SqliteSystem::open(vfs::Vfs& vfs) {
  install_log_callback_once();
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteVfs> shim, SqliteVfs::register_over(vfs));
  const char* shim_name = shim->name();
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(kDatabase, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 shim_name);
  // Even a failed open returns a handle (to read the error from), which must be closed.
  auto connection = std::make_unique<Connection>(std::move(shim), db);
  if (rc != SQLITE_OK) return connection->error("open", rc);

  std::set<std::string> notices;
  {
    const NoticeScope scope(notices);
    for (const std::string& pragma : setup_pragmas(options_)) RETURN_IF_ERROR(connection->exec(pragma));
    const std::string want(journal_mode_name(options_.journal_mode));
    ASSIGN_OR_RETURN(const std::string mode, connection->query_text("PRAGMA journal_mode"));
    if (mode != want)
      return Status::io_error("sqlite open " + std::string(kDatabase) + ": journal_mode is '" + mode + "', not '" +
                              want + "'");
    RETURN_IF_ERROR(connection->exec("CREATE TABLE IF NOT EXISTS kv(k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID"));
  }
  auto session = std::make_unique<SqliteSession>(std::move(connection),
                                                 std::vector<std::string>(notices.begin(), notices.end()),
                                                 options_.journal_mode == SqliteOptions::JournalMode::kWal);
  RETURN_IF_ERROR(session->prepare_statements());
  return std::unique_ptr<SutSession>(std::move(session));
}

}  // namespace crashsim::peers
