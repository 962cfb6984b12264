// Page images and their checksums, shared by every layer of the engine.
//
// Every page of the data file (and every page image carried in a WAL frame)
// starts with the same 8-byte header:
//   bytes 0..3  checksum, little-endian: CRC-32 (IEEE, as zlib's crc32) over the page number as
//               4 little-endian bytes followed by bytes 4..page_size-1. Folding
//               the page number in means a page written at the wrong offset
//               (a misdirected write) fails its check like a damaged one.
//   byte  4     PageType
//   bytes 5..7  reserved, zero
// An all-zero page never passes the check, so a page that was never written
// reads as corruption, not as an empty node.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "engine/mutant.h"
#include "vfs/status.h"

namespace engine {

using PageNo = uint32_t;
inline constexpr PageNo kMetaPage = 0;
// Used for "no page" in links (free-list next, overflow next, empty root).
inline constexpr PageNo kNoPage = 0;

inline constexpr size_t kPageHeaderSize = 8;

enum class PageType : uint8_t {
  kMeta = 1,
  kLeaf = 2,
  kInternal = 3,
  kOverflow = 4,
  kFree = 5,
};

// std::allocator, except that a vector sized without a value leaves its
// bytes as they are instead of zeroing them.
template <class T>
struct NoZeroFillAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = NoZeroFillAllocator<U>;
  };
  template <class U, class... Args>
  void construct(U* at, Args&&... args) {
    if constexpr (sizeof...(Args) == 0) {
      ::new (static_cast<void*>(at)) U;
    } else {
      ::new (static_cast<void*>(at)) U(std::forward<Args>(args)...);
    }
  }
};
using PageBytes = std::vector<uint8_t, NoZeroFillAllocator<uint8_t>>;

// Asks for a page whose bytes are about to be read in full from a file:
// zeroing them first was 5% of a cold scan.
struct ToBeRead {};

// An in-memory page image of exactly page_size bytes.
struct Page {
  Page(PageNo no, uint32_t page_size) : pgno(no), bytes(page_size, 0) {}
  // Bytes unset: only for a page the caller fills in full (or discards).
  Page(PageNo no, uint32_t page_size, ToBeRead) : pgno(no), bytes(page_size) {}
  // A copy (a transaction's writable copy of a committed image) keeps
  // node_checked but never key_digest: the copy is about to be written, and
  // a digest describes bytes that no longer change.
  Page(const Page& other) : pgno(other.pgno), bytes(other.bytes), node_checked(other.node_checked) {}
  Page& operator=(const Page&) = delete;

  PageNo pgno;
  PageBytes bytes;
  // Set by the tree once this image passed NodeView::validate, so that a
  // cached node is checked once, not on every visit (the full check walks
  // every cell: most of a point get's cost). The pager never reads it. A
  // copy made for a transaction keeps it: from then on only the tree's node
  // writers change the bytes, and they keep a node valid. Images the pager
  // builds afresh (read from disk, allocated, formatted free) start unset.
  // Guarded by the database's readers' lock: set by a thread holding it
  // exclusively, or by the writer under a shared hold, beside readers that
  // never look at it (they trust a node by its key digest instead).
  mutable bool node_checked = false;
  // The tree's search digest of this node's keys (NodeView::key_digest in
  // engine/node.h), or empty. Built only by reads of committed images
  // (Pager::get_borrowed, which never serves a transaction's copy), which
  // nothing writes again;
  // those reads also record child links in it (BTree::find_leaf), which is
  // why it is never resized once built. The pager never reads it. Built and
  // linked only under an exclusive hold of the readers' lock; read under a
  // shared hold by readers and by the writer's transactions.
  mutable std::vector<uint64_t> key_digest;

  PageType type() const { return static_cast<PageType>(bytes[4]); }
  void set_type(PageType t) { bytes[4] = static_cast<uint8_t>(t); }
};

// Shared, immutable view of a committed (or in-transaction) page. Holding one
// keeps the image alive even if the cache evicts it.
using PageRef = std::shared_ptr<const Page>;

// Where a borrowed image was lent from: the page cache's entry and the stamp
// that entry got when the image was put in it (PageCache::mark_of). Every
// insert gives its entry a new stamp, so while the entry keeps this one the
// image is alive and is still its page's committed image, whatever else the
// cache took in meanwhile. A zero stamp marks nothing (an image lent from
// outside the cache).
struct BorrowMark {
  uint64_t stamp = 0;
  uint32_t slot = 0;
};

// Extends a running checksum over `data`: the IEEE CRC-32 that zlib's crc32
// computes (through ISA-L's faster crc32_gzip_refl), or, under
// Mutant::kAdditiveChecksum, a byte sum mod 2^32 (the fix plan's bug 4).
// Start from 0.
uint32_t checksum_extend(uint32_t running, std::span<const uint8_t> data, Mutant mutant);

// The checksum a page image should carry (see the header comment above).
uint32_t page_checksum(PageNo pgno, std::span<const uint8_t> page, Mutant mutant);

// Writes page_checksum into bytes 0..3. Called on every page just before it
// leaves memory (WAL frame or data-file write).
void seal_page(Page& page, Mutant mutant);

// kCorruption naming `file`, the page and both checksums when the stored
// checksum does not match, OK otherwise.
vfs::Status check_page(const Page& page, const std::string& file, Mutant mutant);

// Little-endian field access used by every on-disk format in the engine.
inline uint16_t load_u16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
inline uint32_t load_u32(const uint8_t* p) {
  return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}
inline uint64_t load_u64(const uint8_t* p) { return uint64_t(load_u32(p)) | (uint64_t(load_u32(p + 4)) << 32); }
inline void store_u16(uint8_t* p, uint16_t v) { p[0] = uint8_t(v); p[1] = uint8_t(v >> 8); }
inline void store_u32(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v); p[1] = uint8_t(v >> 8); p[2] = uint8_t(v >> 16); p[3] = uint8_t(v >> 24);
}
inline void store_u64(uint8_t* p, uint64_t v) { store_u32(p, uint32_t(v)); store_u32(p + 4, uint32_t(v >> 32)); }

// Whether every byte is zero (a slot or page never written). memcmp of the
// bytes against themselves shifted by one runs at memory speed.
inline bool all_zero(std::span<const uint8_t> bytes) {
  return bytes.empty() || (bytes[0] == 0 && std::memcmp(bytes.data(), bytes.data() + 1, bytes.size() - 1) == 0);
}

// The checksum stored in bytes 0..3 (what seal_page wrote, or what was read).
inline uint32_t stored_checksum(const Page& page) { return load_u32(page.bytes.data()); }

// The page digest binds every page of the database to its latest image:
// the XOR, over pages 1 .. page_count-1, of page_digest_term(page number,
// stored checksum of its committed image). The meta page carries it
// (Meta::page_digest, docs/file-formats.md). A write the disk acknowledged
// and then lost leaves an older image, with a valid checksum but another
// one, and so another term. Each term is a bijection of (pgno, checksum),
// so any single changed image changes the digest.
uint64_t page_digest_term(PageNo pgno, uint32_t checksum);

}  // namespace engine
