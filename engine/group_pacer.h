// GroupPacer: how long a group commit's leader waits for the writers that
// are about to queue, so that they share its sync instead of the next one.
//
// Why: a leader takes the writes queued behind it (LevelDB's scheme), and
// those that queue while it stages them (engine/db.cc). The writers of one
// group all wake when its sync returns, and the next leader starts at once
// with the writes that queued during that sync; so N busy writers tend to
// split into two cohorts that take turns, about N/2 writes per sync. A
// leader that waits a little for the writers of the round before (they are
// on their way back) puts more of them in one sync. This is MySQL's
// binlog_group_commit_sync_delay and PostgreSQL's commit_delay, with their
// constants replaced by what the last group measured:
//   * a leader waits only while its group holds fewer writes than took part
//     in the last round (the last group and the writes queued behind it
//     when it ended): a writer alone never waits, and a writer that stopped
//     writing stops being waited for after one round;
//   * it waits at most half the last group's flush (its WAL write and
//     sync), so a round that waits in vain costs at most half a flush more.
//     (Half gave 8 writers about 9% more commits/s than a quarter, and a
//     whole flush no more than a quarter: docs/benchmarks.md.)
// It decides nothing about durability: every write is still acknowledged
// only after the sync of the WAL write that carries it.
// It counts writes, not callers: after one caller's Db::write_group of N
// batches, the next lone write waits once, up to the patience, for N.
//
// Not thread-safe: the caller holds the queue's lock.
#pragma once

#include <chrono>
#include <cstddef>

namespace engine {

class GroupPacer {
 public:
  // A group of `written` writes took `flush` (its WAL write and sync) and
  // left `queued` writes waiting behind it.
  void group_done(size_t written, size_t queued, std::chrono::nanoseconds flush);

  // How many writes a leader's group should hold before it stops waiting
  // for more (1: no wait), given that at most `max_group` fit in one group.
  size_t writers_expected(size_t max_group) const;

  // The longest a leader may wait for them.
  std::chrono::nanoseconds patience() const { return last_flush_ / 2; }

 private:
  size_t last_round_ = 1;
  std::chrono::nanoseconds last_flush_{0};
};

}  // namespace engine
