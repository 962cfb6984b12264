// VisibleState: what a store shows, compared with the oracle's states by
// its difference from a state compared before.
//
// Judging a crash state asks, for a few prefixes i, whether the visible state
// V equals S_i (Oracle::matches: hash every entry of V, then look every key
// up in the oracle's histories), so every check costs the whole state. The
// crash states a run checks one after another show nearly the same keys, so
// a checker keeps the last visible state that equalled some S_j of the same
// oracle (a Basis) and compares the next one with it:
//
//  - a sorted walk of V and the basis B finds the keys whose entries differ
//    (D); V's hash and size follow from B's and D's;
//  - V == S_i  <=>  V[k] == S_i[k] for every k in D and every k some
//    transaction between j and i writes (C): any other key has
//    V[k] == B[k] == S_j[k] == S_i[k].
//
// So the oracle's lookups cost |D| + |C| rather than |V|, and the walk
// compares the two states entry by entry (no hashing, no allocation). With no
// usable basis (none yet, another oracle's), or when C outnumbers V, every
// key of V is looked up, as Oracle::matches does. Either way the verdict is exact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crashsim/record/oracle.h"
#include "crashsim/system_under_test.h"

namespace crashsim {

// A visible state known to equal S_prefix of `oracle`.
struct Basis {
  const Oracle* oracle = nullptr;
  size_t prefix = 0;
  KvState contents;
  uint64_t hash = 0;  // Oracle::state_hash(contents)
};

class VisibleState {
 public:
  // `visible` and `basis` (null: none) must outlive this object; a basis of
  // another oracle is not used.
  VisibleState(const Oracle& oracle, const KvState& visible, const Basis* basis);

  const KvState& entries() const { return visible_; }
  uint64_t hash() const { return hash_; }  // Oracle::state_hash(entries())
  // Exactly S_i? Requires i <= oracle.txn_count(). Compares hashes first.
  bool matches(size_t i) const;
  // Exactly S_i, key by key, without the hash (matches() compares first):
  // the exact part of a comparison, which hashes alone cannot test.
  bool equals(size_t i) const;
  // The last i for which matches(i) held: what a Basis of this state records.
  std::optional<size_t> matched() const { return matched_; }
  // Whether comparisons use the basis (for tests and counters).
  bool uses_basis() const { return basis_ != nullptr; }

 private:
  // V[key] == S_i[key].
  bool agrees(size_t i, const std::string& key) const;
  // The keys the transactions between the basis's prefix and i write, when
  // they number at most |V| (else the whole comparison is cheaper).
  std::optional<std::vector<const std::string*>> keys_written_between(size_t i) const;

  const Oracle& oracle_;
  const KvState& visible_;
  const Basis* basis_;                        // null when unusable
  std::vector<const std::string*> differing_;  // D: keys of V or of the basis
  uint64_t hash_ = 0;
  mutable std::optional<size_t> matched_;
};

}  // namespace crashsim
