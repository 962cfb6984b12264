#include "crashsim/engine_adapter.h"

#include "crashsim/check/invariants.h"
#include "engine/file_layout.h"

namespace crashsim {

using vfs::Result;
using vfs::Status;

namespace {

engine::WriteBatch write_batch(const Batch& batch) {
  engine::WriteBatch wb;
  for (const KvOp& op : batch) {
    if (op.kind == KvOp::Kind::kPut) {
      wb.put(op.key, op.value);
    } else {
      wb.del(op.key);
    }
  }
  return wb;
}

// Every entry a new cursor shows, in order.
Result<KvState> scan(Result<std::unique_ptr<engine::Cursor>> made) {
  ASSIGN_OR_RETURN(std::unique_ptr<engine::Cursor> cursor, std::move(made));
  KvState state;
  for (cursor->seek_to_first(); cursor->valid(); cursor->next()) {
    state.emplace_hint(state.end(), std::string(cursor->key()), std::string(cursor->value()));
  }
  RETURN_IF_ERROR(cursor->status());
  return state;
}

class EngineSnapshot final : public SutSnapshot {
 public:
  explicit EngineSnapshot(std::unique_ptr<engine::Snapshot> snapshot) : snapshot_(std::move(snapshot)) {}
  Status get(const std::string& key, std::string* value) override { return snapshot_->get(key, value); }
  Result<KvState> scan_all() override { return scan(snapshot_->new_cursor()); }

 private:
  std::unique_ptr<engine::Snapshot> snapshot_;
};

class EngineSession final : public SutSession {
 public:
  EngineSession(std::unique_ptr<engine::Db> db, uint64_t snapshot_memory_limit)
      : db_(std::move(db)), snapshot_memory_limit_(snapshot_memory_limit) {}

  Status apply(const Batch& batch) override { return db_->write(write_batch(batch)); }

  void apply_group(const std::vector<Batch>& batches,
                   const std::function<void(size_t, const Status&)>& on_done) override {
    std::vector<engine::WriteBatch> group;
    group.reserve(batches.size());
    for (const Batch& batch : batches) group.push_back(write_batch(batch));
    static_cast<void>(db_->write_group(group, on_done));
  }

  Status get(const std::string& key, std::string* value) override { return db_->get(key, value); }

  Result<KvState> scan_all() override { return scan(db_->new_cursor()); }

  Status checkpoint() override { return db_->checkpoint(); }

  Result<std::unique_ptr<SutSnapshot>> snapshot() override {
    ASSIGN_OR_RETURN(std::unique_ptr<engine::Snapshot> snapshot, db_->snapshot());
    return std::unique_ptr<SutSnapshot>(std::make_unique<EngineSnapshot>(std::move(snapshot)));
  }

  std::optional<uint64_t> snapshot_memory_limit() const override { return snapshot_memory_limit_; }

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
  const uint64_t snapshot_memory_limit_;
};

std::string type_kind(std::string_view prefix, uint8_t type) {
  return std::string(prefix) + std::string(engine::page_type_name(type).value_or("unknown"));
}

void add_wal_regions(const engine::WalLayout& wal, const std::string& path, std::vector<FileRegion>& out) {
  if (wal.file_size == 0) return;
  out.push_back({path, 0, std::min<uint64_t>(wal.file_size, engine::kWalHeaderSize), "wal-header"});
  const uint64_t generation = wal.header.fields.generation;
  for (const engine::WalSlotLayout& slot : wal.slots) {
    if (slot.empty) {
      out.push_back({path, slot.offset, slot.length, "wal-empty-slot"});
    } else if (!slot.valid()) {
      out.push_back({path, slot.offset, slot.length, "wal-damaged-slot"});
    } else if (slot.trailer.generation != generation) {
      out.push_back({path, slot.offset, slot.length, "wal-stale-frame"});
    } else if (slot.is_commit()) {
      out.push_back({path, slot.offset, slot.length, "wal-commit-frame"});
    } else {
      out.push_back({path, slot.offset, wal.page_size, type_kind("wal-page-", slot.page_type)});
      out.push_back({path, slot.trailer_offset(), engine::kFrameTrailerSize, "wal-frame-trailer"});
    }
  }
}

void add_data_regions(const engine::DataFileLayout& data, const std::string& path, std::vector<FileRegion>& out) {
  for (const engine::DataPageLayout& page : data.pages) {
    std::string kind = page.pgno == engine::kMetaPage ? "data-meta"
                       : page.checksum_ok             ? type_kind("data-", page.type)
                                                      : "data-damaged";
    out.push_back({path, page.offset, page.length, std::move(kind)});
  }
}

vfs::Bytes file_or_empty(const DiskImage& image, const std::string& path) {
  const auto it = image.files.find(path);
  return it == image.files.end() ? vfs::Bytes() : it->second.to_bytes();
}

}  // namespace

EngineSystem::EngineSystem(engine::Options options, std::string path)
    : options_(options), path_(std::move(path)) {}

std::string EngineSystem::name() const {
  if (options_.mutant == engine::Mutant::kNone) return "engine";
  return "engine[" + std::string(engine::mutant_name(options_.mutant)) + "]";
}

std::vector<FileRegion> EngineSystem::describe_regions(const DiskImage& image) const {
  const std::string wal_path = path_ + "-wal";
  const engine::FileLayout layout = engine::inspect_files(file_or_empty(image, path_), file_or_empty(image, wal_path),
                                                          path_, wal_path, options_.mutant);
  std::vector<FileRegion> regions;
  add_wal_regions(layout.wal, wal_path, regions);
  add_data_regions(layout.data, path_, regions);
  return regions;
}

std::optional<uint64_t> EngineSystem::defect_fired_count() const {
  if (options_.mutant == engine::Mutant::kNone) return std::nullopt;
  return engine::mutant_fired_count(options_.mutant);
}

Result<std::unique_ptr<SutSession>> EngineSystem::open(vfs::Vfs& vfs) {
  ASSIGN_OR_RETURN(std::unique_ptr<engine::Db> db, engine::Db::open(vfs, path_, options_));
  return std::unique_ptr<SutSession>(std::make_unique<EngineSession>(std::move(db), options_.snapshot_memory_limit));
}

}  // namespace crashsim
