#include "crashsim/check/fault_footprint.h"

#include <algorithm>
#include <map>

#include "crashsim/model/byte_ranges.h"
#include "crashsim/model/write_faults.h"

namespace crashsim {

std::vector<ByteSpan> fault_footprint(const MediaFault& fault, uint32_t sector_size, uint64_t file_size) {
  const std::string& path = fault.path;
  switch (fault.kind) {
    case FaultKind::kBitFlip:
      return {{path, fault.offset, fault.offset + 1}};
    case FaultKind::kSwapBytes:
    case FaultKind::kCompensate:
      return {{path, fault.offset, fault.offset + 1}, {path, fault.offset + fault.param, fault.offset + fault.param + 1}};
    case FaultKind::kZeroSector:
    case FaultKind::kGarbageSector: {
      const uint64_t start = fault.offset / sector_size * sector_size;
      return {{path, start, std::min<uint64_t>(start + sector_size, file_size)}};
    }
    case FaultKind::kLostWrite:
      return {{path, fault.offset, fault.offset + fault.length}};
    case FaultKind::kMisdirectedWrite:
      return {{path, fault.offset, fault.offset + fault.length}, {path, fault.target, fault.target + fault.length}};
  }
  return {};
}

namespace {

bool is_marker_of(const Op& op, OpKind kind, uint64_t txn) { return op.kind == kind && op.number == txn; }

// The trace index of the last `kind` marker of `txn` before `end`, if any.
std::optional<uint64_t> last_marker(const Trace& trace, uint64_t end, OpKind kind, uint64_t txn) {
  for (uint64_t i = end; i-- > 0;) {
    if (is_marker_of(trace.ops[i], kind, txn)) return i;
  }
  return std::nullopt;
}

}  // namespace

std::optional<uint64_t> droppable_commit(const Trace& trace, const std::vector<uint64_t>& durable,
                                         const Frontier& frontier, const std::vector<ByteSpan>& footprint) {
  const uint64_t end = std::min<uint64_t>(frontier.point, trace.ops.size());
  // The last two acknowledged transactions whose commits wrote something,
  // newest first, each with its writes and the trace index of its ack.
  struct TailCommit {
    uint64_t txn = 0;
    uint64_t acked_at = 0;
    std::map<InodeId, ByteRanges> written;
  };
  std::vector<TailCommit> tail;
  uint64_t search_end = end;
  for (uint64_t n = frontier.expect.acked; n-- > 0 && tail.size() < 2;) {
    const std::optional<uint64_t> acked = last_marker(trace, search_end, OpKind::kCommitAcked, n);
    // Acknowledged through commit-recovered: no commit write of its own to point at.
    if (!acked) break;
    const std::optional<uint64_t> called = last_marker(trace, *acked, OpKind::kCommitCalled, n);
    if (!called) break;
    TailCommit commit{n, *acked, {}};
    for (uint64_t i = *called + 1; i < *acked; ++i) {
      const Op& op = trace.ops[i];
      if (op.kind == OpKind::kWrite) commit.written[op.inode].add(op.offset, op.offset + op.length());
    }
    if (!commit.written.empty()) tail.push_back(std::move(commit));
    search_end = *called;
  }
  // ... each minus what a later durable write or truncate changed.
  const auto hits = [&](TailCommit& commit) {
    for (uint64_t i = commit.acked_at + 1; i < end; ++i) {
      const Op& op = trace.ops[i];
      if (durable[i] >= frontier.point) continue;
      const auto it = commit.written.find(op.inode);
      if (it == commit.written.end()) continue;
      if (op.kind == OpKind::kWrite) it->second.subtract(op.offset, op.offset + op.length());
      if (op.kind == OpKind::kTruncate) it->second.subtract(op.offset, UINT64_MAX);
    }
    for (const ByteSpan& span : footprint) {
      const std::optional<InodeId> inode = durable_inode(frontier, span.path);
      if (!inode) continue;
      const auto it = commit.written.find(*inode);
      if (it != commit.written.end() && it->second.intersects(span.begin, span.end)) return true;
    }
    return false;
  };
  if (tail.empty() || !hits(tail[0])) return std::nullopt;
  // A fault that also damaged the commit before N (a byte swapped across
  // the two, a misdirected part of N landing on it) leaves a log that breaks
  // inside that commit with N unreadable behind it: what a torn write of
  // that earlier commit leaves, so it may drop both.
  uint64_t first = tail.size() == 2 && hits(tail[1]) ? tail[1].txn : tail[0].txn;
  // A group commit writes its transactions together: one still in flight
  // when the next was called (acknowledged after that call) shares its write,
  // and damage anywhere in that write reads as a torn group, which drops the
  // transactions of the group from the damaged one on.
  while (first > 0) {
    const std::optional<uint64_t> called = last_marker(trace, end, OpKind::kCommitCalled, first);
    const std::optional<uint64_t> acked_before = last_marker(trace, end, OpKind::kCommitAcked, first - 1);
    if (!called || !acked_before || *acked_before < *called) break;
    --first;
  }
  return first;
}

}  // namespace crashsim
