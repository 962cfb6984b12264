// The oracle: what every prefix of the commit order looks like.
//
// It keeps every transaction's operations in commit order, and for each key
// the history of its values, so that S_i (the state after transactions
// 0..i-1) can be queried key by key without materialising it, and a visible
// state can be compared with S_i exactly in O(|state| log n). Each S_i also
// has a size and an order-independent 64-bit hash, so most comparisons stop
// at the hash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "crashsim/record/workload.h"
#include "crashsim/system_under_test.h"

namespace crashsim {

// Applies `batch` to `state` as one transaction.
void apply_batch(const Batch& batch, KvState& state);

class Oracle {
 public:
  Oracle() = default;
  // `failed[i]` (optional): attempts at transaction i that failed before it
  // committed (or that never did, for i == txns.size()), in call order. None
  // was acknowledged, but each may have reached the disk, so a crash state
  // between such an attempt and the acknowledgement of transaction i may show
  // S_i with that attempt applied (Expectation::failed).
  explicit Oracle(std::vector<Batch> txns, std::vector<std::vector<Batch>> failed = {});
  // The transactions the steps commit, in order (ops after the last commit are dropped).
  static Oracle from_steps(const std::vector<Step>& steps);
  // The batch of each commit step, in order.
  static std::vector<Batch> commit_batches(const std::vector<Step>& steps);

  size_t txn_count() const { return txns_.size(); }
  const Batch& txn(size_t i) const { return txns_[i]; }
  size_t failed_count(size_t i) const { return i < failed_.size() ? failed_[i].size() : 0; }
  // S_i with failed attempt k at transaction i applied.
  KvState state_with_failed(size_t i, size_t k) const;

  // S_i[key]; nullopt when absent. Requires i <= txn_count().
  std::optional<std::string> value_after(size_t i, const std::string& key) const;
  KvState state_after(size_t i) const;
  uint64_t hash_after(size_t i) const { return hashes_[i]; }
  size_t size_after(size_t i) const { return sizes_[i]; }
  // Exactly S_i? `hash` is state_hash(visible).
  bool matches(const KvState& visible, uint64_t hash, size_t i) const;

  // Keys written by any transaction, with the transactions that changed them:
  // (j, v) means S_{j+1}[key] = v (nullopt: deleted), until the next entry.
  using History = std::vector<std::pair<uint32_t, std::optional<std::string>>>;
  const std::unordered_map<std::string, History>& histories() const { return history_; }
  // Every key some transaction wrote, sorted.
  const std::vector<std::string>& keys() const { return keys_; }

  // The sum over entries of entry_hash(key, value).
  static uint64_t state_hash(const KvState& state);
  static uint64_t entry_hash(const std::string& key, const std::string& value);

 private:
  std::vector<Batch> txns_;
  std::vector<std::vector<Batch>> failed_;
  std::unordered_map<std::string, History> history_;
  std::vector<std::string> keys_;  // of history_, sorted
  std::vector<uint64_t> hashes_;  // of S_0 .. S_n
  std::vector<size_t> sizes_;
};

}  // namespace crashsim
