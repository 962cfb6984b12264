#include "crashsim/check/op_fates.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "vfs/vfs.h"

namespace crashsim {

namespace {

class FateJudge {
 public:
  FateJudge(const Trace& trace, const std::vector<uint64_t>& durable, const Frontier& frontier, ModelKind kind,
            const Choice& choice)
      : trace_(trace), durable_(durable), frontier_(frontier), kind_(kind), choice_(choice) {
    const bool reorders = kind == ModelKind::kReorder || kind == ModelKind::kTorn;
    const std::vector<uint64_t> pending = reorders ? frontier.reorderable() : frontier.durable_pending();
    for (size_t i = 0; i < pending.size(); ++i) pending_slot_[pending[i]] = i;
    if (reorders && !frontier.pending_namespace.empty()) {
      const Namespace ns = frontier.namespace_with(trace, [this](uint64_t index) { return persisted_whole(index); });
      for (const auto& entry : ns.names) reachable_.insert(entry.second);
    } else {
      for (const auto& entry : frontier.reachable_durable_names()) reachable_.insert(entry.second);
    }
  }

  OpRecord judge(uint64_t index) const {
    const Op& op = trace_.ops[index];
    OpRecord r{index, describe_op(op), OpFate::kPersisted, {}, std::string(op_kind_name(op.kind)),
               is_marker(op.kind) ? std::string() : op.path, op.offset, op.length()};
    if (index >= frontier_.point) {
      r.fate = OpFate::kNotIssued;
    } else if (is_marker(op.kind)) {
      r.fate = OpFate::kMarker;
    } else if (op.kind == OpKind::kSync || op.kind == OpKind::kSyncDir) {
      r.fate = OpFate::kBarrier;
    } else if (op.kind == OpKind::kSyncFailed) {
      r.fate = OpFate::kBarrier;
      r.note = "the sync failed (an injected fault)";
    } else if (kind_ == ModelKind::kProcessCrash) {
      r.note = "process crash: the page cache survives";
    } else if (op.kind == OpKind::kWrite || op.kind == OpKind::kTruncate) {
      judge_contents(op, index, r);
    } else if (durable_[index] < frontier_.point) {
      r.note = "made durable by op " + std::to_string(durable_[index]);
    } else if (persisted_whole(index)) {
      r.note = "no sync_dir of " + std::string(vfs::parent_dir_view(op.path)) +
               " before the crash, but it reached the disk in this state";
    } else {
      r.fate = OpFate::kDropped;
      r.note = "no sync_dir of " + std::string(vfs::parent_dir_view(op.path)) + " before the crash";
    }
    if (kind_ == ModelKind::kCorrupt && index + 1 == frontier_.point && choice_.fault) {
      r.note += (r.note.empty() ? "" : "; ") + std::string("the crash state then suffers ") + describe_fault(*choice_.fault);
    }
    return r;
  }

 private:
  void judge_contents(const Op& op, uint64_t index, OpRecord& r) const {
    if (!reachable_.contains(op.inode)) {
      r.fate = OpFate::kDropped;
      r.note = "the file's directory entry is not durable, so the file is not in this state";
      return;
    }
    if (durable_[index] < frontier_.point) {
      r.note = "synced by op " + std::to_string(durable_[index]);
      return;
    }
    const auto slot = pending_slot_.find(index);
    if (slot == pending_slot_.end()) {
      if (const std::optional<uint64_t> failed = failed_sync_after(op.inode, index)) {
        r.fate = OpFate::kDropped;
        r.note = "dropped by the failed sync at op " + std::to_string(*failed) + " (after_failed_sync drop)";
      } else {
        r.note = "changes nothing (a truncate to the file's own size)";
      }
      return;
    }
    const bool has_mask = slot->second < choice_.persisted.size();
    const Mask none;
    const Mask& mask = has_mask ? choice_.persisted[slot->second] : none;
    if (choice_.garbage && choice_.garbage->op == slot->second) {
      r.fate = OpFate::kTorn;
      std::string sectors;
      for (size_t j = 0; j < mask.size(); ++j) {
        if (mask.test(j)) sectors += (sectors.empty() ? "" : ",") + std::to_string(j);
      }
      r.note = "sector " + std::to_string(choice_.garbage->sector) + " of " + std::to_string(mask.size()) + " (" +
               std::to_string(choice_.sector_size) + " bytes each) holds noise: it was being written" +
               (sectors.empty() ? "" : "; sectors " + sectors + " reached the disk");
    } else if (mask.size() == 0 || mask.none()) {
      r.fate = OpFate::kDropped;
      r.note = "not synced before the crash";
    } else if (mask.all()) {
      r.note = "not synced, but reached the disk in this state";
    } else {
      r.fate = OpFate::kTorn;
      std::string sectors;
      for (size_t j = 0; j < mask.size(); ++j) {
        if (!mask.test(j)) continue;
        if (!sectors.empty()) sectors += ",";
        sectors += std::to_string(j);
      }
      r.note = "sectors " + sectors + " of " + std::to_string(mask.size()) + " (" +
               std::to_string(choice_.sector_size) + " bytes each) reached the disk";
    }
  }

  // Whether the choice persisted pending op `index` (a namespace op: one unit).
  bool persisted_whole(uint64_t index) const {
    const auto slot = pending_slot_.find(index);
    return slot != pending_slot_.end() && slot->second < choice_.persisted.size() &&
           choice_.persisted[slot->second].size() > 0 && choice_.persisted[slot->second].all();
  }

  // The first failed sync of `inode` after `index` and before the crash point.
  std::optional<uint64_t> failed_sync_after(InodeId inode, uint64_t index) const {
    for (uint64_t i = index + 1; i < frontier_.point; ++i) {
      const Op& op = trace_.ops[i];
      if (op.kind == OpKind::kSyncFailed && op.inode == inode) return i;
    }
    return std::nullopt;
  }

  const Trace& trace_;
  const std::vector<uint64_t>& durable_;
  const Frontier& frontier_;
  ModelKind kind_;
  const Choice& choice_;
  std::map<uint64_t, size_t> pending_slot_;
  std::set<InodeId> reachable_;
};

}  // namespace

std::vector<OpRecord> ops_around(const Trace& trace, const std::vector<uint64_t>& durable, const Frontier& frontier,
                                 ModelKind kind, const Choice& choice, uint32_t context) {
  const FateJudge judge(trace, durable, frontier, kind, choice);
  const uint64_t point = frontier.point;
  const uint64_t lo = point > context ? point - context : 0;
  const uint64_t hi = std::min<uint64_t>(trace.ops.size(), point + context);
  std::map<uint64_t, OpRecord> picked;
  for (uint64_t i = lo; i < hi; ++i) picked.emplace(i, judge.judge(i));
  size_t lost = 0;
  for (uint64_t i = lo; i-- > 0 && lost < kMaxLostOps;) {
    if (is_marker(trace.ops[i].kind)) continue;
    OpRecord r = judge.judge(i);
    if (r.fate == OpFate::kDropped || r.fate == OpFate::kTorn) {
      picked.emplace(i, std::move(r));
      ++lost;
    }
  }
  std::vector<OpRecord> out;
  out.reserve(picked.size());
  for (auto& entry : picked) out.push_back(std::move(entry.second));
  return out;
}

}  // namespace crashsim
