// What became of each trace entry in one crash state: the "ops around the
// crash point" of a violation, which point at the missing or misplaced sync.
#pragma once

#include <cstdint>
#include <vector>

#include "crashsim/model/persistence_model.h"
#include "crashsim/model/timeline.h"
#include "crashsim/record/trace.h"
#include "crashsim/results.h"

namespace crashsim {

// The entries in [point - context, point + context) and every earlier entry
// that was dropped or torn (at most kMaxLostOps of them, the latest first
// kept), ascending, each with its fate under `kind` and `choice`.
// `durable` is durable_at(trace, rules) for the rules the frontier was built with.
std::vector<OpRecord> ops_around(const Trace& trace, const std::vector<uint64_t>& durable, const Frontier& frontier,
                                 ModelKind kind, const Choice& choice, uint32_t context);

inline constexpr size_t kMaxLostOps = 32;

}  // namespace crashsim
