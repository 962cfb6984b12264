#include "engine/cursor.h"

#include <atomic>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/node.h"
#include "engine/overflow.h"

namespace engine {
namespace {

// An image fetched before the cursor needs it: of `pgno` at the cursor's
// read point, or null.
struct Ahead {
  PageRef page;
  PageNo pgno = kNoPage;
};

// The pages of a read point, serving the one fetched ahead (taking it) when
// it is the page asked for.
class AheadReader final : public PageReader {
 public:
  AheadReader(Pager& pager, const ReadPoint& point, Ahead& ahead) : pages_(pager, point), ahead_(ahead) {}
  uint32_t page_size() const override { return pages_.page_size(); }
  const std::string& path() const override { return pages_.path(); }
  Result<PageRef> get(PageNo pgno) override {
    if (ahead_.page && ahead_.pgno == pgno) return std::exchange(ahead_, {}).page;
    return pages_.get(pgno);
  }

 private:
  SnapshotReader pages_;
  Ahead& ahead_;
};

class TreeCursor final : public Cursor {
 public:
  TreeCursor(std::shared_ptr<DbState> db, std::shared_ptr<ReadPoint> point, CursorPoint kind)
      : db_(std::move(db)), point_(std::move(point)), kind_(kind) {}

  void seek(std::string_view key) override {
    std::lock_guard lock(db_->mu);
    guarded([&] { position(key, false); });
  }
  void seek_for_prev(std::string_view key) override {
    std::lock_guard lock(db_->mu);
    guarded([&] { position_back(key, false); });
  }
  void seek_to_first() override {
    std::lock_guard lock(db_->mu);
    guarded([&] { position({}, false); });
  }
  void seek_to_last() override {
    std::lock_guard lock(db_->mu);
    guarded([&] { position_back({}, false, true); });
  }
  bool valid() const override { return valid_; }
  void next() override {
    if (!valid_) return;
    if (step_within_leaf(true)) return;
    std::lock_guard lock(db_->mu);
    if (!valid_) return;
    guarded([&] {
      if (renew_expired_point()) return position(key_, true);
      ++stack_.back().index;
      settle(true);
    });
  }
  void prev() override {
    if (!valid_) return;
    if (step_within_leaf(false)) return;
    std::lock_guard lock(db_->mu);
    if (!valid_) return;
    guarded([&] {
      if (renew_expired_point()) return position_back(key_, true);
      step_back(true);
    });
  }
  std::string_view key() const override { return key_; }
  std::string_view value() const override { return value_; }
  Status status() const override { return status_; }

 private:
  struct Frame {
    PageRef page;
    uint32_t index;  // internal: the child taken; leaf: the entry
  };

  // Runs a move, turning an exception (an allocation failing for a large
  // value) into the cursor's status: nothing throws out of the API.
  template <class Fn>
  void guarded(Fn&& move) {
    try {
      move();
    } catch (const std::exception& e) {
      fail(Status::io_error(std::string("cursor: ") + e.what()));
    }
  }

  void fail(Status s) {
    status_ = std::move(s);
    valid_ = false;
    key_ = {};
    value_ = {};
    stack_.clear();
    ahead_ = {};
  }

  // The next (or previous) entry when it lies in the leaf the cursor holds
  // and its value is inline: a move that reads only that image, which the
  // cursor's reference keeps alive and no one changes, so it takes no lock
  // at all (the readers' lock, even shared, was a quarter of the scan
  // benchmark's time: 74 against 55 ns a key). Nothing else it reads is
  // shared but the point's expiry flag. A closed database does not stop it:
  // the locked path also steps within a held leaf after a close, and fails
  // only at the next page it must load. False, with nothing changed, for
  // every other move (to another leaf, an overflow value, an expired point,
  // which a cursor of Db::new_cursor renews): the caller then takes the
  // lock exclusively and makes it the ordinary way.
  bool step_within_leaf(bool forward) {
    if (point_->has_expired.load(std::memory_order_acquire)) return false;
    Frame& top = stack_.back();
    const NodeView leaf(top.page->bytes);
    if (forward ? top.index + 1 >= leaf.count() : top.index == 0) return false;
    const uint32_t index = forward ? top.index + 1 : top.index - 1;
    const StoredValue v = leaf.value(index);
    if (v.overflow) return false;
    top.index = index;
    key_ = leaf.key(index);
    value_ = v.inline_bytes;
    return true;
  }

  // A cursor of Db::new_cursor whose read point expired (the snapshot
  // memory bound) moves to the last commit instead of failing: true when it
  // took a new point, and the move should continue from the current key in
  // that commit. A snapshot's cursor keeps its point and fails with it.
  bool renew_expired_point() {
    if (kind_ != CursorPoint::kRenewOnExpiry || !point_->expired || !db_->pager) return false;
    point_ = db_->pager->read_point();
    ahead_ = {};  // an image of the old point's tree
    return true;
  }

  // Starts a new position from the committed tree: the root to walk down,
  // or kNoPage when the tree is empty or the database closed (then failed).
  PageNo restart() {
    valid_ = false;
    status_ = Status();
    if (!db_->pager) {
      fail(Status::invalid_argument("cursor: the database is closed"));
      return kNoPage;
    }
    renew_expired_point();
    depth_ = point_->meta.depth;
    return point_->meta.root;
  }

  // Walks from the root down to the leaf whose range holds `key` (the
  // rightmost path when `last`), pushing a frame per node, the leaf's at
  // lower_bound(key) (at its end when `last`), and returns that position;
  // nothing when the tree is empty or a node could not be read (then failed).
  std::optional<NodeView::Position> descend(std::string_view key, bool last) {
    PageNo pgno = restart();
    if (pgno == kNoPage) return std::nullopt;
    while (true) {
      auto page = load(pgno);
      if (!page.ok()) {
        fail(page.status());
        return std::nullopt;
      }
      const NodeView node((*page)->bytes);
      if (node.is_leaf()) {
        const NodeView::Position pos = last ? NodeView::Position{node.count(), false} : node.lower_bound(key);
        stack_.push_back({std::move(*page), pos.index});
        return pos;
      }
      const uint32_t c = last ? node.count() : node.child_index(key);
      pgno = node.child(c);
      stack_.push_back({std::move(*page), c});
    }
  }

  // Positions on the first key >= `key` (> `key` when `after`). `key` may
  // point into a page the cursor holds (its own key_, or a caller's
  // seek(cursor->key())): those pages stay alive in `held` until the new
  // position is taken.
  void position(std::string_view key, bool after) {
    const std::vector<Frame> held = std::exchange(stack_, {});
    const std::optional<NodeView::Position> pos = descend(key, false);
    if (!pos) return;
    if (after && pos->found) ++stack_.back().index;
    settle(false);
  }

  // Positions on the last key <= `key` (< `key` when `before`; the last key
  // of all when `last`). `key` may point into a held page, as for position().
  void position_back(std::string_view key, bool before, bool last = false) {
    const std::vector<Frame> held = std::exchange(stack_, {});
    const std::optional<NodeView::Position> pos = descend(key, last);
    if (!pos) return;
    if (pos->found && !before) return load_entry();
    if (pos->index > 0) {
      stack_.back().index = pos->index - 1;
      return load_entry();
    }
    step_back(false);  // every key of this leaf is past `key`
  }

  // Moves to the entry before the one on top of the stack, climbing to the
  // nearest ancestor with a child left of the one taken and walking down that
  // child's rightmost path; invalid before the first key. `scanning` when
  // the move is a prev(), which fetches the leaf before a new one early.
  void step_back(bool scanning) {
    valid_ = false;
    if (stack_.back().index > 0) {
      --stack_.back().index;
      return load_entry();
    }
    do {
      stack_.pop_back();
      if (stack_.empty()) return;  // before the first key
    } while (stack_.back().index == 0);
    --stack_.back().index;
    PageNo pgno = NodeView(stack_.back().page->bytes).child(stack_.back().index);
    while (true) {
      auto page = load(pgno);
      if (!page.ok()) return fail(page.status());
      const NodeView node((*page)->bytes);
      const uint32_t count = node.count();
      if (node.is_leaf()) {
        if (count == 0) return fail(Status::corruption("cursor: leaf page " + std::to_string(pgno) + " is empty"));
        stack_.push_back({std::move(*page), count - 1});
        if (scanning) load_ahead(false);
        return load_entry();
      }
      pgno = node.child(count);
      stack_.push_back({std::move(*page), count});
    }
  }

  // Loads the node at the next level down, checking it is of the kind the
  // tree's depth says belongs there.
  Result<PageRef> load(PageNo pgno) {
    const uint32_t level = uint32_t(stack_.size()) + 1;
    if (level > depth_ || depth_ > kMaxTreeDepth)
      return Status::corruption("cursor: tree deeper than its recorded depth " + std::to_string(depth_));
    if (!db_->pager) return Status::invalid_argument("cursor: the database is closed");
    AheadReader pages(*db_->pager, *point_, ahead_);
    ASSIGN_OR_RETURN(PageRef page, load_node(pages, pgno));
    const NodeView node(page->bytes);
    if (node.is_leaf() != (level == depth_))
      return Status::corruption("cursor: page " + std::to_string(pgno) + " is the wrong kind of node for level " +
                                std::to_string(level) + " of " + std::to_string(depth_));
    // The cursor reads the leaf's entries one after another from here on.
    if (node.is_leaf()) node.prefetch_cells();
    return page;
  }

  // Having just stepped onto a new leaf, fetches the image of the leaf
  // beside it in the direction of travel, when both hang from the same
  // parent, and asks the CPU to bring its bytes into cache while the cursor
  // reads this leaf: leaves lie scattered in memory, and a scan that meets
  // each one cold waits on memory for most of the move (this took the first
  // scan after a fill from 47 to 33 ns a key). Only next() and prev() fetch
  // ahead: a cursor that walked onto a leaf is likely to walk off it, a seek
  // that lands on one mostly is not, and the fetch may read the disk. The
  // image is checked only when the cursor moves onto it (load() through
  // AheadReader), so nothing here waits for its bytes, and an image that
  // cannot be fetched is left for that move to report.
  void load_ahead(bool forward) {
    ahead_ = {};
    if (stack_.size() < 2 || !db_->pager) return;
    const Frame& parent = stack_[stack_.size() - 2];
    const NodeView node(parent.page->bytes);
    if (forward ? parent.index >= node.count() : parent.index == 0) return;
    const PageNo pgno = node.child(forward ? parent.index + 1 : parent.index - 1);
    Result<PageRef> page = db_->pager->get_at(*point_, pgno);
    if (!page.ok()) return;
    constexpr size_t kLine = 64;
    const PageBytes& bytes = (*page)->bytes;
    for (size_t at = 0; at < bytes.size(); at += kLine) __builtin_prefetch(bytes.data() + at);
    ahead_ = {std::move(*page), pgno};
  }

  // From a leaf index that may be past the leaf's end, moves to the next
  // entry in key order and loads it, or becomes invalid at the end.
  // `scanning` when the move is a next(), which fetches the leaf after a new
  // one early.
  void settle(bool scanning) {
    valid_ = false;
    while (stack_.back().index >= NodeView(stack_.back().page->bytes).count()) {
      // Climb to the nearest ancestor with a child right of the one taken...
      do {
        stack_.pop_back();
        if (stack_.empty()) return;  // past the last key
      } while (stack_.back().index >= NodeView(stack_.back().page->bytes).count());
      ++stack_.back().index;
      // ...and walk down that child's leftmost path.
      PageNo pgno = NodeView(stack_.back().page->bytes).child(stack_.back().index);
      while (true) {
        auto page = load(pgno);
        if (!page.ok()) return fail(page.status());
        const NodeView node((*page)->bytes);
        const bool leaf = node.is_leaf();
        if (!leaf) pgno = node.child(0);
        stack_.push_back({std::move(*page), 0});
        if (leaf) break;
      }
      if (scanning) load_ahead(true);
    }
    load_entry();
  }

  void load_entry() {
    const Frame& top = stack_.back();
    const NodeView leaf(top.page->bytes);
    key_ = leaf.key(top.index);
    const StoredValue v = leaf.value(top.index);
    if (v.overflow) {
      value_buf_.resize(v.length);
      if (!db_->pager) return fail(Status::invalid_argument("cursor: the database is closed"));
      SnapshotReader pages(*db_->pager, *point_);
      const Status s = read_overflow_chain(pages, v.first_page, v.length, value_buf_);
      if (!s.ok()) return fail(s.with("cursor at key of " + std::to_string(key_.size()) + " bytes"));
      value_ = value_buf_;
    } else {
      value_ = v.inline_bytes;
    }
    valid_ = true;
  }

  std::shared_ptr<DbState> db_;
  // The commit this cursor reads, whatever commits after (until it expires,
  // for a cursor that renews it).
  std::shared_ptr<ReadPoint> point_;
  const CursorPoint kind_;
  std::vector<Frame> stack_;
  // The leaf next in the direction of the last move to a new leaf, fetched
  // early and not yet checked (load_ahead), or empty.
  Ahead ahead_;
  uint32_t depth_ = 0;
  bool valid_ = false;
  // Views into the leaf on top of the stack (or value_buf_), which the stack
  // keeps alive: no copy per entry.
  std::string_view key_;
  std::string_view value_;
  std::string value_buf_;
  Status status_;
};

}  // namespace

std::unique_ptr<Cursor> new_tree_cursor(std::shared_ptr<DbState> db, std::shared_ptr<ReadPoint> point,
                                        CursorPoint kind) {
  return std::make_unique<TreeCursor>(std::move(db), std::move(point), kind);
}

}  // namespace engine
