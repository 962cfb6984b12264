// error-discipline: what a system must not do after a sync failed.
//
// After a failed sync the kernel may already have dropped the pages whose
// write-back failed, so nothing written before it is known to be on disk,
// and a later sync that succeeds proves nothing (PostgreSQL's "fsyncgate",
// 2018). The rule, as LevelDB (background error), LMDB (MDB_FATAL_ERROR) and
// our engine (its failed state) apply it: once a sync failed, the system
// trusts no later sync of that file and accepts no new commit or checkpoint
// until it is closed and reopened, which runs recovery from what really is
// on disk.
//
// Judged from the recorded trace, before any crash state is built, within
// one session (from one open-called to the next), a commit-acked or
// checkpoint-done entry is a finding when
//   * its commit or checkpoint was called after a sync-failed entry: it was
//     accepted while the store should have been in its failed state; or
//   * a sync of its file failed during it and a later sync of the same file
//     succeeded before it: it was acknowledged on a retried sync.
// A sync that failed during a commit which was already durable (the data
// file's sync in the automatic checkpoint after the WAL sync) is not
// something that commit depended on, and is no finding. Nor is a store that
// ignores a failed sync outright: that shows in the crash states, which do
// not hold the dropped writes (AfterFailedSync::kDrop).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crashsim/record/trace.h"

namespace crashsim {

struct DisciplineFinding {
  uint64_t index = 0;        // the commit-acked or checkpoint-done entry
  uint64_t failed_sync = 0;  // the sync-failed entry it came after
  std::string message;
};

// In trace order.
std::vector<DisciplineFinding> error_discipline_findings(const Trace& trace);

}  // namespace crashsim
