#include "crashsim/check/checker.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>

#include "crashsim/check/image_io.h"
#include "crashsim/check/point_reads.h"
#include "crashsim/check/read_tracking_vfs.h"
#include "crashsim/name_table.h"
#include "crashsim/record/recording_vfs.h"
#include "vfs/mem_vfs.h"

namespace crashsim {

using vfs::Status;

namespace {

// Runs `fn`, adding the seconds it took to `total`.
template <typename Fn>
auto timed(double& total, Fn&& fn) {
  const auto start = std::chrono::steady_clock::now();
  struct Add {
    double& total;
    std::chrono::steady_clock::time_point start;
    ~Add() { total += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); }
  } add{total, start};
  return fn();
}

Finding finding(std::string_view invariant, std::string expected, std::string observed, std::string message,
                std::vector<std::string> keys = {}) {
  return {std::string(invariant), std::move(expected), std::move(observed), std::move(message), std::move(keys)};
}

// k when `visible` is S_k for an allowed k.
std::optional<uint64_t> allowed_prefix(const Oracle& oracle, Expectation expect, const KvState& visible) {
  const uint64_t n = oracle.txn_count();
  const uint64_t hash = Oracle::state_hash(visible);
  for (uint64_t i = std::min(expect.acked, n); i <= std::min(expect.acked + expect.in_flight, n); ++i) {
    if (oracle.matches(visible, hash, i)) return i;
  }
  return std::nullopt;
}

// The continuation's writes by key: the last value put, or nullopt for a delete.
using Overlay = std::map<std::string, std::optional<std::string>>;

void write_overlay(const Batch& batch, Overlay& overlay) {
  for (const KvOp& op : batch) {
    overlay[op.key] = op.kind == KvOp::Kind::kPut ? std::optional<std::string>(op.value) : std::nullopt;
  }
}

// |base with `overlay` applied|.
size_t overlaid_size(const KvState& base, const Overlay& overlay) {
  size_t size = base.size();
  for (const auto& [key, value] : overlay) {
    const bool in_base = base.contains(key);
    if (value && !in_base) ++size;
    if (!value && in_base) --size;
  }
  return size;
}

// Whether `state` is `base` with `overlay` applied: one walk of both states,
// without copying `base` (a copy of 100,000 entries costs more than the
// store's reopen).
bool equals_overlaid(const KvState& state, const KvState& base, const Overlay& overlay) {
  auto s = state.begin();
  auto b = base.begin();
  auto o = overlay.begin();
  // Each round settles the smallest key left in base or overlay: its expected
  // entry (if any) must be the next one of `state`.
  while (b != base.end() || o != overlay.end()) {
    const bool from_overlay = b == base.end() || (o != overlay.end() && o->first <= b->first);
    const std::string& key = from_overlay ? o->first : b->first;
    const std::string* want = from_overlay ? (o->second ? &*o->second : nullptr) : &b->second;
    if (from_overlay && b != base.end() && b->first == key) ++b;
    if (from_overlay) {
      ++o;
    } else {
      ++b;
    }
    if (want == nullptr) continue;
    if (s == state.end() || s->first != key || s->second != *want) return false;
    ++s;
  }
  return s == state.end();
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
  const std::vector<Batch> batches = continuation_batches(recovered, options.commits);
  Overlay written;
  for (uint32_t i = 1; i <= options.commits; ++i) {
    const Batch& batch = batches[i - 1];
    mark(OpKind::kTxnBegin, i);
    mark(OpKind::kCommitCalled, i);
    if (Status s = session->apply(batch); !s.ok()) return fail("new commit " + std::to_string(i) + " after recovery", s);
    mark(OpKind::kCommitAcked, i);
    write_overlay(batch, written);
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
  if (!equals_overlaid(*scanned, recovered, written)) {
    out.push_back(finding(invariant::kWritableAfterRecovery,
                          std::to_string(overlaid_size(recovered, written)) + " keys: the recovered state plus " +
                              std::to_string(options.commits) + " new commits",
                          std::to_string(scanned->size()) + " keys, and they differ",
                          "after new commits, a clean close and a reopen the store does not hold the recovered state "
                          "plus the new commits"));
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
  // Marks the end of the answers an application acts on (open, scan, gets):
  // a refusal after it (verify()) comes too late to excuse a wrong answer.
  // `misplaced_read`: those answers read the bytes a misdirected write
  // landed on.
  void note_answers_end(bool misplaced_read) {
    refused_by_answers_ = refused_;
    misplaced_read_ = misplaced_read;
  }
  bool refused_by_answers() const { return refused_by_answers_; }
  bool misplaced_read() const { return misplaced_read_; }
  const std::optional<Finding>& misreport() const { return misreport_; }

 private:
  bool refused_ = false;
  bool refused_by_answers_ = false;
  bool misplaced_read_ = false;
  std::optional<Finding> misreport_;
};

bool footprint_read(const std::vector<ByteSpan>& footprint, const std::map<std::string, ByteRanges>& reads) {
  return std::any_of(footprint.begin(), footprint.end(), [&reads](const ByteSpan& span) {
    const auto it = reads.find(span.path);
    return it != reads.end() && it->second.intersects(span.begin, span.end);
  });
}

// Opens, scans, gets and verifies, noting every answer; the judgement of
// what the scan showed goes to `judged`.
void question_store(SystemUnderTest& sut, const Oracle& oracle, ReadTrackingVfs& vfs, Expectation expect,
                    const MediaFaultCheck& fault, MediaFaultAnswers& answers, MediaJudgement& judged,
                    StateOutcome& outcome) {
  auto opened = sut.open(vfs);
  if (answers.stop_at(opened.status(), "open")) return;
  std::unique_ptr<SutSession> session = std::move(opened).value();
  outcome.recovery_paths = session->recovery_paths();
  auto scanned = session->scan_all();
  if (answers.stop_at(scanned.status(), "scan")) return;
  judged = timed(outcome.oracle_seconds, [&] { return judge_under_media_fault(oracle, expect, *scanned, fault.droppable); });
  PointReadOutcome reads = check_point_reads(*session, oracle, *scanned, true);
  answers.note(reads.error, "point read");
  answers.note_answers_end(fault.misplaced && footprint_read({*fault.misplaced}, vfs.state_reads()));
  auto report = timed(outcome.verify_seconds, [&] { return session->verify(); });
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
  // Reads that answered wrong are silent however verify() judges after them:
  // an application acts on its reads and need not run verify(). The one
  // exception is a stale image (a lost write, or where a misdirected one
  // should have landed), which no read can tell from the page it replaced;
  // it does not cover answers that read the misdirected image itself.
  const bool answered_wrong = !answers.refused_by_answers() && !judged.findings.empty();
  if (answers.refused() && answered_wrong && (!fault.stale_image || answers.misplaced_read())) {
    outcome.fault_outcome = FaultOutcome::kSilent;
    outcome.findings = std::move(judged.findings);
  } else if (answers.refused() && answered_wrong) {
    outcome.fault_outcome = FaultOutcome::kCaughtByVerify;
  } else if (answers.refused()) {
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
    outcome.fault_outcome = footprint_read(fault.footprint, tracked.reads()) ? FaultOutcome::kRecovered : FaultOutcome::kHarmless;
  }
}

constexpr NameTable<FaultOutcome, 7> kFaultOutcomeNames = {{
    {FaultOutcome::kRefused, "refused"},
    {FaultOutcome::kRecovered, "recovered"},
    {FaultOutcome::kHarmless, "harmless"},
    {FaultOutcome::kTailDropped, "tail-dropped"},
    {FaultOutcome::kCaughtByVerify, "caught-by-verify"},
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
  uint64_t open_done = 0;
  if (recorder) {
    open_done = recorder->op_count();
    recorder->mark(OpKind::kOpenDone);
  }
  outcome.recovery_paths = session->recovery_paths();

  auto scanned = session->scan_all();
  if (!scanned.ok()) {
    outcome.findings.push_back(finding(invariant::kRecovery, "a full scan succeeds", scanned.status().to_string(),
                                       "the store opened but could not read its keys back"));
    return outcome;
  }
  const KvState& visible = *scanned;
  const VisibleState state(oracle, visible, options.basis);
  outcome.findings = timed(outcome.oracle_seconds, [&] { return judge_visible_state(oracle, expect, state); });
  for (Finding& f : check_point_reads(*session, oracle, visible, false).findings) outcome.findings.push_back(std::move(f));
  auto report = timed(outcome.verify_seconds, [&] { return session->verify(); });
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
  if (options.basis != nullptr && state.matched()) {
    const size_t prefix = *state.matched();
    const uint64_t hash = state.hash();
    *options.basis = Basis{&oracle, prefix, std::move(*scanned), hash};
  }
  return outcome;
}

}  // namespace crashsim
