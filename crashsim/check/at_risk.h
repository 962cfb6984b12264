// The at-risk report: at every commit acknowledgement, what the commit
// depends on that is not yet durable.
//
// When a commit returns OK, everything the run has written so far is
// something the acknowledged state may depend on, so all of it should be
// durable: each file's writes and truncates synced, each creation, rename
// and removal covered by a sync_dir of its directory (under the FsRules).
// Anything still volatile is listed, by trace entry; a non-empty list is a
// durability finding before any crash state is built, and names the write
// whose sync is missing. A file whose live contents equal its durable ones
// has nothing at risk, whatever ops are pending (a truncate to its own size).
// Writes to files that no longer have a name (removed while open) are not
// listed: nothing can depend on them after a crash.
#pragma once

#include <vector>

#include "crashsim/model/timeline.h"
#include "crashsim/record/trace.h"
#include "crashsim/results.h"

namespace crashsim {

// One report per acknowledgement that had something at risk, in trace order.
std::vector<AtRiskReport> at_risk_reports(const Trace& trace, FsRules rules);

}  // namespace crashsim
