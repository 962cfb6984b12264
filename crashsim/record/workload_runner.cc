#include "crashsim/record/workload_runner.h"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>

#include "crashsim/check/invariants.h"
#include "crashsim/record/recording_vfs.h"
#include "vfs/mem_vfs.h"

namespace crashsim {

using vfs::Result;
using vfs::Status;

namespace {

std::optional<std::string> lookup(const KvState& state, const std::string& key) {
  const auto it = state.find(key);
  return it == state.end() ? std::nullopt : std::optional<std::string>(it->second);
}

// The first key (in order) where two different states differ.
std::string first_difference(const KvState& a, const KvState& b) {
  auto i = a.begin();
  auto j = b.begin();
  while (i != a.end() && j != b.end() && *i == *j) {
    ++i;
    ++j;
  }
  if (i == a.end()) return j->first;
  if (j == b.end()) return i->first;
  return std::min(i->first, j->first);
}

class Runner {
 public:
  Runner(SystemUnderTest& sut, const vfs::MemVfs& files, RecordingVfs& rec, const FaultInjector& faults,
         const std::string& scenario, bool verify_each_commit)
      : sut_(sut),
        files_(files),
        rec_(rec),
        faults_(faults),
        scenario_(scenario),
        verify_each_commit_(verify_each_commit) {}

  // Runs every step, then closes. What a failure does: see failed().
  Status run(const std::vector<Step>& steps) {
    if (const Status s = open(); !s.ok()) return failed("opening the store", s);
    for (size_t i = 0; i < steps.size(); ++i) {
      const Status s = step(steps[i]);
      if (!s.ok()) {
        const std::string what = "workload step " + std::to_string(i) + " (" + std::string(step_kind_name(steps[i].kind)) + ")";
        // A system without snapshots cannot run the scenario at all: that is
        // the scenario's error, not evidence against the system.
        if (steps[i].kind == StepKind::kSnapshot && s.code() == vfs::StatusCode::kNotSupported) return s.with(what);
        return failed(what, s);
      }
    }
    if (const Status s = close(); !s.ok()) return failed("the final close", s);
    return Status();
  }

  std::vector<Violation> take_violations() { return std::move(violations_); }

 private:
  // Once a fault was injected, errors are part of the run (see the header).
  bool faults_seen() const { return faults_.injected() > 0; }

  // `what` failed with `s`. After an injected fault that ends the recording
  // with an error. Before any, nothing was wrong with the disk, so the
  // failure is the system's: the recording ends there as evidence (a
  // `workload` violation), and the session is dropped as a process crash
  // would drop it, so that nothing it does on the way out reaches the trace.
  Status failed(const std::string& what, const Status& s) {
    if (faults_seen()) return s.with(what);
    rec_.kill_process();
    drop_snapshots();
    session_.reset();
    const bool corruption = s.code() == vfs::StatusCode::kCorruption;
    Violation v = workload_violation(invariant::kWorkload, what + " succeeds", s.to_string());
    v.message = what + " failed" + (corruption ? " with a corruption error" : "") +
                " on a run without injected faults (nothing was wrong with the disk); the recording ends here";
    violations_.push_back(std::move(v));
    return Status();
  }

  // verify_each_commit: the first acknowledged commit after which verify()
  // finds something (or fails) is a violation; later ones are not verified.
  void verify_after_commit() {
    if (!verify_each_commit_ || verify_failed_ || faults_seen()) return;
    const auto report = session_->verify();
    if (report.ok() && report->empty()) return;
    verify_failed_ = true;
    std::string observed;
    std::string invariant(invariant::kStructure);
    if (!report.ok()) {
      observed = "verify() failed: " + report.status().to_string();
    } else {
      invariant = report->front().invariant;
      observed = report->front().message;
      if (report->size() > 1) observed += " (and " + std::to_string(report->size() - 1) + " more)";
    }
    Violation v = workload_violation(invariant, "verify() finds nothing after every commit", std::move(observed));
    v.message = "verify() after the commit of transaction " + std::to_string(txn_ - 1) +
                " (no crash) found a violation; it found none after any earlier commit";
    violations_.push_back(std::move(v));
  }

  Status open() {
    rec_.mark(OpKind::kOpenCalled);
    auto opened = sut_.open(rec_);
    if (!opened.ok() && faults_seen()) {
      rec_.mark(OpKind::kOpenCalled);
      opened = sut_.open(rec_);
    }
    if (!opened.ok()) return opened.status();
    session_ = std::move(opened).value();
    rec_.mark(OpKind::kOpenDone);
    return resolve_failed_attempts();
  }

  Status close() {
    drop_snapshots();
    rec_.mark(OpKind::kCloseCalled);
    const Status s = session_->close();
    session_.reset();
    if (!s.ok() && !faults_seen()) return s;
    if (s.ok()) rec_.mark(OpKind::kCloseDone);
    return Status();
  }

  // After a reopen, a failed commit of the next transaction may show as
  // applied (its bytes reached the files although it reported an error);
  // from then on the store presents it as committed.
  Status resolve_failed_attempts() {
    if (failed_.empty()) return Status();
    auto scanned = session_->scan_all();
    if (!scanned.ok()) return scanned.status().with("scan after a reopen that follows failed commits");
    if (*scanned == committed_) return Status();
    for (size_t k = 0; k < failed_.size(); ++k) {
      KvState with_attempt = committed_;
      apply_batch(failed_[k], with_attempt);
      if (*scanned != with_attempt) continue;
      rec_.mark(OpKind::kCommitRecovered, txn_, k);
      committed_ = std::move(with_attempt);
      failed_.clear();
      ++txn_;
      return Status();
    }
    Violation v = workload_violation(invariant::kWorkloadRead, "the acknowledged state (" + std::to_string(committed_.size()) +
                                         " keys), or it with one of the " + std::to_string(failed_.size()) +
                                         " failed commits applied",
                                     std::to_string(scanned->size()) + " keys, another state");
    v.message = "after a reopen that followed failed commits the store shows neither the acknowledged state nor it "
                "with one failed commit applied whole";
    violations_.push_back(std::move(v));
    return Status();
  }

  void begin_if_needed() {
    if (in_txn_) return;
    rec_.mark(OpKind::kTxnBegin, txn_ + queued_.size());
    in_txn_ = true;
  }

  void queue_commit() {
    begin_if_needed();
    queued_.push_back(std::move(batch_));
    batch_.clear();
    in_txn_ = false;
  }

  // The held transactions and this one as one group: every commit-called
  // marker first (all are in flight at once), then each acknowledgement
  // where the system reports it, which for a defective system may be
  // before the group's sync.
  Status commit_group() {
    begin_if_needed();
    queued_.push_back(std::move(batch_));
    batch_.clear();
    in_txn_ = false;
    std::vector<Batch> group = std::move(queued_);
    queued_.clear();
    for (size_t i = 0; i < group.size(); ++i) rec_.mark(OpKind::kCommitCalled, txn_ + i);
    const uint64_t first = txn_;
    Status first_error;
    bool acked = false;
    // The group's batches refused since its last acknowledgement, in order.
    // A refused group may still be on disk up to any of its transactions
    // (a failed sync, or a failed write of several, leaves whatever reached
    // the file), so each refusal is a failed attempt at the next transaction
    // of every batch refused before it in the group and itself, applied
    // together: oracle_from_trace builds the same attempts from the markers.
    Batch refused;
    session_->apply_group(group, [&](size_t i, const Status& s) {
      if (!s.ok()) {
        if (!faults_seen()) {
          if (first_error.ok()) first_error = s.with("commit of transaction " + std::to_string(first + i) +
                                                     " (batch " + std::to_string(i) + " of a group of " +
                                                     std::to_string(group.size()) + ")");
          return;
        }
        rec_.mark(OpKind::kCommitFailed, txn_);
        refused.insert(refused.end(), group[i].begin(), group[i].end());
        failed_.push_back(refused);
        return;
      }
      if (!first_error.ok()) return;
      rec_.mark(OpKind::kCommitAcked, txn_);
      apply_batch(group[i], committed_);
      failed_.clear();
      refused.clear();
      ++txn_;
      acked = true;
    });
    if (!first_error.ok()) return first_error;
    if (acked) verify_after_commit();
    return Status();
  }

  Status commit() {
    if (!queued_.empty()) return commit_group();
    begin_if_needed();
    rec_.mark(OpKind::kCommitCalled, txn_);
    const Status s = session_->apply(batch_);
    if (s.ok()) {
      rec_.mark(OpKind::kCommitAcked, txn_);
      apply_batch(batch_, committed_);
      failed_.clear();
      ++txn_;
      verify_after_commit();
    } else if (faults_seen()) {
      rec_.mark(OpKind::kCommitFailed, txn_);
      failed_.push_back(batch_);
    } else {
      return s.with("commit of transaction " + std::to_string(txn_));
    }
    batch_.clear();
    in_txn_ = false;
    return Status();
  }

  Status step(const Step& s) {
    switch (s.kind) {
      case StepKind::kPut:
        begin_if_needed();
        batch_.push_back({KvOp::Kind::kPut, s.key, s.value});
        return Status();
      case StepKind::kDelete:
        begin_if_needed();
        batch_.push_back({KvOp::Kind::kDelete, s.key, {}});
        return Status();
      case StepKind::kGet:
        return check_get(s.key);
      case StepKind::kCommit:
        return commit();
      case StepKind::kQueueCommit:
        queue_commit();
        return Status();
      case StepKind::kCheckpoint: {
        rec_.mark(OpKind::kCheckpointCalled);
        const Status st = session_->checkpoint();
        if (!st.ok() && st.code() != vfs::StatusCode::kNotSupported) return faults_seen() ? Status() : st;
        rec_.mark(OpKind::kCheckpointDone);
        return Status();
      }
      case StepKind::kReopen:
        RETURN_IF_ERROR(close());
        return open();
      case StepKind::kCrashReopen:
        rec_.kill_process();
        drop_snapshots();
        session_.reset();
        rec_.restart_process();
        return open();
      case StepKind::kSnapshot:
        return take_snapshot();
      case StepKind::kSnapshotGet:
        return check_snapshot_get(s);
      case StepKind::kSnapshotScan:
        return check_snapshot_scan(s);
      case StepKind::kRelease:
        release(s.snapshot);
        return Status();
    }
    return Status();
  }

  Violation workload_violation(std::string_view invariant, std::string expected, std::string observed) const {
    Violation v;
    v.scenario = scenario_;
    v.model = "workload";
    v.crash_point = rec_.op_count();
    v.invariant = std::string(invariant);
    v.expected = std::move(expected);
    v.observed = std::move(observed);
    v.cause = Cause::kLogicError;
    return v;
  }

  Status check_get(const std::string& key) {
    std::string value;
    const Status s = session_->get(key, &value);
    if (!s.ok() && !s.is_not_found()) return faults_seen() ? Status() : s.with("get " + key);
    const std::optional<std::string> want = lookup(committed_, key);
    const std::optional<std::string> got = s.ok() ? std::optional<std::string>(value) : std::nullopt;
    if (want != got) {
      Violation v = workload_violation(invariant::kWorkloadRead, describe_entry(key, want), describe_entry(key, got));
      v.message = "a get during the workload (after " + std::to_string(txn_) +
                  " commits, no crash) did not return the committed value";
      violations_.push_back(std::move(v));
    }
    return Status();
  }

  // A snapshot the workload holds, and what every read through it must show.
  struct HeldSnapshot {
    std::unique_ptr<SutSnapshot> view;  // null when taking it failed after an injected fault: not judged
    KvState state;                      // the acknowledged state when it was taken
    uint64_t commits = 0;               // acknowledged commits then
    // The store's files then (all of them, in bytes): no more than this for
    // its pages, which is all a snapshot can pin.
    uint64_t store_bytes = 0;
  };

  uint64_t store_bytes() const {
    uint64_t total = 0;
    for (const auto& [path, contents] : files_.contents()) total += contents.size();
    return total;
  }

  Status take_snapshot() {
    HeldSnapshot held{nullptr, committed_, txn_, store_bytes()};
    auto view = session_->snapshot();
    if (view.ok()) {
      held.view = std::move(view).value();
    } else if (view.status().code() == vfs::StatusCode::kNotSupported) {
      return Status::not_supported("system " + sut_.name() + " has no snapshots (" + view.status().message() + ")");
    } else if (!faults_seen()) {
      return view.status().with("snapshot " + std::to_string(snapshots_taken_));
    }
    pinnable_ += held.store_bytes;
    pinnable_high_water_ = std::max(pinnable_high_water_, pinnable_);
    snapshots_.emplace(snapshots_taken_++, std::move(held));
    return Status();
  }

  void release(uint32_t number) {
    const auto it = snapshots_.find(number);
    pinnable_ -= it->second.store_bytes;
    snapshots_.erase(it);
  }

  // Before a close, a crash or a reopen: the session's snapshots go with it.
  void drop_snapshots() {
    snapshots_.clear();
    pinnable_ = 0;
  }

  // An expired snapshot is allowed only when the snapshots held at once could
  // have pinned more than the system's bound: each pins at most the store's
  // pages when it was taken.
  bool expiry_allowed() const {
    const std::optional<uint64_t> limit = session_->snapshot_memory_limit();
    return limit && pinnable_high_water_ > *limit;
  }

  // A read through `number` failed with `s`: not judged after an injected
  // fault, allowed as kExpired within the bound, else a violation.
  void snapshot_read_failed(uint32_t number, const HeldSnapshot& held, const std::string& read, const Status& s) {
    if (faults_seen()) return;
    std::string expected = read + " succeeds";
    if (s.code() == vfs::StatusCode::kExpired) {
      if (expiry_allowed()) return;
      const std::optional<uint64_t> limit = session_->snapshot_memory_limit();
      expected += " (the snapshots held at once could pin at most " + std::to_string(pinnable_high_water_) +
                  " bytes, " + (limit ? "within the system's bound of " + std::to_string(*limit) : "and the system has no bound") +
                  ")";
    }
    snapshot_violation(number, held, std::move(expected), read + " failed: " + s.to_string(), {});
  }

  void snapshot_violation(uint32_t number, const HeldSnapshot& held, std::string expected, std::string observed,
                          std::vector<std::string> keys) {
    Violation v = workload_violation(invariant::kSnapshotIsolation, std::move(expected), std::move(observed));
    v.message = "a read through snapshot " + std::to_string(number) + ", taken after " + std::to_string(held.commits) +
                " commits, did not show the state of that commit (read after " + std::to_string(txn_) +
                " commits, no crash)";
    v.keys = std::move(keys);
    violations_.push_back(std::move(v));
  }

  Status check_snapshot_get(const Step& step) {
    const HeldSnapshot& held = snapshots_.at(step.snapshot);
    if (!held.view) return Status();
    std::string value;
    const Status s = held.view->get(step.key, &value);
    if (!s.ok() && !s.is_not_found()) {
      snapshot_read_failed(step.snapshot, held, "get " + step.key, s);
      return Status();
    }
    const std::optional<std::string> want = lookup(held.state, step.key);
    const std::optional<std::string> got = s.ok() ? std::optional<std::string>(value) : std::nullopt;
    if (want != got) {
      snapshot_violation(step.snapshot, held, describe_entry(step.key, want), describe_entry(step.key, got), {step.key});
    }
    return Status();
  }

  Status check_snapshot_scan(const Step& step) {
    const HeldSnapshot& held = snapshots_.at(step.snapshot);
    if (!held.view) return Status();
    const auto scanned = held.view->scan_all();
    if (!scanned.ok()) {
      snapshot_read_failed(step.snapshot, held, "scan", scanned.status());
      return Status();
    }
    if (*scanned == held.state) return Status();
    const std::string key = first_difference(held.state, *scanned);
    snapshot_violation(step.snapshot, held, describe_entry(key, lookup(held.state, key)),
                       describe_entry(key, lookup(*scanned, key)), {key});
    return Status();
  }

  SystemUnderTest& sut_;
  const vfs::MemVfs& files_;
  RecordingVfs& rec_;
  const FaultInjector& faults_;
  const std::string& scenario_;
  const bool verify_each_commit_;
  bool verify_failed_ = false;
  std::unique_ptr<SutSession> session_;
  Batch batch_;
  // Transactions ended by queue-commit steps, for the next commit's group.
  std::vector<Batch> queued_;
  bool in_txn_ = false;
  uint64_t txn_ = 0;
  KvState committed_;
  // Failed attempts at transaction txn_, in call order.
  std::vector<Batch> failed_;
  std::vector<Violation> violations_;
  std::map<uint32_t, HeldSnapshot> snapshots_;  // by number
  uint32_t snapshots_taken_ = 0;
  uint64_t pinnable_ = 0;  // store_bytes of the held snapshots
  uint64_t pinnable_high_water_ = 0;
};

}  // namespace

Result<Recording> record_workload(SystemUnderTest& sut, std::vector<Step> steps, const std::string& scenario,
                                  const std::vector<FaultSpec>& faults, bool verify_each_commit) {
  for (const FaultSpec& f : faults) RETURN_IF_ERROR(validate(f).with("record scenario " + scenario));
  RETURN_IF_ERROR(check_snapshot_steps(steps).with("record scenario " + scenario));
  vfs::MemVfs mem;
  FaultInjector injector(faults);
  RecordingVfs rec(mem, {}, &injector);
  Runner runner(sut, mem, rec, injector, scenario, verify_each_commit);
  RETURN_IF_ERROR(runner.run(steps).with("record scenario " + scenario));
  Recording r;
  r.trace = rec.trace();
  ASSIGN_OR_RETURN(r.oracle, oracle_from_trace(steps, r.trace));
  r.steps = std::move(steps);
  r.workload_violations = runner.take_violations();
  return r;
}

Result<Recording> recording_from_trace(Trace trace, std::vector<Step> steps) {
  Recording r;
  ASSIGN_OR_RETURN(r.oracle, oracle_from_trace(steps, trace));
  r.steps = std::move(steps);
  r.trace = std::move(trace);
  return r;
}

Result<Oracle> oracle_from_trace(const std::vector<Step>& steps, const Trace& trace) {
  const std::vector<Batch> batches = Oracle::commit_batches(steps);
  std::vector<Batch> txns;
  std::vector<std::vector<Batch>> failed;
  size_t called = 0;  // commit-called entries so far
  // The commits in flight, in order: their batch, and their group (a
  // commit called while another is in flight shares its group: its write).
  struct Attempt {
    size_t batch;
    size_t group;
  };
  std::deque<Attempt> attempts;
  size_t groups = 0;
  // The batches of one group refused since its last acknowledgement, as the
  // runner's commit_group gathers them: each failed attempt applies them all.
  Batch refused;
  size_t refused_group = SIZE_MAX;
  for (size_t i = 0; i < trace.ops.size(); ++i) {
    const Op& op = trace.ops[i];
    const auto mismatch = [&](const std::string& what) {
      return Status::invalid_argument("trace op " + std::to_string(i) + " (" + describe_op(op) + ") " + what +
                                      ", but the workload's next transaction is " + std::to_string(txns.size()) +
                                      " of its " + std::to_string(batches.size()) + " commit steps");
    };
    switch (op.kind) {
      case OpKind::kCommitCalled:
        if (called == batches.size() || op.number != txns.size() + attempts.size()) return mismatch("calls a commit");
        if (attempts.empty()) ++groups;
        attempts.push_back({called++, groups});
        break;
      case OpKind::kCommitAcked:
      case OpKind::kCommitFailed: {
        if (attempts.empty() || op.number != txns.size()) return mismatch("ends a commit that was not called");
        const Attempt& attempt = attempts.front();
        if (op.kind == OpKind::kCommitAcked) {
          txns.push_back(batches[attempt.batch]);
          refused_group = SIZE_MAX;
        } else {
          if (refused_group != attempt.group) refused.clear();
          refused_group = attempt.group;
          refused.insert(refused.end(), batches[attempt.batch].begin(), batches[attempt.batch].end());
          failed.resize(txns.size() + 1);
          failed[txns.size()].push_back(refused);
        }
        attempts.pop_front();
        break;
      }
      case OpKind::kCommitRecovered:
        if (op.number != txns.size() || op.number >= failed.size() || op.offset >= failed[op.number].size()) {
          return mismatch("names a failed attempt that was not made");
        }
        txns.push_back(failed[op.number][op.offset]);
        break;
      default:
        break;
    }
  }
  return Oracle(std::move(txns), std::move(failed));
}

}  // namespace crashsim
