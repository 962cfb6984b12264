// Point reads after recovery: every key read back one at a time.
//
// A full scan walks the leaves in order; a get descends from the root through
// the internal nodes (and, in our engine, key digests, child links and a
// cached root), so a damaged or stale path can answer a get wrongly while the
// scan is right, or the other way round. After the scan has been judged,
// every key it returned is read back with get(), and so is a sample of keys
// it did not return:
//   * keys some transaction wrote that the state does not hold (deleted, or
//     written only by later transactions): at most kAbsentWrittenKeys, spread
//     evenly over the sorted list;
//   * keys never written that sort right next to present ones (the key with
//     its last byte moved by one each way, and the key without its last
//     byte), for at most kNeighbourProbes present keys spread evenly: they
//     share a prefix with a real key, which is where a search that compares
//     prefixes or fixed-width heads goes wrong.
// Each get must agree with the scan: the value it returned, or absent.
#pragma once

#include <string>
#include <vector>

#include "crashsim/check/invariants.h"
#include "crashsim/record/oracle.h"
#include "crashsim/system_under_test.h"

namespace crashsim {

inline constexpr size_t kAbsentWrittenKeys = 32;
inline constexpr size_t kNeighbourProbes = 8;

// The keys the scan did not return that get() is asked for, sorted, without
// repeats. Deterministic: a function of the oracle's keys and `visible`.
std::vector<std::string> absent_key_sample(const Oracle& oracle, const KvState& visible);

struct PointReadOutcome {
  // The first disagreement, if any: `structure` (get and scan disagree, or a
  // get failed where the scan read fine), or under media faults
  // `silent-corruption` (a get returned other bytes than the scan, or missed a
  // key, without an error).
  std::vector<Finding> findings;
  // Media faults only: the error a get returned (the reads stop there), for
  // the checker to judge (a corruption error is the system refusing the
  // damage); OK when none did.
  vfs::Status error;
  uint64_t gets = 0;  // gets issued
};

// Gets every key of `visible` (what the scan returned) and the absent sample,
// stopping at the first disagreement.
PointReadOutcome check_point_reads(SutSession& session, const Oracle& oracle, const KvState& visible,
                                   bool media_faults);

}  // namespace crashsim
