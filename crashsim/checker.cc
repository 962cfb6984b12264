#include "crashsim/checker.h"

#include <algorithm>
#include <optional>

#include "crashsim/image_io.h"
#include "crashsim/point_reads.h"
#include "crashsim/recording_vfs.h"
#include "vfs/mem_vfs.h"

namespace crashsim {

using vfs::Status;

namespace {

Finding finding(std::string_view invariant, std::string expected, std::string observed, std::string message) {
  return {std::string(invariant), std::move(expected), std::move(observed), std::move(message)};
}

// k when `visible` is S_k for an allowed k.
std::optional<uint64_t> allowed_prefix(const Oracle& oracle, Expectation expect, const KvState& visible) {
  const uint64_t n = oracle.txn_count();
  const uint64_t hash = Oracle::state_hash(visible);
  for (uint64_t i = std::min(expect.acked, n); i <= std::min(expect.acked + (expect.in_flight ? 1 : 0), n); ++i) {
    if (oracle.matches(visible, hash, i)) return i;
  }
  return std::nullopt;
}

// Step 5: the recovered store takes the continuation's commits (and a
// checkpoint), closes, and reopens with all of them. With a recorder, its
// calls and the markers go to the recorded trace; the reopen is not recorded.
void run_continuation(SystemUnderTest& sut, vfs::Vfs& mem, RecordingVfs* recorder, std::unique_ptr<SutSession> session,
                      const KvState& recovered, const ContinuationOptions& options, std::vector<Finding>& out) {
  auto mark = [recorder](OpKind kind, uint64_t number = 0) {
    if (recorder != nullptr) recorder->mark(kind, number);
  };
  auto fail = [&out](const std::string& what, const vfs::Status& s) {
    out.push_back(finding(invariant::kWritableAfterRecovery, what + " succeeds", s.to_string(),
                          "after recovery, the " + what + " failed"));
  };
  KvState want = recovered;
  for (uint32_t i = 1; i <= options.commits; ++i) {
    const Batch batch = continuation_batch(recovered, i);
    mark(OpKind::kTxnBegin, i);
    mark(OpKind::kCommitCalled, i);
    if (Status s = session->apply(batch); !s.ok()) return fail("new commit " + std::to_string(i) + " after recovery", s);
    mark(OpKind::kCommitAcked, i);
    apply_batch(batch, want);
    if (options.checkpoint && i == (options.commits + 1) / 2) {
      mark(OpKind::kCheckpointCalled);
      const Status s = session->checkpoint();
      if (!s.ok() && s.code() != vfs::StatusCode::kNotSupported) return fail("checkpoint after recovery", s);
      mark(OpKind::kCheckpointDone);
    }
  }
  mark(OpKind::kCloseCalled);
  if (Status s = session->close(); !s.ok()) return fail("close after the new commits", s);
  mark(OpKind::kCloseDone);
  session.reset();
  auto reopened = sut.open(mem);
  if (!reopened.ok()) return fail("reopen after the new commits", reopened.status());
  auto scanned = (*reopened)->scan_all();
  if (!scanned.ok()) return fail("scan after the reopen", scanned.status());
  if (*scanned != want) {
    out.push_back(finding(invariant::kWritableAfterRecovery,
                          std::to_string(want.size()) + " keys: the recovered state plus " +
                              std::to_string(options.commits) + " new commits",
                          std::to_string(scanned->size()) + " keys, and they differ",
                          "after new commits, a clean close and a reopen the store does not hold the recovered state "
                          "plus the new commits"));
  }
  if (Status s = (*reopened)->close(); !s.ok()) fail("close after the reopen", s);
}

}  // namespace

StateOutcome check_state(SystemUnderTest& sut, const Oracle& oracle, const DiskImage& image, Expectation expect,
                         const CheckOptions& options) {
  StateOutcome outcome;
  vfs::MemVfs mem;
  if (Status s = install_image(image, mem); !s.ok()) {
    outcome.findings.push_back(finding(invariant::kRecovery, "the crash state installs", s.to_string(),
                                       "the simulator could not materialise the crash state"));
    return outcome;
  }
  std::optional<RecordingVfs> recorder;
  if (options.record_recovery) recorder.emplace(mem, image);
  vfs::Vfs& target = recorder ? static_cast<vfs::Vfs&>(*recorder) : mem;

  auto opened = sut.open(target);
  if (!opened.ok()) {
    if (options.media_faults) {
      outcome.corruption_reported = true;
    } else {
      outcome.findings.push_back(finding(invariant::kRecovery, "open succeeds", opened.status().to_string(),
                                         "the store could not be opened on this crash state"));
    }
    return outcome;
  }
  std::unique_ptr<SutSession> session = std::move(opened).value();
  uint64_t open_done = 0;
  if (recorder) {
    open_done = recorder->op_count();
    recorder->mark(OpKind::kOpenDone);
  }
  outcome.recovery_paths = session->recovery_paths();

  auto scanned = session->scan_all();
  if (!scanned.ok()) {
    if (options.media_faults) {
      outcome.corruption_reported = true;
    } else {
      outcome.findings.push_back(finding(invariant::kRecovery, "a full scan succeeds", scanned.status().to_string(),
                                         "the store opened but could not read its keys back"));
    }
    return outcome;
  }
  const KvState& visible = *scanned;
  outcome.findings = judge_visible_state(oracle, expect, visible, options.media_faults);
  PointReadOutcome reads = check_point_reads(*session, oracle, visible, options.media_faults);
  for (Finding& f : reads.findings) outcome.findings.push_back(std::move(f));
  if (options.media_faults) {
    // Reads were right (or silently wrong, judged above); did the system at least notice?
    auto report = session->verify();
    outcome.corruption_reported = reads.error_reported || !report.ok() || !report->empty();
    return outcome;
  }
  auto report = session->verify();
  if (!report.ok()) {
    outcome.findings.push_back(finding(invariant::kStructure, "verify() runs", report.status().to_string(),
                                       "verify() failed on the recovered store"));
  } else {
    for (const SutFinding& f : *report) {
      outcome.findings.push_back(finding(f.invariant, "no violation", f.message, "verify() found a violation"));
    }
  }
  if (options.post_recovery_write) {
    run_continuation(sut, mem, recorder ? &*recorder : nullptr, std::move(session), visible, options.continuation,
                     outcome.findings);
  } else {
    if (recorder) recorder->mark(OpKind::kCloseCalled);
    if (Status s = session->close(); !s.ok()) {
      outcome.findings.push_back(finding(invariant::kRecovery, "close succeeds", s.to_string(),
                                         "the recovered store could not be closed"));
    } else if (recorder) {
      recorder->mark(OpKind::kCloseDone);
    }
  }
  if (recorder) {
    outcome.after_recovery = AfterRecovery{recorder->trace(), open_done, visible, allowed_prefix(oracle, expect, visible)};
  }
  return outcome;
}

}  // namespace crashsim
