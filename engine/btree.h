// The B+tree over the pager's pages: lookups, and the inserts and deletes of
// one write transaction.
//
// Keys live only in leaves; internal nodes hold separators that route a key
// to the child whose range [separator, next separator) holds it (node.h).
// Invariants every operation restores before returning (and verify checks):
//   * all leaves at depth meta.depth; meta.root = kNoPage and depth 0 for an
//     empty tree, which has no pages;
//   * every non-root node uses at least NodeGeometry::min_fill bytes; an
//     internal root has at least two children (one key);
//   * meta.key_count is the number of keys.
// Insert splits a node that cannot take a cell, by bytes, and inserts the new
// separator in the parent (a new root when the root splits). Delete removes
// the cell; a node that falls below min_fill merges with a sibling when both
// fit one page and otherwise takes cells from it; an emptied leaf is unlinked
// and freed; a root left with one child is replaced by that child; an empty
// tree frees its last leaf. docs/tree-pages.md has the details.
//
// Rule 6 of the fix plan: write operations take the transaction's Meta (the
// one pager.begin() returned) by reference and carry it through every helper;
// nothing here reads pager.meta().
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/node.h"
#include "engine/pager.h"

namespace engine {

// Deeper than any real tree can be (a non-root node has two or more
// children, and page numbers are 32 bits), so a larger depth is corruption.
inline constexpr uint32_t kMaxTreeDepth = 40;

// kInvalidArgument naming the size and the limit when the key is longer than
// max_key_size(page_size) or the value larger than kMaxValueSize.
Status check_entry_size(uint32_t page_size, size_t key_size, size_t value_size);

// A tree node page read through the pager with its layout validated
// (NodeView::validate). A bad page number or layout is kCorruption naming it.
Result<PageRef> load_node(PageReader& pages, PageNo pgno);

// The value of leaf cell `index`, from the cell or its overflow chain.
Status read_value(PageReader& pages, const NodeView& leaf, uint32_t index, std::string* out);

// The value of `key` in the tree at `root` of `depth` as `pages` serves it,
// by the plain walk down (no digests: a snapshot's older images are read
// once, and may not be the pager's to annotate); kNotFound when absent.
Status lookup(PageReader& pages, PageNo root, uint32_t depth, std::string_view key, std::string* value);

class BTree {
 public:
  BTree(Pager& pager, Mutant mutant);

  // Inside a pager transaction. True when the tree changed (a put of the
  // value already stored changes nothing).
  Result<bool> put(Meta& meta, std::string_view key, std::string_view value);
  // Inside a pager transaction. True when the key was present.
  Result<bool> del(Meta& meta, std::string_view key);

  // The value of `key` in the tree at `root` of `depth`; kNotFound when absent.
  // Outside any write transaction only: it leaves key digests on the
  // committed nodes it visits, so that later reads search them faster.
  Status get(PageNo root, uint32_t depth, std::string_view key, std::string* value);

  // get() for many readers at once: it only reads (cached images, their key
  // digests and the links between them; see find_leaf), so threads holding
  // the readers' lock shared may run it side by side. nullopt when it cannot
  // answer without changing something or without reporting damage: a page
  // not cached, a node without its digest yet, a value in overflow pages, a
  // node at the wrong level. The caller then takes the lock exclusively and
  // calls get(), which reads, digests, links or reports.
  std::optional<Status> get_shared(PageNo root, uint32_t depth, std::string_view key, std::string* value) const;

 private:
  // One internal node on the way down and the child taken there.
  struct Step {
    PageNo pgno;
    uint32_t child;
  };
  // What changing a node means for its parent.
  struct Change {
    enum Kind : uint8_t { kNone, kSplit, kUnderflow } kind = kNone;
    std::string separator;  // kSplit: the lowest key the new right sibling may hold
    PageNo right = kNoPage; // kSplit: the new right sibling
  };

  static bool depth_possible(uint32_t depth) { return depth != 0 && depth <= kMaxTreeDepth; }
  // Whether `node` is what a tree of `depth` has at `level`: a leaf exactly
  // at the bottom.
  static bool at_its_level(const NodeView& node, uint32_t level, uint32_t depth) {
    return node.is_leaf() == (level == depth);
  }
  // The kCorruption for an impossible depth, and for a node at the wrong level.
  Status depth_error(PageNo root, uint32_t depth) const;
  Status level_error(const NodeView& node, PageNo pgno, uint32_t level, uint32_t depth) const;

  // Walks from `root` to the leaf whose range holds `key`, recording the
  // internal nodes in path_: the write path, on referenced pages. Searches
  // each node with its key digest when it has one.
  Result<PageRef> descend(PageNo root, uint32_t depth, std::string_view key);

  // The read path's walk to the leaf for `key`, on borrowed pages: each node
  // gets its key digest on its first visit (only a read outside any write
  // transaction may build one: see Page::key_digest), and each internal
  // node links its children's digests, so that while a child's image stays
  // lent (Pager::still_lent) a descent goes from digest to digest without a
  // cache lookup. The view is valid until the next call on the pager.
  Result<NodeView> find_leaf(PageNo root, uint32_t depth, std::string_view key);
  // The borrowed node `pgno`, checked (load_node's checks), with its digest
  // and the mark it was lent under.
  Result<NodeLink> borrow_node(PageNo pgno);
  // Links every child of the internal node at `parent` (a new digest) that
  // the cache holds with its digest. A commit that rewrites an internal node
  // (a child split or merged) leaves a new image without links; readers
  // that hold the lock shared cannot link, so without this every read
  // through the new image would look its child up until an exclusive read
  // happened to pass the same child.
  void link_cached_children(NodeLink parent);
  // Node `pgno` as get_shared may use it (cached, with its digest, so
  // checked: see Page::key_digest), with its mark; else an empty link.
  NodeLink cached_digested_node(PageNo pgno) const;

  // Inserts an encoded cell at `index` of node `pgno`, splitting it when it is full.
  Result<Change> insert_or_split(Meta& meta, PageNo pgno, uint32_t index, std::span<const uint8_t> cell);
  // Walks path_ upwards handing each parent its child's change; returns the root's.
  Result<Change> propagate(Meta& meta, Change change);
  // Gives the underfull child `child` of `parent` cells from a sibling, or merges the two.
  Result<Change> rebalance(Meta& meta, PageNo parent, uint32_t child);
  // Applies the root's change: a new root above a split one, a root with one
  // child replaced by it, an empty root leaf freed.
  Status settle_root(Meta& meta, const Change& change);
  // Frees a leaf that lost its last key (already unlinked from the tree).
  Status release_empty_leaf(Meta& meta, PageNo leaf);

  // Rewrites page `pgno` as a node holding cells_[from, to).
  Status write_node(PageNo pgno, PageType type, PageNo leftmost, size_t from, size_t to);
  // Collects the cells of a copy of a node into cells_/cell_bytes_.
  void gather(const NodeView& node);
  void gather_one(std::span<const uint8_t> cell);
  Change underflow_if_below_fill(const NodeView& node) const;

  Pager& pager_;
  const Mutant mutant_;
  const NodeGeometry geometry_;

  // Reused buffers, so operations do not allocate per call once warm.
  std::vector<Step> path_;
  PageBytes copy_[2];  // node images being split or rebalanced
  std::vector<std::span<const uint8_t>> cells_;
  std::vector<uint32_t> cell_bytes_;  // sizes of cells_ with their slots
  std::vector<uint8_t> new_cell_;     // the leaf cell being put
  std::vector<uint8_t> link_cell_;    // an internal cell being inserted into a parent
  std::string down_key_;              // a parent's separator moved down by a rebalance
  std::vector<uint8_t> down_cell_;    // ... and its encoded cell
  bool split_ = false;                // the running put split a node
  // The root node find_leaf last borrowed: while its image stays lent, the
  // next read starts from it without asking the pager (which checked then
  // that the page exists and is a node).
  struct RootLink {
    PageNo pgno = kNoPage;
    NodeLink link;
  } root_;
};

}  // namespace engine
