// State ids: the stable name of one crash state.
//
//   <point>:<model>[:<choice>]              a crash state of the workload's trace
//   <parent id>><point>:<model>[:<choice>]  a crash during the recovery of <parent>,
//                                           at a point of recovery's own trace
//
// <point> is the crash point (trace entries issued before the power went out);
// <model> a model name; <choice> the model's choice (persistence_model.h):
//   412:process-crash                412:lose-unsynced
//   412:reorder:b                    (pending ops 0, 1 and 3 persisted)
//   412:torn:512:0.ff.3              (op 0 lost, op 1 whole, op 2 sectors 0 and 1)
//   412:torn:512:0.7f.3:g1.7         (the same, but op 1's sector 7 holds noise)
//   412:corrupt:512:bit-flip:8200:3:db-wal
// Given the same trace (recorded again from the scenario, or loaded from a
// saved trace) an id rebuilds the same bytes. A corrupt id ends with a path,
// which may therefore not contain '>'.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crashsim/model/persistence_model.h"
#include "vfs/status.h"

namespace crashsim {

struct StateIdSegment {
  uint64_t point = 0;
  ModelKind model = ModelKind::kLoseUnsynced;
  std::string choice;  // encode_choice() text; empty for process-crash and lose-unsynced

  friend bool operator==(const StateIdSegment&, const StateIdSegment&) = default;
};

struct StateId {
  // The first segment names a state of the workload's trace; each further one
  // a state of the recovery trace of the state before it.
  std::vector<StateIdSegment> segments;

  std::string to_string() const;
  static vfs::Result<StateId> parse(std::string_view text);
  friend bool operator==(const StateId&, const StateId&) = default;
};

std::string format_segment(const StateIdSegment& segment);

}  // namespace crashsim
