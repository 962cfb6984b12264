#include "crashsim/check/continuation.h"

#include <algorithm>
#include <iterator>
#include <string>

#include "crashsim/rng.h"

namespace crashsim {

namespace {

// Strides that spread the touched keys over V whatever its size.
constexpr uint64_t kOverwriteStride = 7919;
constexpr uint64_t kDeleteStride = 104729;
// Salts of the two kinds of oracle id.
constexpr uint64_t kPrefixStream = 0x70726566;
constexpr uint64_t kStateStream = 0x73746174;

// The keys at `indexes` (each taken modulo |state|) of `state` in key order,
// found in one walk: a map has no random access, and a walk per index over a
// state of 100,000 keys costs more than the store's own recovery.
std::vector<const std::string*> keys_at(const KvState& state, const std::vector<uint64_t>& indexes) {
  std::vector<std::pair<uint64_t, size_t>> wanted;  // (position in the state, slot in the result)
  for (size_t slot = 0; slot < indexes.size(); ++slot) wanted.emplace_back(indexes[slot] % state.size(), slot);
  std::sort(wanted.begin(), wanted.end());
  std::vector<const std::string*> keys(indexes.size());
  auto it = state.begin();
  uint64_t at = 0;
  for (const auto& [position, slot] : wanted) {
    it = std::next(it, static_cast<std::ptrdiff_t>(position - at));
    at = position;
    keys[slot] = &it->first;
  }
  return keys;
}

}  // namespace

std::vector<Batch> continuation_batches(const KvState& recovered, uint32_t commits) {
  // Commit i overwrites the key at i * kOverwriteStride and, from the second
  // on, deletes another one; all positions are fixed before the one walk.
  std::vector<uint64_t> positions;
  for (uint32_t i = 1; i <= commits && !recovered.empty(); ++i) {
    const uint64_t overwrite = i * kOverwriteStride;
    positions.push_back(overwrite);
    if (i >= 2 && recovered.size() >= 2) {
      uint64_t del = i * kDeleteStride + recovered.size() / 2;
      if (del % recovered.size() == overwrite % recovered.size()) ++del;
      positions.push_back(del);
    }
  }
  const std::vector<const std::string*> keys = recovered.empty() ? std::vector<const std::string*>{}
                                                                 : keys_at(recovered, positions);
  std::vector<Batch> batches;
  size_t next_key = 0;
  for (uint32_t i = 1; i <= commits; ++i) {
    const std::string tag = "c" + std::to_string(i) + ":";
    Batch batch;
    batch.push_back({KvOp::Kind::kPut, i == 1 ? std::string(kProbeKey) : kProbeKey + ("-" + std::to_string(i)),
                     tag + "written after recovery"});
    if (!recovered.empty()) {
      batch.push_back({KvOp::Kind::kPut, *keys[next_key++], tag + "overwritten after recovery"});
      if (i >= 2 && recovered.size() >= 2) batch.push_back({KvOp::Kind::kDelete, *keys[next_key++], {}});
    }
    batches.push_back(std::move(batch));
  }
  return batches;
}

ContinuationOracle ContinuationOracles::get(const Oracle& parent, uint64_t parent_id, const KvState& recovered,
                                            std::optional<uint64_t> prefix) {
  std::vector<Batch> txns;
  if (prefix) {
    const std::pair<uint64_t, uint64_t> key{parent_id, *prefix};
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (const auto it = by_prefix_.find(key); it != by_prefix_.end()) return it->second;
    }
    for (uint64_t j = 0; j < *prefix; ++j) txns.push_back(parent.txn(j));
  } else {
    Batch all;
    for (const auto& [key, value] : recovered) all.push_back({KvOp::Kind::kPut, key, value});
    txns.push_back(std::move(all));
  }
  ContinuationOracle out;
  out.base = txns.size();
  for (Batch& batch : continuation_batches(recovered, commits_)) txns.push_back(std::move(batch));
  out.oracle = std::make_shared<const Oracle>(std::move(txns));
  // Both kinds of id are functions of what the oracle holds (the new batches
  // are a function of the recovered state), never 0.
  out.id = prefix ? mix64(mix64(parent_id ^ kPrefixStream) + *prefix) | 1
                  : mix64(Oracle::state_hash(recovered) ^ kStateStream) | 1;
  if (prefix) {
    std::lock_guard<std::mutex> lock(mu_);
    by_prefix_.emplace(std::pair<uint64_t, uint64_t>{parent_id, *prefix}, out);
  }
  return out;
}

Expectation continuation_expectation(const Trace& trace, uint64_t open_done, uint64_t q, uint64_t base) {
  Expectation e{.acked = base};
  for (uint64_t i = open_done + 1; i < q && i < trace.ops.size(); ++i) {
    const Op& op = trace.ops[i];
    // The continuation numbers its commits from 1: commit n acknowledged
    // makes base + n transactions acknowledged.
    if (op.kind == OpKind::kCommitCalled) e.in_flight = base + op.number - e.acked;
    if (op.kind == OpKind::kCommitAcked) {
      const uint64_t called_end = e.acked + e.in_flight;
      e = Expectation{.acked = base + op.number};
      e.in_flight = called_end > e.acked ? called_end - e.acked : 0;
    }
  }
  return e;
}

}  // namespace crashsim
