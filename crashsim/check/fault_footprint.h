// Where a media fault's damage lies, and whether the oracle's one exception
// for media faults applies to it.
//
// The exception (docs/crash-models.md, "Under corrupt"): no store can tell
// damage to the last acknowledged transaction's commit, at the log's tail,
// from a torn write of that commit, so a fault inside the bytes that commit
// wrote may drop that transaction alone (and, when the same fault also hit
// the commit before it, both; after a group commit, whose transactions share
// one write, any of the group's from the first on). Which bytes those are is read from
// the trace, never from what the system says about itself: the writes issued
// between `commit-called N` and `commit-acked N` for the last acknowledged
// transaction N that wrote anything (a transaction of only reads writes
// nothing, so the one before it is still the log's tail), minus every byte a
// later durable write or truncate changed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crashsim/model/media_fault.h"
#include "crashsim/model/timeline.h"
#include "crashsim/record/trace.h"

namespace crashsim {

// [begin, end) of one file.
struct ByteSpan {
  std::string path;
  uint64_t begin = 0;
  uint64_t end = 0;
  friend bool operator==(const ByteSpan&, const ByteSpan&) = default;
};

// The bytes `fault` may change in a file of `file_size` bytes: the byte or
// two it edits, the sector it overwrites, the part of a write it loses and,
// misdirected, the range the part lands on.
std::vector<ByteSpan> fault_footprint(const MediaFault& fault, uint32_t sector_size, uint64_t file_size);

// The first transaction the exception lets the fault drop (the visible state
// may then be S_N: N's effects gone, and those of the transactions
// acknowledged after it), when some byte of `footprint` was written by the
// commit of the last writing transaction N and no later write or truncate
// durable at the frontier changed it; nullopt otherwise. When the footprint
// also reaches the live bytes of the writing commit before N, M, the answer
// is M: a log broken inside M with N unreadable behind it is what a torn
// write of M leaves. Then, while the transaction before the answer was
// acknowledged after the answer's commit was called (one group commit), the
// answer moves back to it. `durable` is durable_at() for the frontier's rules.
std::optional<uint64_t> droppable_commit(const Trace& trace, const std::vector<uint64_t>& durable,
                                         const Frontier& frontier, const std::vector<ByteSpan>& footprint);

}  // namespace crashsim
