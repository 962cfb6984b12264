#include "engine/page_cache.h"

#include <algorithm>
#include <utility>

namespace engine {
namespace {

// Space reserved up front; a larger cache grows as it fills, so that a huge
// capacity meant as "unbounded" costs nothing until it is used.
constexpr size_t kMaxReserve = 4096;

}  // namespace

PageCache::PageCache(size_t capacity) : capacity_(capacity) {
  entries_.reserve(std::min(capacity, kMaxReserve));
  slot_of_.reserve(std::min(capacity, kMaxReserve));
}

PageRef PageCache::lookup(PageNo pgno) {
  const auto it = slot_of_.find(pgno);
  if (it == slot_of_.end()) return nullptr;
  Entry& entry = entries_[it->second];
  entry.referenced = true;
  return entry.page;
}

PageRef PageCache::peek(PageNo pgno) const {
  const auto it = slot_of_.find(pgno);
  return it == slot_of_.end() ? nullptr : entries_[it->second].page;
}

void PageCache::insert(PageRef page) {
  if (capacity_ == 0) return;
  const PageNo pgno = page->pgno;
  if (const auto it = slot_of_.find(pgno); it != slot_of_.end()) {
    entries_[it->second] = {std::move(page), true};
    return;
  }
  if (entries_.size() < capacity_) {
    slot_of_.emplace(pgno, entries_.size());
    entries_.push_back({std::move(page), false});
    return;
  }
  // Second chance: skip (and clear) recently used entries. Terminates within
  // two sweeps because each pass clears the bits it skips.
  while (entries_[hand_].referenced) {
    entries_[hand_].referenced = false;
    hand_ = (hand_ + 1) % entries_.size();
  }
  slot_of_.erase(entries_[hand_].page->pgno);
  slot_of_.emplace(pgno, hand_);
  entries_[hand_] = {std::move(page), false};
  hand_ = (hand_ + 1) % entries_.size();
}

}  // namespace engine
