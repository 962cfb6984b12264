// ByteRanges: a set of byte offsets of one file, as disjoint ranges.
#pragma once

#include <cstdint>
#include <map>

namespace crashsim {

// A set of byte offsets kept as disjoint, non-adjacent [begin, end) ranges.
class ByteRanges {
 public:
  void add(uint64_t begin, uint64_t end);
  void subtract(uint64_t begin, uint64_t end);
  bool intersects(uint64_t begin, uint64_t end) const;
  bool empty() const { return ranges_.empty(); }
  // The ranges in order, as (begin, end) pairs.
  const std::map<uint64_t, uint64_t>& ranges() const { return ranges_; }

 private:
  std::map<uint64_t, uint64_t> ranges_;  // begin -> end
};

}  // namespace crashsim
