#include "crashsim/model/byte_ranges.h"

#include <algorithm>
#include <iterator>

namespace crashsim {

void ByteRanges::add(uint64_t begin, uint64_t end) {
  if (begin >= end) return;
  // Merge with every range that overlaps or touches [begin, end).
  auto it = ranges_.upper_bound(begin);
  if (it != ranges_.begin() && std::prev(it)->second >= begin) --it;
  while (it != ranges_.end() && it->first <= end) {
    begin = std::min(begin, it->first);
    end = std::max(end, it->second);
    it = ranges_.erase(it);
  }
  ranges_.emplace(begin, end);
}

void ByteRanges::subtract(uint64_t begin, uint64_t end) {
  if (begin >= end) return;
  auto it = ranges_.upper_bound(begin);
  if (it != ranges_.begin() && std::prev(it)->second > begin) --it;
  while (it != ranges_.end() && it->first < end) {
    const uint64_t lo = it->first;
    const uint64_t hi = it->second;
    it = ranges_.erase(it);
    if (lo < begin) ranges_.emplace(lo, begin);
    if (hi > end) {
      ranges_.emplace(end, hi);
      break;
    }
  }
}

bool ByteRanges::intersects(uint64_t begin, uint64_t end) const {
  if (begin >= end) return false;
  auto it = ranges_.upper_bound(begin);
  if (it != ranges_.begin() && std::prev(it)->second > begin) return true;
  return it != ranges_.end() && it->first < end;
}

}  // namespace crashsim
