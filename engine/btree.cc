#include "engine/btree.h"

#include <string>

#include "engine/overflow.h"

namespace engine {
namespace {

std::string page_name(PageNo pgno) { return "page " + std::to_string(pgno); }

}  // namespace

Status check_entry_size(uint32_t page_size, size_t key_size, size_t value_size) {
  const uint32_t limit = NodeGeometry::for_page_size(page_size).max_key;
  if (key_size > limit)
    return Status::invalid_argument("key of " + std::to_string(key_size) + " bytes exceeds the maximum key size of " +
                                    std::to_string(limit) + " bytes for " + std::to_string(page_size) +
                                    "-byte pages");
  if (value_size > kMaxValueSize)
    return Status::invalid_argument("value of " + std::to_string(value_size) +
                                    " bytes exceeds the maximum value size of " + std::to_string(kMaxValueSize) +
                                    " bytes");
  return Status();
}

namespace {

// The tree's checks on a node page fetched by `fetch` (a PageRef, or a
// borrowed const Page*): a link to page 0 or past the end of the file and a
// page that is not a sound node are kCorruption naming the page.
template <class Fetch>
auto checked_node(const PageReader& pages, PageNo pgno, Fetch&& fetch) -> decltype(fetch(pgno)) {
  if (pgno == kNoPage) return Status::corruption("tree link to page 0 (the meta page) in " + pages.path());
  auto page = fetch(pgno);
  if (!page.ok()) {
    const Status s = page.status();
    // A link past the end of the file is damage in the tree, not a caller's mistake.
    if (s.code() == vfs::StatusCode::kInvalidArgument)
      return Status::corruption("tree link to " + page_name(pgno) + " of " + pages.path() + ": " + s.message());
    return s.with("read tree " + page_name(pgno));
  }
  const Page& image = **page;
  // A digest is built only on a checked, committed node image, whose bytes
  // never change again: its type was looked at then, and is still the same.
  if (!image.key_digest.empty()) return page;
  // A checked image is not walked again (see Page::node_checked), but its
  // type is looked at on every visit: a link to a page that has since
  // become something else must not be read as the node it once was.
  const bool typed_as_node = image.type() == PageType::kLeaf || image.type() == PageType::kInternal;
  if (image.node_checked && typed_as_node) return page;
  const std::string problem = NodeView(image.bytes).validate();
  if (!problem.empty())
    return Status::corruption(page_name(pgno) + " of " + pages.path() + " is not a valid tree node: " + problem);
  image.node_checked = true;
  return page;
}

}  // namespace

Result<PageRef> load_node(PageReader& pages, PageNo pgno) {
  return checked_node(pages, pgno, [&pages](PageNo n) { return pages.get(n); });
}

Status read_value(PageReader& pages, const NodeView& leaf, uint32_t index, std::string* out) {
  const StoredValue v = leaf.value(index);
  if (!v.overflow) {
    out->assign(v.inline_bytes);
    return Status();
  }
  out->resize(v.length);
  return read_overflow_chain(pages, v.first_page, v.length, *out);
}

Status lookup(PageReader& pages, PageNo root, uint32_t depth, std::string_view key, std::string* value) {
  if (root == kNoPage) return Status::not_found("key not found");
  if (depth == 0 || depth > kMaxTreeDepth)
    return Status::corruption("tree at " + page_name(root) + " of " + pages.path() + ": impossible depth " +
                              std::to_string(depth));
  PageNo pgno = root;
  for (uint32_t level = 1;; ++level) {
    ASSIGN_OR_RETURN(const PageRef page, load_node(pages, pgno));
    const NodeView node(page->bytes);
    if (node.is_leaf() != (level == depth))
      return Status::corruption(page_name(pgno) + " of " + pages.path() + " is the wrong kind of node for level " +
                                std::to_string(level) + " of " + std::to_string(depth));
    if (node.is_leaf()) {
      const auto pos = node.lower_bound(key);
      if (!pos.found) return Status::not_found("key not found");
      return read_value(pages, node, pos.index, value);
    }
    pgno = node.child(node.child_index(key));
  }
}

BTree::BTree(Pager& pager, Mutant mutant)
    : pager_(pager), mutant_(mutant), geometry_(NodeGeometry::for_page_size(pager.page_size())) {}

Status BTree::depth_error(PageNo root, uint32_t depth) const {
  return Status::corruption("tree of depth " + std::to_string(depth) + " at root " + page_name(root) + " in " +
                            pager_.path());
}

Status BTree::level_error(const NodeView& node, PageNo pgno, uint32_t level, uint32_t depth) const {
  return Status::corruption(page_name(pgno) + " of " + pager_.path() + " is " +
                            (node.is_leaf() ? "a leaf" : "an internal node") + " at level " + std::to_string(level) +
                            " of a tree of depth " + std::to_string(depth));
}

Result<PageRef> BTree::descend(PageNo root, uint32_t depth, std::string_view key) {
  path_.clear();
  if (!depth_possible(depth)) return depth_error(root, depth);
  PageNo pgno = root;
  for (uint32_t level = 1;; ++level) {
    ASSIGN_OR_RETURN(PageRef page, load_node(pager_, pgno));
    const NodeView node(page->bytes, page->key_digest);
    if (!at_its_level(node, level, depth)) return level_error(node, pgno, level, depth);
    if (node.is_leaf()) return page;
    const uint32_t c = node.child_index(key);
    path_.push_back({pgno, c});
    pgno = node.child(c);
  }
}

Result<NodeLink> BTree::borrow_node(PageNo pgno) {
  ASSIGN_OR_RETURN(const Page* image, checked_node(pager_, pgno, [this](PageNo n) { return pager_.get_borrowed(n); }));
  const bool new_digest = image->key_digest.empty();
  if (new_digest) image->key_digest = NodeView(image->bytes).key_digest();
  NodeLink link = NodeView(image->bytes, image->key_digest).link();
  link.mark = pager_.mark_of(pgno, image);
  if (new_digest && link.mark.stamp != 0) link_cached_children(link);
  return link;
}

void BTree::link_cached_children(NodeLink parent) {
  const NodeView node(parent, geometry_.page_size);
  if (node.is_leaf()) return;
  for (uint32_t i = 0; i <= node.count(); ++i) {
    const NodeLink child = cached_digested_node(node.child(i));
    if (child.mark.stamp != 0) NodeView::link_child(parent, i, child);
  }
}

Result<NodeView> BTree::find_leaf(PageNo root, uint32_t depth, std::string_view key) {
  if (!depth_possible(depth)) return depth_error(root, depth);
  NodeLink here = root_.pgno == root && pager_.still_lent(root_.link.mark) ? root_.link : NodeLink{};
  if (here.page == nullptr) {
    ASSIGN_OR_RETURN(here, borrow_node(root));
    root_ = {root, here};
  }
  // Checked on every visit, linked or not: in a damaged tree one page can
  // hang at two depths.
  NodeView node(here, geometry_.page_size);
  if (!at_its_level(node, 1, depth)) return level_error(node, root, 1, depth);
  for (uint32_t level = 2; !node.is_leaf(); ++level) {
    const uint32_t c = node.child_index(key);
    NodeLink link = node.linked_child(c);
    // A fetched child's page number is kept: the fetch may have evicted the
    // parent. A linked child's is read from the parent (alive: nothing was
    // fetched since the parent was found lent) only if an error needs it.
    PageNo fetched = kNoPage;
    if (pager_.still_lent(link.mark)) {
      // Only a leaf's digest: it is small (no links) and, there being far
      // more leaves than internal nodes, seldom in cache; an internal
      // node's is some lines per child, of which a search reads a few.
      if (level == depth) link.prefetch_digest();
    } else {
      fetched = node.child(c);
      ASSIGN_OR_RETURN(link, borrow_node(fetched));
      // A miss may have evicted the parent whose digest would hold the
      // link; an image lent from outside the cache is never linked.
      if (pager_.still_lent(here.mark) && link.mark.stamp != 0) NodeView::link_child(here, c, link);
    }
    const NodeView child(link, geometry_.page_size);
    if (!at_its_level(child, level, depth))
      return level_error(child, fetched != kNoPage ? fetched : node.child(c), level, depth);
    node = child;
    here = link;
  }
  return node;
}

Status BTree::get(PageNo root, uint32_t depth, std::string_view key, std::string* value) {
  if (root == kNoPage) return Status::not_found("key not found");
  // The nodes are borrowed: nothing else reaches the pager until the leaf's
  // value is copied out (an overflow chain is read after the leaf's last use).
  ASSIGN_OR_RETURN(const NodeView leaf, find_leaf(root, depth, key));
  const auto pos = leaf.lower_bound(key);
  if (!pos.found) return Status::not_found("key not found");
  // A writer's transaction may be running beside this read (its commit
  // syncing): the value's overflow pages are read as committed, never as
  // the writer's copies, like the nodes.
  CommittedReader pages(pager_);
  return read_value(pages, leaf, pos.index, value);
}

NodeLink BTree::cached_digested_node(PageNo pgno) const {
  if (pgno == kNoPage) return {};
  const Page* image = pager_.find_cached(pgno);
  if (image == nullptr || image->key_digest.empty()) return {};
  NodeLink link = NodeView(image->bytes, image->key_digest).link();
  link.mark = pager_.mark_of(pgno, image);
  return link;
}

std::optional<Status> BTree::get_shared(PageNo root, uint32_t depth, std::string_view key,
                                        std::string* value) const {
  if (root == kNoPage) return Status::not_found("key not found");
  if (!depth_possible(depth)) return std::nullopt;
  // No cache insert runs while the lock is held shared, so an image found
  // lent stays lent for the whole walk.
  NodeLink here = root_.pgno == root && pager_.still_lent(root_.link.mark) ? root_.link : cached_digested_node(root);
  if (here.page == nullptr) return std::nullopt;
  NodeView node(here, geometry_.page_size);
  if (!at_its_level(node, 1, depth)) return std::nullopt;
  for (uint32_t level = 2; !node.is_leaf(); ++level) {
    const uint32_t c = node.child_index(key);
    NodeLink link = node.linked_child(c);
    if (!pager_.still_lent(link.mark)) {
      link = cached_digested_node(node.child(c));
      if (link.page == nullptr) return std::nullopt;
    } else if (level == depth) {
      link.prefetch_digest();
    }
    const NodeView child(link, geometry_.page_size);
    if (!at_its_level(child, level, depth)) return std::nullopt;
    node = child;
  }
  const auto pos = node.lower_bound(key);
  if (!pos.found) return Status::not_found("key not found");
  const StoredValue v = node.value(pos.index);
  if (v.overflow) return std::nullopt;
  value->assign(v.inline_bytes);
  return Status();
}

Result<bool> BTree::put(Meta& meta, std::string_view key, std::string_view value) {
  RETURN_IF_ERROR(check_entry_size(geometry_.page_size, key.size(), value.size()));
  // The Meta as the put found it; only MUTANT stale-meta-in-put (below) goes back to it.
  const Meta entry_meta = meta;
  split_ = false;

  bool replaced = false;
  PageNo leaf_pgno = meta.root;
  uint32_t index = 0;
  if (meta.root != kNoPage) {
    ASSIGN_OR_RETURN(PageRef page, descend(meta.root, meta.depth, key));
    const NodeView leaf(page->bytes, page->key_digest);
    const auto pos = leaf.lower_bound(key);
    if (pos.found) {
      const StoredValue old = leaf.value(pos.index);
      bool same = false;
      if (!old.overflow) {
        same = old.inline_bytes == value;
      } else if (!geometry_.value_fits_inline(key.size(), value.size())) {
        ASSIGN_OR_RETURN(same, overflow_chain_equals(pager_, old.first_page, old.length, value));
      }
      if (same) return false;
    }
    leaf_pgno = page->pgno;
    index = pos.index;
    replaced = pos.found;
  }

  if (geometry_.value_fits_inline(key.size(), value.size())) {
    encode_inline_leaf_cell(&new_cell_, key, value);
  } else {
    ASSIGN_OR_RETURN(PageNo first, write_overflow_chain(pager_, meta, value));
    encode_overflow_leaf_cell(&new_cell_, key, uint32_t(value.size()), first);
  }

  if (leaf_pgno == kNoPage) {
    ASSIGN_OR_RETURN(Page* page, pager_.allocate(meta, PageType::kLeaf));
    MutableNode leaf(page->bytes);
    leaf.init(PageType::kLeaf);
    if (!leaf.insert(0, new_cell_))
      return Status::corruption("a " + std::to_string(new_cell_.size()) + "-byte cell does not fit an empty leaf");
    meta.root = page->pgno;
    meta.depth = 1;
  } else {
    if (replaced) {
      ASSIGN_OR_RETURN(Page* page, pager_.get_mutable(leaf_pgno));
      MutableNode leaf(page->bytes);
      const StoredValue old = leaf.value(index);
      leaf.remove(index);
      if (old.overflow) RETURN_IF_ERROR(free_overflow_chain(pager_, meta, old.first_page, old.length));
    }
    ASSIGN_OR_RETURN(Change change, insert_or_split(meta, leaf_pgno, index, new_cell_));
    ASSIGN_OR_RETURN(change, propagate(meta, std::move(change)));
    RETURN_IF_ERROR(settle_root(meta, change));
  }

  if (split_ && mutant_active(mutant_, Mutant::kStaleMetaInPut)) {
    // MUTANT stale-meta-in-put: the insert carries on with the Meta it read
    // before the split, so the split's new root, depth, page count and
    // free-list changes never reach the commit.
    meta = entry_meta;
  }
  if (!replaced) ++meta.key_count;
  return true;
}

Result<bool> BTree::del(Meta& meta, std::string_view key) {
  if (meta.root == kNoPage) return false;
  ASSIGN_OR_RETURN(PageRef found, descend(meta.root, meta.depth, key));
  const auto pos = NodeView(found->bytes).lower_bound(key);
  if (!pos.found) return false;

  ASSIGN_OR_RETURN(Page* page, pager_.get_mutable(found->pgno));
  MutableNode leaf(page->bytes);
  const StoredValue old = leaf.value(pos.index);
  leaf.remove(pos.index);
  Change change = underflow_if_below_fill(leaf);
  if (old.overflow) RETURN_IF_ERROR(free_overflow_chain(pager_, meta, old.first_page, old.length));
  ASSIGN_OR_RETURN(change, propagate(meta, std::move(change)));
  RETURN_IF_ERROR(settle_root(meta, change));
  --meta.key_count;
  return true;
}

BTree::Change BTree::underflow_if_below_fill(const NodeView& node) const {
  Change change;
  if (node.used_bytes() < geometry_.min_fill) change.kind = Change::kUnderflow;
  return change;
}

void BTree::gather(const NodeView& node) {
  for (uint32_t i = 0; i < node.count(); ++i) gather_one(node.cell(i));
}

void BTree::gather_one(std::span<const uint8_t> cell) {
  cells_.push_back(cell);
  cell_bytes_.push_back(uint32_t(cell.size()) + kSlotSize);
}

Status BTree::write_node(PageNo pgno, PageType type, PageNo leftmost, size_t from, size_t to) {
  ASSIGN_OR_RETURN(Page* page, pager_.get_mutable(pgno));
  MutableNode node(page->bytes);
  node.init(type, leftmost);
  for (size_t i = from; i < to; ++i) {
    if (!node.insert(node.count(), cells_[i]))
      return Status::corruption("rebuilding " + page_name(pgno) + " of " + pager_.path() + ": " +
                                std::to_string(to - from) + " cells do not fit one page");
  }
  return Status();
}

Result<BTree::Change> BTree::insert_or_split(Meta& meta, PageNo pgno, uint32_t index,
                                             std::span<const uint8_t> cell) {
  {
    ASSIGN_OR_RETURN(Page* page, pager_.get_mutable(pgno));
    MutableNode node(page->bytes);
    if (node.insert(index, cell)) return underflow_if_below_fill(node);
    copy_[0] = page->bytes;
  }
  // Split: lay the node's cells and the new one out in order on a copy, cut
  // the run by bytes, and rewrite the node as the left half.
  const NodeView old(copy_[0]);
  const bool internal = !old.is_leaf();
  cells_.clear();
  cell_bytes_.clear();
  for (uint32_t i = 0; i < old.count(); ++i) {
    if (i == index) gather_one(cell);
    gather_one(old.cell(i));
  }
  if (index == old.count()) gather_one(cell);
  const uint32_t cut = choose_cut(cell_bytes_, internal, geometry_.usable);
  if (cut == kNoCut)
    return Status::corruption("splitting " + page_name(pgno) + " of " + pager_.path() + ": " +
                              std::to_string(cells_.size()) + " cells cannot be shared by two pages");

  ASSIGN_OR_RETURN(Page* right_page, pager_.allocate(meta, old.type()));
  const PageNo right = right_page->pgno;
  Change change;
  change.kind = Change::kSplit;
  change.right = right;
  if (internal) {
    change.separator = internal_cell_key(cells_[cut]);
    RETURN_IF_ERROR(write_node(pgno, PageType::kInternal, old.child(0), 0, cut));
    RETURN_IF_ERROR(write_node(right, PageType::kInternal, internal_cell_child(cells_[cut]), cut + 1, cells_.size()));
  } else {
    change.separator = shortest_separator(leaf_cell_key(cells_[cut - 1]), leaf_cell_key(cells_[cut]));
    RETURN_IF_ERROR(write_node(pgno, PageType::kLeaf, kNoPage, 0, cut));
    RETURN_IF_ERROR(write_node(right, PageType::kLeaf, kNoPage, cut, cells_.size()));
  }
  split_ = true;
  return change;
}

Result<BTree::Change> BTree::propagate(Meta& meta, Change change) {
  for (size_t level = path_.size(); level-- > 0 && change.kind != Change::kNone;) {
    const Step step = path_[level];
    if (change.kind == Change::kSplit) {
      // The new sibling's link goes right after the split child's.
      encode_internal_cell(&link_cell_, change.separator, change.right);
      ASSIGN_OR_RETURN(change, insert_or_split(meta, step.pgno, step.child, link_cell_));
    } else {
      ASSIGN_OR_RETURN(change, rebalance(meta, step.pgno, step.child));
    }
  }
  return change;
}

Result<BTree::Change> BTree::rebalance(Meta& meta, PageNo parent, uint32_t child) {
  PageNo left;
  PageNo right;
  uint32_t sep_index;  // the parent's cell whose key separates left from right
  {
    ASSIGN_OR_RETURN(Page* page, pager_.get_mutable(parent));
    MutableNode node(page->bytes);
    if (node.count() == 0)
      return Status::corruption("internal " + page_name(parent) + " of " + pager_.path() + " has a single child");
    const PageNo underfull = node.child(child);
    ASSIGN_OR_RETURN(PageRef underfull_page, pager_.get(underfull));
    const NodeView underfull_node(underfull_page->bytes);
    if (underfull_node.is_leaf() && underfull_node.count() == 0) {
      // Unlink the emptied leaf: its key range joins a neighbour's.
      if (child == 0) {
        node.set_leftmost_child(node.child(1));
        node.remove(0);
      } else {
        node.remove(child - 1);
      }
      const Change change = underflow_if_below_fill(node);
      RETURN_IF_ERROR(release_empty_leaf(meta, underfull));
      return change;
    }
    sep_index = child > 0 ? child - 1 : 0;
    left = node.child(sep_index);
    right = node.child(sep_index + 1);
    down_key_.assign(node.key(sep_index));
  }

  for (int side = 0; side < 2; ++side) {
    ASSIGN_OR_RETURN(PageRef page, load_node(pager_, side == 0 ? left : right));
    copy_[side] = page->bytes;
  }
  const NodeView left_old(copy_[0]);
  const NodeView right_old(copy_[1]);
  const bool internal = !left_old.is_leaf();
  if (right_old.is_leaf() == internal)
    return Status::corruption("siblings " + page_name(left) + " and " + page_name(right) + " of " + pager_.path() +
                              " are not of the same kind");
  const PageType type = left_old.type();
  cells_.clear();
  cell_bytes_.clear();
  gather(left_old);
  if (internal) {
    // The separator moves down between the two nodes' cells, linked to the
    // right node's leftmost child.
    encode_internal_cell(&down_cell_, down_key_, right_old.child(0));
    gather_one(down_cell_);
  }
  gather(right_old);
  uint64_t total = 0;
  for (uint32_t b : cell_bytes_) total += b;

  if (total <= geometry_.usable) {
    // Merge right into left and drop right's link from the parent.
    RETURN_IF_ERROR(write_node(left, type, internal ? left_old.child(0) : kNoPage, 0, cells_.size()));
    RETURN_IF_ERROR(pager_.free(meta, right));
    ASSIGN_OR_RETURN(Page* page, pager_.get_mutable(parent));
    MutableNode node(page->bytes);
    node.remove(sep_index);
    return underflow_if_below_fill(node);
  }

  // Redistribute: cut the combined run by bytes and give the parent the new
  // separator (which may be longer than the old one, so the parent can split).
  const uint32_t cut = choose_cut(cell_bytes_, internal, geometry_.usable);
  if (cut == kNoCut)
    return Status::corruption("rebalancing " + page_name(left) + " and " + page_name(right) + " of " +
                              pager_.path() + ": their cells cannot be shared by two pages");
  std::string separator;
  if (internal) {
    separator = internal_cell_key(cells_[cut]);
    RETURN_IF_ERROR(write_node(left, type, left_old.child(0), 0, cut));
    RETURN_IF_ERROR(write_node(right, type, internal_cell_child(cells_[cut]), cut + 1, cells_.size()));
  } else {
    separator = shortest_separator(leaf_cell_key(cells_[cut - 1]), leaf_cell_key(cells_[cut]));
    RETURN_IF_ERROR(write_node(left, type, kNoPage, 0, cut));
    RETURN_IF_ERROR(write_node(right, type, kNoPage, cut, cells_.size()));
  }
  {
    ASSIGN_OR_RETURN(Page* page, pager_.get_mutable(parent));
    MutableNode(page->bytes).remove(sep_index);
  }
  encode_internal_cell(&link_cell_, separator, right);
  return insert_or_split(meta, parent, sep_index, link_cell_);
}

Status BTree::settle_root(Meta& meta, const Change& change) {
  if (change.kind == Change::kSplit) {
    ASSIGN_OR_RETURN(Page* page, pager_.allocate(meta, PageType::kInternal));
    MutableNode root(page->bytes);
    root.init(PageType::kInternal, meta.root);
    encode_internal_cell(&link_cell_, change.separator, change.right);
    if (!root.insert(0, link_cell_))
      return Status::corruption("a " + std::to_string(link_cell_.size()) + "-byte separator does not fit a new root");
    meta.root = page->pgno;
    ++meta.depth;
    return Status();
  }
  if (change.kind != Change::kUnderflow) return Status();
  // The root has no minimum fill, but an internal root needs two children and
  // a leaf root at least one key.
  while (meta.root != kNoPage) {
    ASSIGN_OR_RETURN(PageRef page, load_node(pager_, meta.root));
    const NodeView root(page->bytes);
    if (root.count() > 0) break;
    const PageNo old_root = meta.root;
    if (root.is_leaf()) {
      meta.root = kNoPage;
      meta.depth = 0;
      return release_empty_leaf(meta, old_root);
    }
    meta.root = root.child(0);
    --meta.depth;
    RETURN_IF_ERROR(pager_.free(meta, old_root));
  }
  return Status();
}

Status BTree::release_empty_leaf(Meta& meta, PageNo leaf) {
  if (mutant_active(mutant_, Mutant::kLeakEmptyLeaves)) {
    // MUTANT leak-empty-leaves: the emptied leaf is already unlinked from the
    // tree, and is never put on the free list.
    return Status();
  }
  return pager_.free(meta, leaf);
}

}  // namespace engine
