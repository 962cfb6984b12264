#include "crashsim/checker.h"

#include <algorithm>
#include <optional>

#include "crashsim/image_io.h"
#include "crashsim/name_table.h"
#include "crashsim/point_reads.h"
#include "crashsim/read_tracking_vfs.h"
#include "crashsim/recording_vfs.h"
#include "vfs/mem_vfs.h"

namespace crashsim {

using vfs::Status;

namespace {

Finding finding(std::string_view invariant, std::string expected, std::string observed, std::string message,
                std::vector<std::string> keys = {}) {
  return {std::string(invariant), std::move(expected), std::move(observed), std::move(message), std::move(keys)};
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

// Under a media fault: how the system answered, step by step. The first
// refusal decides; an error of another kind is remembered in case none comes.
class MediaFaultAnswers {
 public:
  // True when `s` ends the check: a refusal, or another error at a step that
  // leaves nothing more to read (open, scan).
  bool stop_at(const Status& s, std::string_view step) {
    note(s, step);
    return !s.ok();
  }
  void note(const Status& s, std::string_view step) {
    if (s.ok() || refused_) return;
    if (s.is_corruption()) {
      refused_ = true;
    } else if (!misreport_) {
      misreport_ = finding(invariant::kRecovery, "a corruption error naming the damage, or the state the crash allows",
                           std::string(step) + " failed: " + s.to_string(),
                           "the store failed on a damaged file with an error that is not a corruption error");
    }
  }
  void refuse() { refused_ = true; }
  bool refused() const { return refused_; }
  const std::optional<Finding>& misreport() const { return misreport_; }

 private:
  bool refused_ = false;
  std::optional<Finding> misreport_;
};

bool footprint_read(const std::vector<ByteSpan>& footprint, const ReadTrackingVfs& reads) {
  return std::any_of(footprint.begin(), footprint.end(), [&reads](const ByteSpan& span) {
    const auto it = reads.reads().find(span.path);
    return it != reads.reads().end() && it->second.intersects(span.begin, span.end);
  });
}

// Opens, scans, gets and verifies, noting every answer; the judgement of
// what the scan showed goes to `judged`.
void question_store(SystemUnderTest& sut, const Oracle& oracle, vfs::Vfs& vfs, Expectation expect,
                    const MediaFaultCheck& fault, MediaFaultAnswers& answers, MediaJudgement& judged,
                    StateOutcome& outcome) {
  auto opened = sut.open(vfs);
  if (answers.stop_at(opened.status(), "open")) return;
  std::unique_ptr<SutSession> session = std::move(opened).value();
  outcome.recovery_paths = session->recovery_paths();
  auto scanned = session->scan_all();
  if (answers.stop_at(scanned.status(), "scan")) return;
  judged = judge_under_media_fault(oracle, expect, *scanned, fault.droppable);
  PointReadOutcome reads = check_point_reads(*session, oracle, *scanned, true);
  answers.note(reads.error, "point read");
  auto report = session->verify();
  answers.note(report.status(), "verify");
  if (report.ok() && !report->empty()) answers.refuse();
  answers.note(session->close(), "close");
  if (judged.findings.empty()) judged.findings = std::move(reads.findings);
}

void check_media_fault(SystemUnderTest& sut, const Oracle& oracle, vfs::Vfs& mem, Expectation expect,
                       const MediaFaultCheck& fault, StateOutcome& outcome) {
  ReadTrackingVfs tracked(mem);
  MediaFaultAnswers answers;
  MediaJudgement judged;
  question_store(sut, oracle, tracked, expect, fault, answers, judged, outcome);
  if (answers.refused()) {
    outcome.fault_outcome = FaultOutcome::kRefused;
  } else if (answers.misreport()) {
    outcome.fault_outcome = FaultOutcome::kMisreported;
    outcome.findings.push_back(*answers.misreport());
  } else if (!judged.findings.empty()) {
    outcome.fault_outcome = FaultOutcome::kSilent;
    outcome.findings = std::move(judged.findings);
  } else if (judged.tail_dropped) {
    outcome.fault_outcome = FaultOutcome::kTailDropped;
  } else {
    outcome.fault_outcome = footprint_read(fault.footprint, tracked) ? FaultOutcome::kRecovered : FaultOutcome::kHarmless;
  }
}

constexpr NameTable<FaultOutcome, 6> kFaultOutcomeNames = {{
    {FaultOutcome::kRefused, "refused"},
    {FaultOutcome::kRecovered, "recovered"},
    {FaultOutcome::kHarmless, "harmless"},
    {FaultOutcome::kTailDropped, "tail-dropped"},
    {FaultOutcome::kSilent, "silent"},
    {FaultOutcome::kMisreported, "misreported"},
}};

}  // namespace

std::string_view fault_outcome_name(FaultOutcome outcome) {
  return name_in(kFaultOutcomeNames, outcome).value_or("unknown");
}

StateOutcome check_state(SystemUnderTest& sut, const Oracle& oracle, const DiskImage& image, Expectation expect,
                         const CheckOptions& options) {
  StateOutcome outcome;
  vfs::MemVfs mem;
  if (Status s = install_image(image, mem); !s.ok()) {
    outcome.findings.push_back(finding(invariant::kRecovery, "the crash state installs", s.to_string(),
                                       "the simulator could not materialise the crash state"));
    return outcome;
  }
  if (options.media_fault) {
    check_media_fault(sut, oracle, mem, expect, *options.media_fault, outcome);
    return outcome;
  }
  std::optional<RecordingVfs> recorder;
  if (options.record_recovery) recorder.emplace(mem, image);
  vfs::Vfs& target = recorder ? static_cast<vfs::Vfs&>(*recorder) : mem;

  auto opened = sut.open(target);
  if (!opened.ok()) {
    outcome.findings.push_back(finding(invariant::kRecovery, "open succeeds", opened.status().to_string(),
                                       "the store could not be opened on this crash state"));
    return outcome;
  }
  std::unique_ptr<SutSession> session = std::move(opened).value();
  if (recorder) outcome.recovery_trace = recorder->trace();
  outcome.recovery_paths = session->recovery_paths();

  auto scanned = session->scan_all();
  if (!scanned.ok()) {
    outcome.findings.push_back(finding(invariant::kRecovery, "a full scan succeeds", scanned.status().to_string(),
                                       "the store opened but could not read its keys back"));
    return outcome;
  }
  const KvState& visible = *scanned;
  outcome.findings = judge_visible_state(oracle, expect, visible);
  for (Finding& f : check_point_reads(*session, oracle, visible, false).findings) outcome.findings.push_back(std::move(f));
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
