#include "engine/node.h"

#include <algorithm>
#include <cstring>

#include "engine/db.h"

namespace engine {

NodeGeometry NodeGeometry::for_page_size(uint32_t page_size) {
  NodeGeometry g;
  g.page_size = page_size;
  g.usable = page_size - kNodeHeaderSize;
  g.max_key = page_size / 4;
  g.max_cell = kSlotSize + kLeafCellHeaderSize + g.max_key + 4;
  g.min_fill = (g.usable - 2 * g.max_cell) / 2;
  return g;
}

// 64 bits: in a damaged page a length field can claim up to 4 GiB.
uint64_t NodeView::cell_size_at(uint32_t offset) const {
  if (is_leaf()) {
    const bool overflow = (p_[offset] & kLeafFlagOverflow) != 0;
    const uint64_t key_length = load_u16(&p_[offset + 1]);
    const uint64_t stored = overflow ? 4 : load_u32(&p_[offset + 3]);
    return kLeafCellHeaderSize + key_length + stored;
  }
  return kInternalCellHeaderSize + load_u16(&p_[offset + 4]);
}

std::string NodeView::validate() const {
  const uint64_t size = p_.size();
  if (size < kNodeHeaderSize) return "page of " + std::to_string(size) + " bytes is too small for a node";
  if (type() != PageType::kLeaf && type() != PageType::kInternal)
    return "page type " + std::to_string(int(p_[4])) + " is not a tree node";
  const uint64_t n = count();
  const uint64_t start = content_start();
  if (kNodeHeaderSize + n * kSlotSize > size)
    return "cell count " + std::to_string(n) + " does not fit the page";
  if (start > size || start < kNodeHeaderSize + n * kSlotSize)
    return "content start " + std::to_string(start) + " outside [" +
           std::to_string(kNodeHeaderSize + n * kSlotSize) + ", " + std::to_string(size) + "]";
  const uint32_t header = is_leaf() ? kLeafCellHeaderSize : kInternalCellHeaderSize;
  const NodeGeometry geometry = NodeGeometry::for_page_size(uint32_t(size));
  uint64_t total = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const uint64_t off = slot(i);
    if (off < start || off + header > size)
      return "cell " + std::to_string(i) + " at offset " + std::to_string(off) + " outside the cell area [" +
             std::to_string(start) + ", " + std::to_string(size) + ")";
    if (is_leaf() && (p_[off] & ~kLeafFlagOverflow) != 0)
      return "cell " + std::to_string(i) + " has unknown flags " + std::to_string(int(p_[off]));
    if (is_leaf() && (p_[off] & kLeafFlagOverflow) != 0) {
      const uint32_t length = load_u32(&p_[off + 3]);
      if (length > kMaxValueSize)
        return "cell " + std::to_string(i) + " claims an overflow value of " + std::to_string(length) +
               " bytes, over the " + std::to_string(kMaxValueSize) + "-byte limit";
      // A value goes to a chain only when it does not fit inline, so a
      // shorter one (an empty one above all) is a damaged length field,
      // which a read would otherwise answer with silently.
      if (geometry.value_fits_inline(load_u16(&p_[off + 1]), length))
        return "cell " + std::to_string(i) + " keeps a value of " + std::to_string(length) +
               " bytes in an overflow chain, though a value that short is stored inline";
    }
    const uint64_t cell_bytes = cell_size_at(uint32_t(off));
    if (off + cell_bytes > size)
      return "cell " + std::to_string(i) + " at offset " + std::to_string(off) + " runs " +
             std::to_string(off + cell_bytes - size) + " bytes past the page end";
    if (!is_leaf() && load_u32(&p_[off]) == kNoPage) return "cell " + std::to_string(i) + " has child page 0";
    total += cell_bytes;
  }
  if (total != size - start)
    return "cells hold " + std::to_string(total) + " bytes but the cell area has " + std::to_string(size - start);
  if (!is_leaf() && load_u32(&p_[16]) == kNoPage) return "leftmost child is page 0";
  return {};
}

std::span<const uint8_t> NodeView::cell(uint32_t i) const {
  const uint32_t off = slot(i);
  return p_.subspan(off, size_t(cell_size_at(off)));
}

StoredValue NodeView::value(uint32_t i) const {
  const uint32_t off = slot(i);
  const uint32_t key_length = load_u16(&p_[off + 1]);
  const uint32_t body = off + kLeafCellHeaderSize + key_length;
  StoredValue v;
  v.overflow = (p_[off] & kLeafFlagOverflow) != 0;
  v.length = load_u32(&p_[off + 3]);
  if (v.overflow) {
    v.first_page = load_u32(&p_[body]);
  } else {
    v.inline_bytes = {reinterpret_cast<const char*>(p_.data()) + body, v.length};
  }
  return v;
}

void NodeView::prefetch_cells() const {
  constexpr uint32_t kLine = 64;
  for (uint32_t at = content_start() & ~(kLine - 1); at < page_size(); at += kLine) __builtin_prefetch(p_.data() + at);
}

PageNo NodeView::child(uint32_t i) const {
  if (i == 0) return digest_.empty() ? load_u32(&p_[16]) : PageNo(digest_[1]);
  return load_u32(&p_[slot(i - 1)]);
}

namespace {

uint64_t load_be64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return __builtin_bswap64(v);
}

// Byte-wise (memcmp) order of a stored key against `k`, as <0, 0, >0. Eight
// bytes at a time inline: the keys compared in a search are mostly short,
// and a call to memcmp for each probe cost more than the comparison.
int compare_key(const uint8_t* a, size_t a_length, std::string_view k) {
  const auto* b = reinterpret_cast<const uint8_t*>(k.data());
  const size_t n = std::min(a_length, k.size());
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const uint64_t x = load_be64(a + i);
    const uint64_t y = load_be64(b + i);
    if (x != y) return x < y ? -1 : 1;
  }
  for (; i < n; ++i) {
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return a_length < k.size() ? -1 : (a_length > k.size() ? 1 : 0);
}

// Bytes at..at+7 of `key`, zero-padded, as a big-endian integer: the head a
// key digest stores.
uint64_t key_head(std::string_view key, size_t at) {
  uint8_t bytes[8] = {};
  if (at < key.size()) std::memcpy(bytes, key.data() + at, std::min<size_t>(8, key.size() - at));
  return load_be64(bytes);
}

// The index of the first of heads[0, n) that is >= head: a binary search
// without branches. A random key's probes cannot be predicted, and a
// mispredicted branch per probe cost more than the search itself; the heads
// are in cache by then (a descent fetches a linked digest whole).
uint32_t first_head_at_least(const uint64_t* heads, uint32_t n, uint64_t head) {
  if (n == 0) return 0;
  const uint64_t* base = heads;
  for (uint32_t len = n; len > 1;) {
    const uint32_t half = len / 2;
    base += (base[half] < head) ? half : 0;
    len -= half;
  }
  return uint32_t(base - heads) + (*base < head ? 1 : 0);
}

}  // namespace

std::vector<uint64_t> NodeView::key_digest() const {
  const uint32_t n = count();
  size_t prefix = 0;
  if (n > 0) {
    const std::string_view first = key(0);
    const std::string_view last = key(n - 1);
    const size_t limit = std::min(first.size(), last.size());
    while (prefix < limit && first[prefix] == last[prefix]) ++prefix;
  }
  // A key length is a u16 field, so the prefix fits the 16 bits word 0 gives it.
  const uint64_t word0 = uint64_t{n} | (uint64_t{prefix} << kDigestPrefixShift) |
                         (uint64_t{static_cast<uint8_t>(type())} << kDigestTypeShift);
  const size_t heads_at = digest_heads_at(word0);
  std::vector<uint64_t> digest(digest_words(word0), 0);
  digest[0] = word0;
  digest[1] = is_leaf() ? 0 : child(0);
  if (prefix > 0) std::memcpy(digest.data() + 2, key(0).data(), prefix);
  for (uint32_t i = 0; i < n; ++i) digest[heads_at + i] = key_head(key(i), prefix);
  if (n > 0) std::memcpy(digest.data() + heads_at + n, &p_[kNodeHeaderSize], size_t{n} * kSlotSize);
  return digest;
}

void NodeView::link_child(NodeLink parent, uint32_t i, NodeLink child) {
  uint64_t* link = parent.digest + digest_links_at(parent.digest[0]) + kLinkWords * i;
  link[0] = reinterpret_cast<uint64_t>(child.page);
  link[1] = reinterpret_cast<uint64_t>(child.digest);
  link[2] = uint64_t{uint32_t(child.digest_words)} | uint64_t{child.mark.slot} << 32;
  link[3] = child.mark.stamp;
}

template <bool kOrEqual>
NodeView::Search NodeView::count_below(std::string_view k) const {
  if (digest_.empty()) return count_below_in<kOrEqual>(k, 0, count());
  const uint32_t n = static_cast<uint32_t>(digest_[0]);
  const size_t prefix = digest_prefix(digest_[0]);
  // A key that differs from the shared prefix (or ends inside it) orders
  // before or after every cell.
  const size_t common = std::min(prefix, k.size());
  int c = common == 0 ? 0 : std::memcmp(k.data(), digest_.data() + 2, common);
  if (c == 0 && k.size() < prefix) c = -1;
  if (c != 0) return {c < 0 ? 0 : n, false};
  const uint64_t* heads = digest_.data() + digest_heads_at(digest_[0]);
  const uint64_t head = key_head(k, prefix);
  const uint32_t lo = first_head_at_least(heads, n, head);
  uint32_t hi = lo;
  while (hi < n && heads[hi] == head) ++hi;
  if (!kOrEqual && lo < hi) {
    // The leaf cell the search lands on is read next, and its value right
    // after: fetch the lines past the key together with the key's own,
    // rather than one miss after the other.
    const uint32_t cell = slot(lo);
    for (const uint32_t ahead : {64u, 128u}) {
      if (cell + ahead < page_size()) __builtin_prefetch(p_.data() + cell + ahead);
    }
  }
  return count_below_in<kOrEqual>(k, lo, hi);
}

template <bool kOrEqual>
NodeView::Search NodeView::count_below_in(std::string_view k, uint32_t lo, uint32_t hi) const {
  const uint8_t* base = p_.data();
  const bool leaf = is_leaf();
  const uint32_t key_at = leaf ? kLeafCellHeaderSize : kInternalCellHeaderSize;
  const uint32_t length_at = leaf ? 1 : 4;
  uint32_t met_at = UINT32_MAX;
  while (lo < hi) {
    const uint32_t mid = lo + (hi - lo) / 2;
    const uint8_t* cell = base + slot(mid);
    const int c = compare_key(cell + key_at, load_u16(cell + length_at), k);
    if (c == 0) met_at = mid;
    if (kOrEqual ? c <= 0 : c < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return {lo, met_at == lo};
}

// In a sound node (keys unique and ascending) the lower bound is `k` itself
// exactly when some probe met it there; asking for the probe's index too
// keeps a damaged node's disorder from answering for another key.
NodeView::Position NodeView::lower_bound(std::string_view k) const {
  const Search s = count_below<false>(k);
  return {s.index, s.equal};
}

uint32_t NodeView::child_index(std::string_view k) const { return count_below<true>(k).index; }

void MutableNode::init(PageType type, PageNo leftmost_child) {
  std::fill(w_.begin() + 4, w_.end(), uint8_t{0});
  w_[4] = static_cast<uint8_t>(type);
  store_u32(&w_[8], 0);
  store_u32(&w_[12], uint32_t(w_.size()));
  store_u32(&w_[16], leftmost_child);
}

bool MutableNode::insert(uint32_t index, std::span<const uint8_t> cell) {
  if (uint64_t(cell.size()) + kSlotSize > free_bytes()) return false;
  const uint32_t n = count();
  const uint32_t off = content_start() - uint32_t(cell.size());
  std::memcpy(&w_[off], cell.data(), cell.size());
  uint8_t* slots = &w_[kNodeHeaderSize];
  std::memmove(slots + (index + 1) * kSlotSize, slots + index * kSlotSize, (n - index) * kSlotSize);
  store_u16(slots + index * kSlotSize, uint16_t(off));
  store_u32(&w_[8], n + 1);
  store_u32(&w_[12], off);
  return true;
}

void MutableNode::remove(uint32_t index) {
  const uint32_t n = count();
  const uint32_t start = content_start();
  const uint32_t off = slot(index);
  const uint32_t size = uint32_t(cell_size_at(off));
  // Slide the cells stored below the hole up over it, keeping them packed.
  std::memmove(w_.data() + start + size, w_.data() + start, off - start);
  std::fill(w_.begin() + start, w_.begin() + start + size, uint8_t{0});
  uint8_t* slots = &w_[kNodeHeaderSize];
  std::memmove(slots + index * kSlotSize, slots + (index + 1) * kSlotSize, (n - index - 1) * kSlotSize);
  store_u16(slots + (n - 1) * kSlotSize, 0);
  for (uint32_t i = 0; i + 1 < n; ++i) {
    const uint32_t o = load_u16(slots + i * kSlotSize);
    if (o < off) store_u16(slots + i * kSlotSize, uint16_t(o + size));
  }
  store_u32(&w_[8], n - 1);
  store_u32(&w_[12], start + size);
}

void encode_inline_leaf_cell(std::vector<uint8_t>* out, std::string_view key, std::string_view value) {
  out->resize(kLeafCellHeaderSize + key.size() + value.size());
  uint8_t* p = out->data();
  p[0] = 0;
  store_u16(p + 1, uint16_t(key.size()));
  store_u32(p + 3, uint32_t(value.size()));
  std::memcpy(p + kLeafCellHeaderSize, key.data(), key.size());
  std::memcpy(p + kLeafCellHeaderSize + key.size(), value.data(), value.size());
}

void encode_overflow_leaf_cell(std::vector<uint8_t>* out, std::string_view key, uint32_t value_length,
                               PageNo first_page) {
  out->resize(kLeafCellHeaderSize + key.size() + 4);
  uint8_t* p = out->data();
  p[0] = kLeafFlagOverflow;
  store_u16(p + 1, uint16_t(key.size()));
  store_u32(p + 3, value_length);
  std::memcpy(p + kLeafCellHeaderSize, key.data(), key.size());
  store_u32(p + kLeafCellHeaderSize + key.size(), first_page);
}

void encode_internal_cell(std::vector<uint8_t>* out, std::string_view key, PageNo child) {
  out->resize(kInternalCellHeaderSize + key.size());
  uint8_t* p = out->data();
  store_u32(p, child);
  store_u16(p + 4, uint16_t(key.size()));
  std::memcpy(p + kInternalCellHeaderSize, key.data(), key.size());
}

std::string_view internal_cell_key(std::span<const uint8_t> cell) {
  return {reinterpret_cast<const char*>(cell.data()) + kInternalCellHeaderSize, load_u16(cell.data() + 4)};
}

PageNo internal_cell_child(std::span<const uint8_t> cell) { return load_u32(cell.data()); }

std::string_view leaf_cell_key(std::span<const uint8_t> cell) {
  return {reinterpret_cast<const char*>(cell.data()) + kLeafCellHeaderSize, load_u16(cell.data() + 1)};
}

uint32_t choose_cut(std::span<const uint32_t> cell_bytes, bool internal, uint32_t usable) {
  const uint32_t n = uint32_t(cell_bytes.size());
  uint64_t total = 0;
  for (uint32_t b : cell_bytes) total += b;
  uint32_t best = kNoCut;
  uint64_t best_min = 0;
  uint64_t left = 0;  // bytes of cells [0, cut)
  for (uint32_t cut = 0; cut < n; ++cut) {
    const uint64_t right = total - left - (internal ? cell_bytes[cut] : 0);
    const bool both_sides_exist = internal || cut > 0;
    if (both_sides_exist && left <= usable && right <= usable) {
      const uint64_t smaller = std::min(left, right);
      if (best == kNoCut || smaller > best_min) {
        best = cut;
        best_min = smaller;
      }
    }
    left += cell_bytes[cut];
  }
  return best;
}

std::string_view shortest_separator(std::string_view left, std::string_view right) {
  const size_t limit = std::min(left.size(), right.size());
  size_t common = 0;
  while (common < limit && left[common] == right[common]) ++common;
  return right.substr(0, common + 1);
}

}  // namespace engine
