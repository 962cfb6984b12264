// PageCache: a bounded set of clean, committed page images, evicted by CLOCK
// (second chance).
//
// A hit costs two array loads and one reference-bit store: no hashing, no
// list splicing, no copy, no allocation. Page numbers are dense, so the index
// from page number to entry is a plain array: 4 bytes for every page number
// up to the highest one cached (0.1% of the database at 4 KiB pages), where a
// hash map cost a dependent cache miss per lookup. Entries are shared,
// immutable images (PageRef), so evicting one never invalidates a reader
// that still holds it. Pages dirtied
// by the running transaction live in the transaction, never here.
// lookup, find, peek, mark_of and holds may run in many threads at once (a
// hit sets its use mark with an atomic store); insert must run alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/page.h"

namespace engine {

class PageCache {
 public:
  // Holds at most `capacity` pages; 0 caches nothing.
  explicit PageCache(size_t capacity);

  // The cached image of `pgno`, or null.
  PageRef lookup(PageNo pgno);

  // As lookup, but borrowed: no reference is taken, so the image is valid
  // only while the cache holds it (until the next insert may evict it).
  const Page* find(PageNo pgno);

  // The cached image of `pgno`, or null, without counting it as a use (for
  // a checkpoint, which reads every page once and should not skew eviction).
  PageRef peek(PageNo pgno) const;

  // Caches `page`, replacing an older image of the same page number; when
  // full, evicts the first page the clock hand finds not recently used.
  void insert(PageRef page);

  // Where `image`, pgno's image as find() returned it, is held, or an empty
  // mark when the cache does not hold exactly that image for pgno.
  BorrowMark mark_of(PageNo pgno, const Page* image) const;

  // True while the entry `mark` names still holds the image it was taken
  // for: only an insert that replaces or evicts that very entry ends it, so
  // a mark outlives inserts of other pages (a commit's, a miss's).
  bool holds(BorrowMark mark) const {
    return mark.stamp != 0 && mark.slot < stamps_.size() && stamps_[mark.slot] == mark.stamp;
  }

  size_t size() const { return entries_.size(); }
  size_t capacity() const { return capacity_; }

 private:
  // 1 + the index of pgno's entry, or 0 when pgno is not cached.
  uint32_t slot(PageNo pgno) const;
  // pgno's entry marked as used, or null.
  struct Entry;
  Entry* hit(PageNo pgno);

  struct Entry {
    PageRef page;
    // Set by a hit (or by replacing the image), cleared as the hand passes: a
    // page inserted and never read again is the first to go, so one long
    // scan cannot flush the pages that are read over and over. Set through
    // std::atomic_ref by hits, which may race with each other; read and
    // cleared only by insert, which runs alone.
    bool referenced = false;
  };

  const size_t capacity_;
  std::vector<Entry> entries_;
  // Each entry's stamp, from last_stamp_ when its image was put in: apart
  // from the entries, so that checking a mark reads 8 bytes per entry.
  std::vector<uint64_t> stamps_;
  std::vector<uint32_t> slot_of_;  // slot(pgno) by pgno; 0 past its end
  size_t hand_ = 0;
  uint64_t last_stamp_ = 0;
};

}  // namespace engine
