// B+tree node pages: the byte layout of leaves and internal nodes.
//
// Both node kinds share one slotted layout (docs/tree-pages.md has the
// picture):
//   bytes 0..7    page header (checksum, PageType, reserved; engine/page.h)
//   bytes 8..11   u32 cell count
//   bytes 12..15  u32 content start: offset of the lowest cell byte
//                 (page_size when the node has no cells; 65536 needs the u32)
//   bytes 16..19  u32 leftmost child (internal nodes); zero in a leaf
//   bytes 20..    u16 slot per cell, in key order: the cell's offset. An
//                 offset is < page_size <= 65536, so it always fits a u16.
//   ...free space...
//   content start..page_size: the cells, packed with no gaps between them.
// Cells are kept packed (removal slides the cells below the hole up), so the
// free space is always the one gap between the slot array and the cells.
//
// Leaf cell:     u8 flags (bit 0: value in an overflow chain), u16 key length,
//                u32 value length (the whole value, wherever it lives), key,
//                then the value bytes or, for an overflow value, the u32
//                first page of its chain.
// Internal cell: u32 child, u16 key length, key. The child holds the keys
//                k with key <= k < the next cell's key; the header's leftmost
//                child holds the keys below the first cell's key.
//
// Everything here works on raw page buffers so it can be tested without a
// pager. Integers are little-endian (engine/page.h).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/page.h"

namespace engine {

inline constexpr uint32_t kNodeHeaderSize = 20;  // page header included
inline constexpr uint32_t kSlotSize = 2;
inline constexpr uint32_t kLeafCellHeaderSize = 7;
inline constexpr uint32_t kInternalCellHeaderSize = 6;
inline constexpr uint8_t kLeafFlagOverflow = 0x01;

// Size limits that follow from the page size. With U usable bytes:
//   max_key  = page_size / 4
//   max_cell = max_key + 13: the largest cell plus its slot (a leaf cell of a
//              maximum key whose value is in an overflow chain: 2 + 7 + key + 4;
//              an internal cell needs only 2 + 6 + key)
//   min_fill = (U - 2 * max_cell) / 2
// 3 * max_cell <= U for every page size >= 512, so any node holds three
// maximum-size cells. min_fill is what a split or a rebalance can always
// leave on both sides (docs/tree-pages.md has the argument); a non-root
// node using fewer slot and cell bytes than min_fill is rebalanced.
struct NodeGeometry {
  uint32_t page_size = 0;
  uint32_t usable = 0;    // bytes for slots and cells: page_size - kNodeHeaderSize
  uint32_t max_key = 0;
  uint32_t max_cell = 0;
  uint32_t min_fill = 0;

  static NodeGeometry for_page_size(uint32_t page_size);

  // Slot plus cell bytes of a leaf cell storing `value_length` bytes inline.
  static uint64_t inline_leaf_cell_bytes(size_t key_length, uint64_t value_length) {
    return kSlotSize + kLeafCellHeaderSize + key_length + value_length;
  }
  // Whether a value stays in the leaf: when its cell, slot included, is at
  // most max_cell bytes. A value that does not is longer than the 4-byte page
  // pointer replacing it (key_length <= max_key), so an overflow cell is
  // always the smaller one and never exceeds max_cell either.
  bool value_fits_inline(size_t key_length, uint64_t value_length) const {
    return inline_leaf_cell_bytes(key_length, value_length) <= max_cell;
  }
};

// A leaf cell's value as stored: inline bytes, or the head of a chain.
struct StoredValue {
  bool overflow = false;
  uint32_t length = 0;            // the whole value's length
  std::string_view inline_bytes;  // when !overflow
  PageNo first_page = kNoPage;    // when overflow
};

// Where a node's image and its key digest lie in memory: what an internal
// node's digest records of each child (NodeView::linked_child).
struct NodeLink {
  const uint8_t* page = nullptr;
  uint64_t* digest = nullptr;
  size_t digest_words = 0;
  // Where the pager lent the image (Pager::mark_of): the link may be
  // followed only while Pager::still_lent(mark).
  BorrowMark mark;

  // Starts fetching every cache line of the digest at once. A search would
  // otherwise meet them one dependent miss after another: word 0, then the
  // heads it probes, then the slot it lands on.
  void prefetch_digest() const {
    constexpr size_t kLineWords = 8;
    for (size_t w = 0; w < digest_words; w += kLineWords) __builtin_prefetch(digest + w);
  }
};

// Read-only view of a node page. Accessors trust the layout: call validate()
// on any page that came from disk before using the other accessors.
//
// A view may carry the node's key digest (key_digest() below), which makes
// lower_bound and child_index search an array of integers instead of the
// cells. A digest belongs to one image's bytes: pass it only with the image
// it was built from, and only while those bytes do not change.
class NodeView {
 public:
  explicit NodeView(std::span<const uint8_t> page, std::span<const uint64_t> digest = {})
      : p_(page), digest_(digest) {}
  // The node at `link`, a page of `page_size` bytes with its digest.
  NodeView(NodeLink link, uint32_t page_size)
      : p_(link.page, page_size), digest_(link.digest, link.digest_words) {}

  // Empty when the page is a well-formed leaf or internal node (any key
  // order); otherwise what is wrong with it. Checks every slot and cell lies
  // inside the page, the cells are packed exactly and the lengths add up.
  std::string validate() const;

  // With a digest these come from it, so that a search, a child link or a
  // value read never touches the page header (one more cache miss).
  PageType type() const {
    return static_cast<PageType>(digest_.empty() ? p_[4] : uint8_t(digest_[0] >> kDigestTypeShift));
  }
  bool is_leaf() const { return type() == PageType::kLeaf; }
  uint32_t page_size() const { return uint32_t(p_.size()); }
  uint32_t count() const { return digest_.empty() ? load_u32(&p_[8]) : uint32_t(digest_[0]); }
  uint32_t content_start() const { return load_u32(&p_[12]); }
  // Slot and cell bytes in use; a node's fill.
  uint32_t used_bytes() const { return count() * kSlotSize + (page_size() - content_start()); }
  uint32_t free_bytes() const { return content_start() - kNodeHeaderSize - count() * kSlotSize; }

  std::string_view key(uint32_t i) const {
    const uint32_t off = slot(i);
    const auto* base = reinterpret_cast<const char*>(p_.data());
    if (is_leaf()) return {base + off + kLeafCellHeaderSize, load_u16(&p_[off + 1])};
    return {base + off + kInternalCellHeaderSize, load_u16(&p_[off + 4])};
  }
  // The encoded cell i (without its slot), for moving it to another node.
  std::span<const uint8_t> cell(uint32_t i) const;

  // Leaf only.
  StoredValue value(uint32_t i) const;
  // Internal only: child i of count()+1; child 0 is the leftmost.
  PageNo child(uint32_t i) const;

  // Leaf: the first index whose key is >= key, and whether it is equal.
  struct Position {
    uint32_t index;
    bool found;
  };
  Position lower_bound(std::string_view key) const;
  // Internal: the child whose key range holds `key` (the number of cells
  // whose key is <= key).
  uint32_t child_index(std::string_view key) const;

  // The key digest of this node, for a validated node whose keys ascend.
  // In a large database every probe of a plain binary search follows a slot
  // to a cell in another cache line (a cache miss each); the digest keeps
  // what the probes compare in one small array:
  //   word 0         cell count n (bits 0..31), length L of the prefix all
  //                  keys share (bits 32..47; the common prefix of the first
  //                  and the last key, which in ascending order every key
  //                  between them shares), page type (bits 48..55)
  //   word 1         the leftmost child (internal nodes), else 0
  //   next P words   the prefix bytes, zero-padded (P = ceil(L / 8))
  //   next n words   each key's head: its bytes L..L+7, zero-padded, read
  //                  big-endian, so that comparing heads as integers orders
  //                  the keys (equal heads need the cells to decide)
  //   next S words   a copy of the slot array (n u16 cell offsets, zero-padded)
  //   internal nodes only, 4(n+1) words: child links (linked_child)
  // A search with a digest narrows to the keys whose head equals the probe
  // key's, searches those cells (usually one), and so reads the cell it
  // lands on, which confirms a match exactly as the plain search does.
  std::vector<uint64_t> key_digest() const;

  // Child links, in an internal node's digest: where child i's image and
  // digest were found, with the mark the pager lent it under, so that a
  // descent can go from digest to digest without asking the pager for each
  // child while that image stays lent (Pager::still_lent). Each link stands
  // or falls alone: a commit that rewrites one child ends that child's link
  // and no other. The layout: kLinkWords per child: the page's address, the
  // digest's address, the digest's length in words (low 32 bits) with the
  // mark's cache slot (high 32 bits), and the mark's stamp (0: no link).
  // The link of child i as last recorded (check its mark before use), or an
  // empty one.
  NodeLink linked_child(uint32_t i) const {
    const uint64_t* link = digest_.data() + digest_links_at(digest_[0]) + kLinkWords * i;
    return {reinterpret_cast<const uint8_t*>(link[0]), reinterpret_cast<uint64_t*>(link[1]), size_t(uint32_t(link[2])),
            BorrowMark{link[3], uint32_t(link[2] >> 32)}};
  }
  // Records `child` as child i of the internal node whose digest is at
  // `parent.digest`.
  static void link_child(NodeLink parent, uint32_t i, NodeLink child);
  // This node's own link; it needs a digest.
  NodeLink link() const { return {p_.data(), const_cast<uint64_t*>(digest_.data()), digest_.size(), {}}; }

  // Starts fetching every cache line of the cell area. Cells lie in the
  // order they were inserted, not in key order, so a reader visiting every
  // cell of a node in key order (a cursor walking a leaf) would otherwise
  // wait for one miss after another, at scattered offsets the hardware
  // prefetcher cannot follow.
  void prefetch_cells() const;

 protected:
  uint32_t slot(uint32_t i) const {
    return load_u16(digest_.empty() ? &p_[kNodeHeaderSize + i * kSlotSize] : digest_slots() + i * kSlotSize);
  }
  uint64_t cell_size_at(uint32_t offset) const;

 private:
  // The number of cells whose key is below `key` (at or below it when
  // kOrEqual), and whether the key at that index was probed and is `key`
  // itself: the binary search under lower_bound and child_index, which is
  // most of a point read's work.
  struct Search {
    uint32_t index;
    bool equal;
  };
  template <bool kOrEqual>
  Search count_below(std::string_view key) const;
  // The plain binary search over cells [lo, hi), which must hold every key
  // whose order against `key` the cells outside do not already settle.
  template <bool kOrEqual>
  Search count_below_in(std::string_view key, uint32_t lo, uint32_t hi) const;

  static constexpr size_t kLinkWords = 4;
  static constexpr int kDigestPrefixShift = 32;
  static constexpr int kDigestTypeShift = 48;
  static size_t digest_prefix(uint64_t word0) { return (word0 >> kDigestPrefixShift) & 0xffff; }
  // Word index of the first head in a digest.
  static size_t digest_heads_at(uint64_t word0) { return 2 + (digest_prefix(word0) + 7) / 8; }
  // Word index of the first child link: past the heads and slots.
  static size_t digest_links_at(uint64_t word0) {
    const size_t n = uint32_t(word0);
    return digest_heads_at(word0) + n + (n * kSlotSize + 7) / 8;
  }
  // A digest's length in words, from its word 0.
  static size_t digest_words(uint64_t word0) {
    const bool internal = uint8_t(word0 >> kDigestTypeShift) == static_cast<uint8_t>(PageType::kInternal);
    return digest_links_at(word0) + (internal ? kLinkWords * (size_t(uint32_t(word0)) + 1) : 0);
  }
  const uint8_t* digest_slots() const {
    return reinterpret_cast<const uint8_t*>(digest_.data() + digest_heads_at(digest_[0]) + uint32_t(digest_[0]));
  }

  std::span<const uint8_t> p_;
  std::span<const uint64_t> digest_;
};

// A node page being written, inside a transaction or a test buffer.
class MutableNode : public NodeView {
 public:
  explicit MutableNode(std::span<uint8_t> page) : NodeView(page), w_(page) {}

  // Formats the page as an empty node of `type` (kLeaf or kInternal). Bytes
  // 0..3 (the checksum) are left for seal_page.
  void init(PageType type, PageNo leftmost_child = kNoPage);
  // Inserts an encoded cell so it becomes cell `index`. False, with the page
  // unchanged, when the node lacks cell.size() + kSlotSize free bytes.
  bool insert(uint32_t index, std::span<const uint8_t> cell);
  void remove(uint32_t index);
  void set_leftmost_child(PageNo child) { store_u32(&w_[16], child); }

 private:
  std::span<uint8_t> w_;
};

// Cell encoders. Each replaces `out` with the encoded cell.
void encode_inline_leaf_cell(std::vector<uint8_t>* out, std::string_view key, std::string_view value);
void encode_overflow_leaf_cell(std::vector<uint8_t>* out, std::string_view key, uint32_t value_length,
                               PageNo first_page);
void encode_internal_cell(std::vector<uint8_t>* out, std::string_view key, PageNo child);

// Key and child of an encoded internal cell, e.g. one gathered for a split.
std::string_view internal_cell_key(std::span<const uint8_t> cell);
PageNo internal_cell_child(std::span<const uint8_t> cell);
// Key of an encoded leaf cell.
std::string_view leaf_cell_key(std::span<const uint8_t> cell);

// Where to cut a run of cells (sizes with their slots, in key order) into two
// nodes of `usable` bytes each.
//   Leaf: cells [0, cut) go left, [cut, n) right.
//   Internal: cell `cut` moves up to the parent as the separator; cells
//   [0, cut) stay left, (cut, n) go right, and the moved-up cell's child
//   becomes the right node's leftmost child.
// Picks the cut that leaves the smaller side as full as possible with both
// sides fitting, or kNoCut when no cut fits (never the case for the runs the
// tree produces: see NodeGeometry and docs/tree-pages.md).
inline constexpr uint32_t kNoCut = UINT32_MAX;
uint32_t choose_cut(std::span<const uint32_t> cell_bytes, bool internal, uint32_t usable);

// The shortest key s with left < s <= right (a prefix of right), used as the
// separator above a leaf split. Requires left < right.
std::string_view shortest_separator(std::string_view left, std::string_view right);

}  // namespace engine
