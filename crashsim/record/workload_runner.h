// Running a workload once, recording everything it does.
//
// The steps run against the system under test through a RecordingVfs over a
// fresh MemVfs. Around each call the runner appends markers to the trace:
// open-called/open-done, txn-begin (at a transaction's first step),
// commit-called, commit-acked (only when apply() returned OK),
// checkpoint-called/-done, close-called/-done. The run ends with a clean
// close, so crash points cover the final checkpoint too. A crash-reopen step
// drops the session as a process crash would (RecordingVfs::kill_process),
// then opens again: the trace shows open-called without a close before it.
//
// A step that fails on a run without injected faults (nothing was wrong with
// the disk) is the system's failure, and the recording is evidence, not an
// error: it ends at that step (the session dropped as by a process crash, so
// the trace holds exactly what the run did up to there), and the failure is
// a `workload` violation. The crash states before it are checked as usual.
// Snapshot steps add no marker (a snapshot reads; it writes nothing a crash
// could keep). The runner keeps the acknowledged state when each snapshot was
// taken, and every snapshot-get and snapshot-scan must show exactly that:
// otherwise (a wrong value, a missing or extra key, a read error) it is a
// snapshot-isolation violation naming the snapshot, its commit and the key,
// and the recording goes on. kExpired is allowed only when the snapshots held
// at once could have pinned more than the system's snapshot_memory_limit,
// counting for each the bytes of all the store's files when it was taken (a
// snapshot pins at most the pages of its commit); the engine's 64 MiB default
// is far beyond every shipped workload, so there an expiry is a violation.
// A close, reopen or crash-reopen drops the held snapshots first. A system
// without snapshots (SutSession::snapshot() is kNotSupported) makes a
// snapshot step an error naming the system and the step.
// With verify_each_commit, verify() runs after every acknowledged commit and
// the first commit after which it finds something is a violation of the
// invariant it names (the recording goes on).
//
// With injected faults (crashsim/record/faults.h) errors are part of the run, not
// the end of it, once a fault has been injected: a commit that fails is
// marked commit-failed and not acknowledged (the next commit step attempts
// the same transaction number again with its own batch); a checkpoint or
// close that fails has no -done marker; a get that fails is not judged (a
// read error must be an error, and it is); an open that fails is tried once
// more. After each reopen that follows failed attempts, the runner scans the
// store: if it shows one of them applied, that attempt becomes the
// transaction (commit-recovered), since the store now presents it as
// committed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crashsim/record/faults.h"
#include "crashsim/record/oracle.h"
#include "crashsim/record/trace.h"
#include "crashsim/record/workload.h"
#include "crashsim/results.h"
#include "crashsim/system_under_test.h"
#include "vfs/status.h"

namespace crashsim {

struct Recording {
  std::vector<Step> steps;
  Trace trace;
  Oracle oracle;
  // Found while the workload ran, no crash involved (model "workload"): a
  // get that returned something other than the committed value
  // (workload-read), a read through a snapshot that did not show its commit
  // (snapshot-isolation), a step that failed (workload), the first commit after
  // which verify() failed (its invariant). In trace order; crash_point is
  // the trace length when found, and Simulator::check names the state.
  std::vector<Violation> workload_violations;
  // Runs of the system's planted defect while the workload ran (Simulator::
  // record); nullopt when none is planted or the trace was loaded, not run.
  std::optional<uint64_t> defect_fired;
};

// Runs the workload with `faults` injected. A step that fails before any
// fault was injected ends the recording as evidence (above); one that fails
// after one, outside what the header lists as part of the run, is an error
// naming the step.
vfs::Result<Recording> record_workload(SystemUnderTest& sut, std::vector<Step> steps, const std::string& scenario,
                                       const std::vector<FaultSpec>& faults = {}, bool verify_each_commit = false);

// A recording from a saved trace and the workload that produced it. Fails
// when the trace's commit markers do not fit the workload's transactions.
vfs::Result<Recording> recording_from_trace(Trace trace, std::vector<Step> steps);

// The oracle of a recorded run: the i-th commit-called entry attempted the
// batch of the workload's i-th commit step; commit-acked and
// commit-recovered say which attempt became each transaction, commit-failed
// which ones failed. Fails when the markers do not fit the steps.
vfs::Result<Oracle> oracle_from_trace(const std::vector<Step>& steps, const Trace& trace);

}  // namespace crashsim
