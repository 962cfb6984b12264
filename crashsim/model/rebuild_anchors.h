// RebuildAnchors: the frontiers a walk over a trace keeps so that a crash
// state it generated can be rebuilt without replaying the trace from its start.
//
// A model run's deduplication (state_set.h), past its budget, rebuilds the
// image of an earlier state from its id. The rebuild starts from the newest
// frontier kept at or before the state's crash point and walks the trace
// forward from there to the point: kept are the frontiers of the last
// kRecent points visited (most hash matches are between states of one point
// or of neighbours: nothing is replayed for them) and of every kEvery-th
// point, so a rebuild replays at most kEvery points' entries. A frontier
// shares its chunks with the walk that took it (timeline.h), so the rebuilt
// image shares with the walk's images every chunk not written between the
// anchor and the point, and comparing the two is cheap.
//
// Memory: each frontier kept every kEvery points pins the chunks written
// since the one before, so together they pin every chunk the walk wrote;
// the walk drops them (drop_all_but_newest) while no state can need them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>

#include "crashsim/model/timeline.h"
#include "crashsim/record/trace.h"

namespace crashsim {

class RebuildAnchors {
 public:
  static constexpr uint64_t kEvery = 256;  // crash points between two kept frontiers
  static constexpr size_t kRecent = 16;    // the last points visited whose frontiers are kept

  // The walk is at its `index`-th crash point, whose frontier is `f`
  // (indices and points ascend within a walk).
  void visit(size_t index, std::shared_ptr<const Frontier> f);
  // Forgets the frontiers kept every kEvery points, but the newest.
  void drop_all_but_newest();
  // Forgets every frontier: a new walk starts.
  void clear();

  // The newest frontier kept at or before `point`; null when none is.
  const Frontier* nearest(uint64_t point) const;
  // The frontier at `point` of `trace` (the trace the walk walked), from
  // nearest(point) walked forward to `point` under that frontier's rules;
  // nullopt when no frontier at or before `point` is kept.
  std::optional<Frontier> frontier_at(const Trace& trace, uint64_t point) const;

 private:
  std::map<uint64_t, std::shared_ptr<const Frontier>> every_;  // by point
  std::deque<std::shared_ptr<const Frontier>> recent_;         // ascending points
};

}  // namespace crashsim
