// Combining the reports of a sharded run (`crashsim merge DIR...`).
//
// A run split with --shard I/N writes one report per shard. Merging them
// gives the report the unsharded run would have written:
//   * every input must come from the same catalog (same digest and files)
//     and the same tool version, and cover different shards "I/N" of the
//     same N; an unsharded report overlaps everything and cannot be merged
//     with another;
//   * scenarios are matched by name (their catalog fields must agree) and
//     cases by model; a model case present in several shards (the shards
//     split its crash states) gets the sum of crash points, states, time,
//     recovery-path and violation counts and the union of recorded
//     violations (by state id and invariant); its states_total, the size of
//     the model's state space, must be the same in every shard;
//   * what every shard repeats is not added up: the workload's trace counts
//     (which must agree: a difference means the workload is not
//     deterministic), at-risk findings and model-independent checks (union
//     of violations, largest count per invariant);
//   * verdicts, rates and totals are recomputed from the merged data;
//   * the run record takes the earliest start, the longest duration, the
//     sum of jobs and the union of shards.
// Scenarios come out in catalog order (file, then position in the file).
// Every shard 1/N..N/N must be there: a missing one is refused (naming it),
// since a mutant's expected violation may lie in its states. With
// allow_partial, shards 1/4 and 3/4 merge into a partial report (is_partial):
// it lists the shards it has, and its verdicts defer what they cannot decide.
#pragma once

#include <span>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/report.h"
#include "vfs/status.h"

namespace reports {

vfs::Result<Report> merge_parsed_reports(std::span<const Report> shards, bool allow_partial = false);

// Reads each document strictly (problems name "report #K"), then merges.
vfs::Result<nlohmann::json> merge_reports(const std::vector<nlohmann::json>& shards, bool allow_partial = false);

}  // namespace reports
