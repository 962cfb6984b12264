#include "engine/page_cache.h"

#include <algorithm>
#include <atomic>
#include <utility>

namespace engine {
namespace {

// Space reserved up front; a larger cache grows as it fills, so that a huge
// capacity meant as "unbounded" costs nothing until it is used.
constexpr size_t kMaxReserve = 4096;

}  // namespace

PageCache::PageCache(size_t capacity) : capacity_(std::min<size_t>(capacity, UINT32_MAX - 1)) {
  entries_.reserve(std::min(capacity_, kMaxReserve));
  stamps_.reserve(std::min(capacity_, kMaxReserve));
}

uint32_t PageCache::slot(PageNo pgno) const { return pgno < slot_of_.size() ? slot_of_[pgno] : 0; }

PageCache::Entry* PageCache::hit(PageNo pgno) {
  const uint32_t s = slot(pgno);
  if (s == 0) return nullptr;
  Entry& entry = entries_[s - 1];
  // Loaded first so that readers hitting one hot page do not keep writing
  // its cache line.
  const std::atomic_ref<bool> referenced(entry.referenced);
  if (!referenced.load(std::memory_order_relaxed)) referenced.store(true, std::memory_order_relaxed);
  return &entry;
}

PageRef PageCache::lookup(PageNo pgno) {
  const Entry* entry = hit(pgno);
  return entry ? entry->page : nullptr;
}

const Page* PageCache::find(PageNo pgno) {
  const Entry* entry = hit(pgno);
  return entry ? entry->page.get() : nullptr;
}

BorrowMark PageCache::mark_of(PageNo pgno, const Page* image) const {
  const uint32_t s = slot(pgno);
  if (s == 0 || entries_[s - 1].page.get() != image) return {};
  return {stamps_[s - 1], s - 1};
}

PageRef PageCache::peek(PageNo pgno) const {
  const uint32_t s = slot(pgno);
  return s == 0 ? nullptr : entries_[s - 1].page;
}

void PageCache::insert(PageRef page) {
  if (capacity_ == 0) return;
  const uint64_t stamp = ++last_stamp_;
  const PageNo pgno = page->pgno;
  if (const uint32_t s = slot(pgno); s != 0) {
    entries_[s - 1] = {std::move(page), true};
    stamps_[s - 1] = stamp;
    return;
  }
  if (pgno >= slot_of_.size()) {
    // Doubling keeps growth amortized; never past one slot per page number.
    constexpr size_t kPageNumbers = size_t{UINT32_MAX} + 1;
    slot_of_.resize(std::min(std::max<size_t>(size_t{pgno} + 1, 2 * slot_of_.size()), kPageNumbers), 0);
  }
  if (entries_.size() < capacity_) {
    slot_of_[pgno] = static_cast<uint32_t>(entries_.size() + 1);
    entries_.push_back({std::move(page), false});
    stamps_.push_back(stamp);
    return;
  }
  // Second chance: skip (and clear) recently used entries. Terminates within
  // two sweeps because each pass clears the bits it skips.
  while (entries_[hand_].referenced) {
    entries_[hand_].referenced = false;
    hand_ = (hand_ + 1) % entries_.size();
  }
  slot_of_[entries_[hand_].page->pgno] = 0;
  slot_of_[pgno] = static_cast<uint32_t>(hand_ + 1);
  entries_[hand_] = {std::move(page), false};
  stamps_[hand_] = stamp;
  hand_ = (hand_ + 1) % entries_.size();
}

}  // namespace engine
