#include "engine/snapshot.h"

#include <exception>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <utility>

#include "engine/cursor.h"

namespace engine {
namespace {

class DbSnapshot final : public Snapshot {
 public:
  DbSnapshot(std::shared_ptr<DbState> db, std::shared_ptr<ReadPoint> point, std::string path)
      : db_(std::move(db)), point_(std::move(point)), path_(std::move(path)) {}

  uint64_t sequence() const override { return point_->meta.txn_seq; }

  Status get(std::string_view key, std::string* value) override {
    try {
      {
        std::shared_lock shared(db_->mu);
        if (!db_->pager) return closed("get");
        const Status size_ok = check_entry_size(db_->pager->page_size(), key.size(), 0);
        if (!size_ok.ok()) return size_ok.with("get " + path_);
        if (at_last_commit(*db_->pager)) {
          const Meta& meta = point_->meta;
          if (std::optional<Status> s = db_->tree->get_shared(meta.root, meta.depth, key, value)) return *s;
        }
      }
      std::lock_guard lock(db_->mu);
      if (!db_->pager) return closed("get");
      Pager& pager = *db_->pager;
      const Meta& meta = point_->meta;
      const bool latest = at_last_commit(pager);
      SnapshotReader pages(pager, *point_);
      const Status s = latest ? db_->tree->get(meta.root, meta.depth, key, value)
                                      : lookup(pages, meta.root, meta.depth, key, value);
      if (s.ok() || s.is_not_found()) return s;
      return s.with("get " + path_ + " in the snapshot at txn " + std::to_string(meta.txn_seq));
    } catch (const std::exception& e) {
      return Status::io_error("get " + path_ + " in a snapshot: " + e.what());
    }
  }

  Result<std::unique_ptr<Cursor>> new_cursor() override {
    std::lock_guard lock(db_->mu);
    if (!db_->pager) return closed("new cursor");
    return new_tree_cursor(db_, point_, CursorPoint::kFailOnExpiry);
  }

 private:
  // A snapshot still at the last commit reads through the tree's fast paths
  // (the same images, digested and linked).
  bool at_last_commit(const Pager& pager) const {
    return point_->meta.txn_seq == pager.meta().txn_seq && !point_->expired;
  }

  Status closed(const std::string& op) const {
    return Status::invalid_argument(op + " in a snapshot of " + path_ + ": the database is closed");
  }

  std::shared_ptr<DbState> db_;
  std::shared_ptr<ReadPoint> point_;
  const std::string path_;
};

}  // namespace

std::unique_ptr<Snapshot> new_snapshot(std::shared_ptr<DbState> db, std::shared_ptr<ReadPoint> point,
                                       std::string path) {
  return std::make_unique<DbSnapshot>(std::move(db), std::move(point), std::move(path));
}

}  // namespace engine
