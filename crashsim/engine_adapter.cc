#include "crashsim/engine_adapter.h"

#include "crashsim/invariants.h"

namespace crashsim {

using vfs::Result;
using vfs::Status;

namespace {

class EngineSession final : public SutSession {
 public:
  explicit EngineSession(std::unique_ptr<engine::Db> db) : db_(std::move(db)) {}

  Status apply(const Batch& batch) override {
    engine::WriteBatch wb;
    for (const KvOp& op : batch) {
      if (op.kind == KvOp::Kind::kPut) {
        wb.put(op.key, op.value);
      } else {
        wb.del(op.key);
      }
    }
    return db_->write(wb);
  }

  Status get(const std::string& key, std::string* value) override { return db_->get(key, value); }

  Result<KvState> scan_all() override {
    ASSIGN_OR_RETURN(std::unique_ptr<engine::Cursor> cursor, db_->new_cursor());
    KvState state;
    for (cursor->seek_to_first(); cursor->valid(); cursor->next()) {
      state.emplace_hint(state.end(), std::string(cursor->key()), std::string(cursor->value()));
    }
    RETURN_IF_ERROR(cursor->status());
    return state;
  }

  Status checkpoint() override { return db_->checkpoint(); }

  Result<std::vector<SutFinding>> verify() override {
    ASSIGN_OR_RETURN(const engine::VerifyReport report, db_->verify());
    std::vector<SutFinding> findings;
    for (const engine::Violation& v : report.violations) {
      const bool leak = v.kind == engine::Violation::Kind::kLeak || v.kind == engine::Violation::Kind::kDoubleReference;
      findings.push_back({std::string(leak ? invariant::kLeak : invariant::kStructure),
                          std::string(engine::violation_kind_name(v.kind)) + " at page " + std::to_string(v.page) +
                              ": " + v.message});
    }
    return findings;
  }

  std::vector<std::string> recovery_paths() override {
    auto stats = db_->stats();
    if (!stats.ok()) return {};
    const engine::RecoveryInfo& r = stats->recovery;
    std::vector<std::string> paths;
    if (r.txns_replayed > 0) paths.emplace_back("wal-replayed");
    if (r.torn_tail_discarded) paths.emplace_back("torn-tail-discarded");
    if (r.uncommitted_txn_dropped) paths.emplace_back("uncommitted-txn-dropped");
    if (r.stale_frames_ignored) paths.emplace_back("stale-frames-ignored");
    if (r.wal_header_rewritten) paths.emplace_back("wal-header-rewritten");
    if (r.checkpoint_redone) paths.emplace_back("checkpoint-redone");
    return paths;
  }

  Status close() override { return db_->close(); }

 private:
  std::unique_ptr<engine::Db> db_;
};

}  // namespace

EngineSystem::EngineSystem(engine::Options options, std::string path)
    : options_(options), path_(std::move(path)) {}

std::string EngineSystem::name() const {
  if (options_.mutant == engine::Mutant::kNone) return "engine";
  return "engine[" + std::string(engine::mutant_name(options_.mutant)) + "]";
}

Result<std::unique_ptr<SutSession>> EngineSystem::open(vfs::Vfs& vfs) {
  ASSIGN_OR_RETURN(std::unique_ptr<engine::Db> db, engine::Db::open(vfs, path_, options_));
  return std::unique_ptr<SutSession>(std::make_unique<EngineSession>(std::move(db)));
}

}  // namespace crashsim
