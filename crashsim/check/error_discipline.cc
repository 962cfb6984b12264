#include "crashsim/check/error_discipline.h"

#include <cstdint>
#include <map>

namespace crashsim {

namespace {

constexpr uint64_t kNone = UINT64_MAX;

// The failed syncs of one session, and the syncs that retried them.
class SessionState {
 public:
  void reset() { *this = SessionState(); }

  void sync_failed(uint64_t index, InodeId inode) {
    if (first_failure_ == kNone) first_failure_ = index;
    failed_.try_emplace(inode, index);
  }
  // A sync that succeeded: a retry when its file's sync had failed.
  void synced(uint64_t index, InodeId inode) {
    const auto it = failed_.find(inode);
    if (it == failed_.end()) return;
    retried_failure_ = it->second;
    retry_ = index;
  }

  // The first failed sync of the session, or kNone.
  uint64_t first_failure() const { return first_failure_; }
  // The failed sync at or after `from` whose file was then synced again, or kNone.
  uint64_t retried_since(uint64_t from) const {
    return retried_failure_ != kNone && retried_failure_ >= from ? retried_failure_ : kNone;
  }
  uint64_t retry() const { return retry_; }

 private:
  uint64_t first_failure_ = kNone;
  std::map<InodeId, uint64_t> failed_;  // inode -> its first failed sync
  uint64_t retried_failure_ = kNone;
  uint64_t retry_ = kNone;
};

std::string at(const Trace& trace, uint64_t index) {
  return "the " + describe_op(trace.ops[index]) + " at op " + std::to_string(index);
}

}  // namespace

std::vector<DisciplineFinding> error_discipline_findings(const Trace& trace) {
  std::vector<DisciplineFinding> out;
  SessionState session;
  uint64_t commit_called = 0;
  uint64_t checkpoint_called = 0;
  for (uint64_t i = 0; i < trace.ops.size(); ++i) {
    const Op& op = trace.ops[i];
    switch (op.kind) {
      case OpKind::kOpenCalled:
        session.reset();
        break;
      case OpKind::kSyncFailed:
        session.sync_failed(i, op.inode);
        break;
      case OpKind::kSync:
        session.synced(i, op.inode);
        break;
      case OpKind::kCommitCalled:
        commit_called = i;
        break;
      case OpKind::kCheckpointCalled:
        checkpoint_called = i;
        break;
      case OpKind::kCommitAcked:
      case OpKind::kCheckpointDone: {
        const bool commit = op.kind == OpKind::kCommitAcked;
        const std::string what =
            commit ? "transaction " + std::to_string(op.number) + " was acknowledged" : "a checkpoint reported success";
        const uint64_t called = commit ? commit_called : checkpoint_called;
        const uint64_t failure = session.first_failure();
        if (failure != kNone && failure < called) {
          out.push_back({i, failure,
                         what + " although it was " + (commit ? "called" : "started") + " after " + at(trace, failure) +
                             ", while the store should be in its failed state until a reopen"});
        } else if (const uint64_t retried = session.retried_since(called); retried != kNone) {
          out.push_back({i, retried,
                         what + " on the strength of " + at(trace, session.retry()) + ", a retry of " +
                             at(trace, retried) + ": a retried sync proves nothing"});
        }
        break;
      }
      default:
        break;
    }
  }
  return out;
}

}  // namespace crashsim
