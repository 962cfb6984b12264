#include "crashsim/check/at_risk.h"

#include <algorithm>
#include <map>
#include <set>

#include "vfs/vfs.h"

namespace crashsim {

namespace {

// The last namespace change before `before` that touched `path`.
uint64_t last_change(const Trace& trace, const std::string& path, uint64_t before) {
  for (uint64_t i = before; i-- > 0;) {
    const Op& op = trace.ops[i];
    const bool touches = ((op.kind == OpKind::kCreate || op.kind == OpKind::kMkdir || op.kind == OpKind::kRemove ||
                           op.kind == OpKind::kRename) &&
                          op.path == path) ||
                         (op.kind == OpKind::kRename && op.path2 == path);
    if (touches) return i;
  }
  return 0;
}

std::string no_sync_dir(const std::string& path) {
  return "no sync_dir of " + std::string(vfs::parent_dir_view(path)) + " since";
}

std::vector<AtRiskItem> items_at(const Trace& trace, const Frontier& f) {
  std::vector<AtRiskItem> items;
  const std::map<std::string, InodeId> durable = f.reachable_durable_names();
  for (const auto& [path, inode] : f.live_names) {
    const InodeView& view = f.inodes.at(inode);
    // Pending ops that leave the file as it was durable (a truncate to the
    // size it has, a rewrite of the same bytes) put nothing at risk.
    const bool changed = view.live != view.durable;
    for (uint64_t index : changed ? view.pending : std::vector<uint64_t>{}) {
      const Op& op = trace.ops[index];
      const std::string what = op.kind == OpKind::kWrite
                                   ? std::to_string(op.length()) + " bytes at offset " + std::to_string(op.offset)
                                   : "truncate to " + std::to_string(op.offset);
      items.push_back({index, path, what + " not synced"});
    }
    const auto d = durable.find(path);
    if (d == durable.end() || d->second != inode) {
      const uint64_t at = last_change(trace, path, f.point);
      items.push_back({at, path, "directory entry not durable (" + no_sync_dir(path) + " op " + std::to_string(at) + ")"});
    }
  }
  for (const auto& [path, inode] : durable) {
    if (!f.live_names.contains(path)) {
      const uint64_t at = last_change(trace, path, f.point);
      items.push_back({at, path, "removal not durable (" + no_sync_dir(path) + " op " + std::to_string(at) + ")"});
    }
  }
  const std::set<std::string> durable_dirs = f.reachable_durable_dirs();
  for (const std::string& dir : f.live_dirs) {
    if (!durable_dirs.contains(dir)) {
      const uint64_t at = last_change(trace, dir, f.point);
      items.push_back({at, dir, "directory not durable (" + no_sync_dir(dir) + " op " + std::to_string(at) + ")"});
    }
  }
  std::sort(items.begin(), items.end(), [](const AtRiskItem& a, const AtRiskItem& b) { return a.op_index < b.op_index; });
  return items;
}

}  // namespace

std::vector<AtRiskReport> at_risk_reports(const Trace& trace, FsRules rules) {
  std::vector<AtRiskReport> reports;
  TimelineWalker walker(trace, rules);
  for (uint64_t i = 0; i < trace.ops.size(); ++i) {
    if (trace.ops[i].kind != OpKind::kCommitAcked) continue;
    walker.advance_to(i);
    std::vector<AtRiskItem> items = items_at(trace, walker.frontier());
    if (!items.empty()) reports.push_back({trace.ops[i].number, i, std::move(items)});
  }
  return reports;
}

}  // namespace crashsim
