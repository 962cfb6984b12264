#include "crashsim/record/trace.h"

#include <array>
#include <utility>

#include "crashsim/name_table.h"

namespace crashsim {

namespace {

constexpr NameTable<OpKind, 20> kOpNames = {{
    {OpKind::kCreate, "create"},
    {OpKind::kMkdir, "mkdir"},
    {OpKind::kWrite, "write"},
    {OpKind::kTruncate, "truncate"},
    {OpKind::kSync, "sync"},
    {OpKind::kSyncDir, "sync-dir"},
    {OpKind::kRename, "rename"},
    {OpKind::kRemove, "remove"},
    {OpKind::kSyncFailed, "sync-failed"},
    {OpKind::kTxnBegin, "txn-begin"},
    {OpKind::kCommitCalled, "commit-called"},
    {OpKind::kCommitAcked, "commit-acked"},
    {OpKind::kCommitFailed, "commit-failed"},
    {OpKind::kCommitRecovered, "commit-recovered"},
    {OpKind::kCheckpointCalled, "checkpoint-called"},
    {OpKind::kCheckpointDone, "checkpoint-done"},
    {OpKind::kOpenCalled, "open-called"},
    {OpKind::kOpenDone, "open-done"},
    {OpKind::kCloseCalled, "close-called"},
    {OpKind::kCloseDone, "close-done"},
}};

}  // namespace

std::string_view op_kind_name(OpKind kind) {
  return name_in(kOpNames, kind).value_or("unknown");
}

bool op_kind_from_name(std::string_view name, OpKind* kind) {
  const std::optional<OpKind> found = value_in(kOpNames, name);
  if (found) *kind = *found;
  return found.has_value();
}

bool is_mutating(OpKind kind) { return kind <= OpKind::kRemove; }
bool is_marker(OpKind kind) { return !is_mutating(kind); }

std::string describe_op(const Op& op) {
  std::string s(op_kind_name(op.kind));
  switch (op.kind) {
    case OpKind::kWrite:
      s += " " + op.path + " @" + std::to_string(op.offset) + " +" + std::to_string(op.length());
      break;
    case OpKind::kTruncate:
      s += " " + op.path + " to " + std::to_string(op.offset);
      break;
    case OpKind::kRename:
      s += " " + op.path + " -> " + op.path2;
      break;
    case OpKind::kCreate:
    case OpKind::kMkdir:
    case OpKind::kSync:
    case OpKind::kSyncFailed:
    case OpKind::kSyncDir:
    case OpKind::kRemove:
      s += " " + op.path;
      break;
    case OpKind::kTxnBegin:
    case OpKind::kCommitCalled:
    case OpKind::kCommitAcked:
    case OpKind::kCommitFailed:
      s += " txn " + std::to_string(op.number);
      break;
    case OpKind::kCommitRecovered:
      s += " txn " + std::to_string(op.number) + " (failed attempt " + std::to_string(op.offset) + ")";
      break;
    case OpKind::kCheckpointCalled:
    case OpKind::kCheckpointDone:
    case OpKind::kOpenCalled:
    case OpKind::kOpenDone:
    case OpKind::kCloseCalled:
    case OpKind::kCloseDone:
      break;
  }
  return s;
}

std::vector<uint64_t> Trace::canonical_points() const {
  std::vector<uint64_t> points;
  for (uint64_t p = 0; p <= ops.size(); ++p) {
    if (is_canonical_point(p)) points.push_back(p);
  }
  return points;
}

}  // namespace crashsim
