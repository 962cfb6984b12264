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

// Step 5: the recovered store takes a write and keeps it across a reopen.
void check_writable(SystemUnderTest& sut, vfs::Vfs& vfs, std::unique_ptr<SutSession> session, const KvState& visible,
                    std::vector<Finding>& out) {
  auto fail = [&out](const std::string& what, const Status& s) {
    out.push_back(finding(invariant::kWritableAfterRecovery, what + " succeeds", s.to_string(),
                          "after recovery, the " + what + " failed"));
  };
  const Batch probe{{KvOp::Kind::kPut, kProbeKey, "written after recovery"}};
  if (Status s = session->apply(probe); !s.ok()) return fail("write of a probe key", s);
  if (Status s = session->close(); !s.ok()) return fail("close after the probe write", s);
  session.reset();
  auto reopened = sut.open(vfs);
  if (!reopened.ok()) return fail("reopen after the probe write", reopened.status());
  auto scanned = (*reopened)->scan_all();
  if (!scanned.ok()) return fail("scan after the reopen", scanned.status());
  KvState want = visible;
  want[kProbeKey] = probe[0].value;
  if (*scanned != want) {
    out.push_back(finding(invariant::kWritableAfterRecovery,
                          std::to_string(want.size()) + " keys: the recovered state plus the probe key",
                          std::to_string(scanned->size()) + " keys, and they differ",
                          "after a write and a reopen the store does not hold the recovered state plus the new key"));
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
  if (recorder) outcome.recovery_trace = recorder->trace();
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
    check_writable(sut, mem, std::move(session), visible, outcome.findings);
  } else if (Status s = session->close(); !s.ok()) {
    outcome.findings.push_back(finding(invariant::kRecovery, "close succeeds", s.to_string(),
                                       "the recovered store could not be closed"));
  }
  return outcome;
}

}  // namespace crashsim
