#include "crashsim/model/timeline.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include "crashsim/name_table.h"
#include "vfs/vfs.h"

namespace crashsim {

namespace {

bool is_root(std::string_view dir) { return dir == "." || dir == "/"; }

// Entries of `names` whose directory is `dir`, replaced by those of `live`.
template <class Map>
void copy_dir_entries(const Map& live, Map& durable, const std::string& dir) {
  std::erase_if(durable, [&dir](const auto& entry) { return vfs::parent_dir_view(entry.first) == dir; });
  for (const auto& entry : live) {
    if (vfs::parent_dir_view(entry.first) == dir) durable.insert(entry);
  }
}

void copy_dir_entries(const std::set<std::string>& live, std::set<std::string>& durable, const std::string& dir) {
  std::erase_if(durable, [&dir](const std::string& d) { return vfs::parent_dir_view(d) == dir; });
  for (const std::string& d : live) {
    if (vfs::parent_dir_view(d) == dir) durable.insert(d);
  }
}

// The directories of `durable` that survive: a directory survives when its
// own entry is durable and so is every ancestor's; one the trace never
// created (a root, or one that existed before the trace and is not in
// `live`) always survives.
std::set<std::string> reachable_dirs(const std::set<std::string>& durable, const std::set<std::string>& live) {
  auto present = [&](std::string_view dir) {
    for (std::string_view d = dir; !is_root(d); d = vfs::parent_dir_view(d)) {
      const std::string s(d);
      if (live.contains(s) && !durable.contains(s)) return false;
    }
    return true;
  };
  std::set<std::string> out;
  for (const std::string& d : durable) {
    if (present(d)) out.insert(d);
  }
  return out;
}

// The entries of `names` whose directory survives.
std::map<std::string, InodeId> reachable_names(const std::map<std::string, InodeId>& names,
                                               const std::set<std::string>& dirs, const std::set<std::string>& live) {
  std::map<std::string, InodeId> out;
  for (const auto& [path, inode] : names) {
    const std::string parent = vfs::parent_dir(path);
    if (is_root(parent) || dirs.contains(parent) || !live.contains(parent)) out.emplace(path, inode);
  }
  return out;
}

constexpr NameTable<AfterFailedSync, 2> kProfileNames = {{
    {AfterFailedSync::kDrop, "drop"},
    {AfterFailedSync::kKeep, "keep"},
}};

}  // namespace

std::string_view after_failed_sync_name(AfterFailedSync profile) {
  return name_in(kProfileNames, profile).value_or("unknown");
}

std::optional<AfterFailedSync> after_failed_sync_from_name(std::string_view name) {
  return value_in(kProfileNames, name);
}

TimelineWalker::TimelineWalker(const Trace& trace, FsRules rules) : trace_(trace), rules_(rules) {
  InodeId inode = 0;
  for (const auto& [path, contents] : trace.initial.files) {
    ++inode;
    inodes_[inode] = InodeState{contents, contents, {}};
    live_names_[path] = inode;
  }
  durable_names_ = live_names_;
  live_dirs_ = trace.initial.dirs;
  durable_dirs_ = live_dirs_;
}

TimelineWalker::TimelineWalker(const Trace& trace, FsRules rules, const Frontier& start)
    : trace_(trace),
      rules_(rules),
      position_(start.point),
      expect_(start.expect),
      live_names_(start.live_names),
      durable_names_(start.durable_names),
      live_dirs_(start.live_dirs),
      durable_dirs_(start.durable_dirs),
      pending_namespace_(start.pending_namespace) {
  // Shared copy-on-write: the walk's writes never change the frontier.
  for (const auto& [id, view] : start.inodes) inodes_[id] = InodeState{view.live, view.durable, view.pending, view.dropped};
}

void TimelineWalker::sync_dir(const std::string& dir) {
  // A pending rename out of or into `dir` becomes durable whole, both of its
  // entries, before the entries of `dir` are copied: the journal transaction
  // that the sync commits holds the rename entire.
  for (PendingNamespaceOp& op : pending_namespace_) {
    const Op& rename = trace_.ops[op.index];
    if (rename.kind != OpKind::kRename || !op.dirs.contains(dir)) continue;
    if (const auto from = durable_names_.find(rename.path); from != durable_names_.end() && from->second == op.inode) {
      durable_names_.erase(from);
    }
    durable_names_[rename.path2] = op.inode;
    op.dirs.clear();
  }
  copy_dir_entries(live_names_, durable_names_, dir);
  copy_dir_entries(live_dirs_, durable_dirs_, dir);
  for (PendingNamespaceOp& op : pending_namespace_) op.dirs.erase(dir);
  std::erase_if(pending_namespace_, [](const PendingNamespaceOp& op) { return op.dirs.empty(); });
}

void TimelineWalker::apply(uint64_t index) {
  const Op& op = trace_.ops[index];
  switch (op.kind) {
    case OpKind::kCreate:
      inodes_[op.inode] = InodeState{};
      live_names_[op.path] = op.inode;
      if (rules_.creations_durable) {
        durable_names_[op.path] = op.inode;
      } else {
        pending_namespace_.push_back({index, {vfs::parent_dir(op.path)}, 0});
      }
      break;
    case OpKind::kMkdir:
      live_dirs_.insert(op.path);
      if (rules_.creations_durable) {
        durable_dirs_.insert(op.path);
      } else {
        pending_namespace_.push_back({index, {vfs::parent_dir(op.path)}, 0});
      }
      break;
    case OpKind::kWrite: {
      InodeState& inode = inodes_[op.inode];
      inode.live.write(op.offset, *op.data);
      inode.pending.push_back(index);
      break;
    }
    case OpKind::kTruncate: {
      InodeState& inode = inodes_[op.inode];
      // A truncate to the size the file has changes nothing, so nothing of it can be lost.
      if (inode.live.size() == op.offset) break;
      inode.live.truncate(op.offset);
      inode.pending.push_back(index);
      break;
    }
    case OpKind::kSync:
      sync(inodes_[op.inode]);
      break;
    case OpKind::kSyncFailed: {
      InodeState& inode = inodes_[op.inode];
      if (rules_.after_failed_sync == AfterFailedSync::kKeep) break;
      inode.dropped = inode.dropped || !inode.pending.empty();
      inode.pending.clear();
      break;
    }
    case OpKind::kSyncDir:
      sync_dir(op.path);
      break;
    case OpKind::kRename: {
      const auto from = live_names_.find(op.path);
      if (from == live_names_.end()) break;
      const InodeId inode = from->second;
      live_names_.erase(from);
      live_names_[op.path2] = inode;
      pending_namespace_.push_back({index, {vfs::parent_dir(op.path), vfs::parent_dir(op.path2)}, inode});
      break;
    }
    case OpKind::kRemove:
      if (live_names_.erase(op.path) > 0) pending_namespace_.push_back({index, {vfs::parent_dir(op.path)}, 0});
      break;
    case OpKind::kCommitCalled:
      expect_.in_flight = op.number + 1 - expect_.acked;
      break;
    case OpKind::kCommitAcked:
    case OpKind::kCommitRecovered: {
      const uint64_t called_end = expect_.acked + expect_.in_flight;
      expect_ = Expectation{.acked = op.number + 1};
      expect_.in_flight = called_end > expect_.acked ? called_end - expect_.acked : 0;
      break;
    }
    case OpKind::kCommitFailed:
      expect_.in_flight = 0;
      ++expect_.failed;
      break;
    case OpKind::kTxnBegin:
    case OpKind::kCheckpointCalled:
    case OpKind::kCheckpointDone:
    case OpKind::kOpenCalled:
    case OpKind::kOpenDone:
    case OpKind::kCloseCalled:
    case OpKind::kCloseDone:
      break;
  }
}

void TimelineWalker::sync(InodeState& inode) {
  if (inode.dropped) {
    for (uint64_t index : inode.pending) {
      const Op& op = trace_.ops[index];
      if (op.kind == OpKind::kWrite) {
        inode.durable.write(op.offset, *op.data);
      } else {
        inode.durable.truncate(op.offset);
      }
    }
  } else {
    inode.durable = inode.live;
  }
  inode.pending.clear();
}

void TimelineWalker::advance_to(uint64_t point) {
  for (; position_ < point && position_ < trace_.ops.size(); ++position_) apply(position_);
}

Frontier TimelineWalker::frontier() const {
  Frontier f;
  f.point = position_;
  f.expect = expect_;
  f.rules = rules_;
  f.live_names = live_names_;
  f.durable_names = durable_names_;
  f.live_dirs = live_dirs_;
  f.durable_dirs = durable_dirs_;
  auto add = [&](InodeId id) {
    if (f.inodes.contains(id)) return;
    const auto it = inodes_.find(id);
    if (it == inodes_.end()) return;
    f.inodes[id] = InodeView{it->second.live, it->second.durable, it->second.pending, it->second.dropped};
  };
  for (const auto& entry : live_names_) add(entry.second);
  for (const auto& entry : durable_names_) add(entry.second);
  f.pending_namespace = pending_namespace_;
  for (const PendingNamespaceOp& op : pending_namespace_) {
    if (trace_.ops[op.index].kind == OpKind::kCreate) add(trace_.ops[op.index].inode);
  }
  return f;
}

DiskImage Frontier::live_image() const {
  DiskImage image;
  image.dirs = live_dirs;
  for (const auto& [path, inode] : live_names) image.files[path] = inodes.at(inode).live;
  return image;
}

std::set<std::string> Frontier::reachable_durable_dirs() const { return reachable_dirs(durable_dirs, live_dirs); }

std::map<std::string, InodeId> Frontier::reachable_durable_names() const {
  return reachable_names(durable_names, reachable_durable_dirs(), live_dirs);
}

Namespace Frontier::namespace_with(const Trace& trace, const std::function<bool(uint64_t index)>& persisted) const {
  Namespace ns{durable_names, durable_dirs};
  for (const PendingNamespaceOp& pending : pending_namespace) {
    if (!persisted(pending.index)) continue;
    const Op& op = trace.ops[pending.index];
    switch (op.kind) {
      case OpKind::kCreate:
        ns.names[op.path] = op.inode;
        break;
      case OpKind::kMkdir:
        ns.dirs.insert(op.path);
        break;
      case OpKind::kRename:
        if (const auto from = ns.names.find(op.path); from != ns.names.end()) {
          const InodeId inode = from->second;
          ns.names.erase(from);
          ns.names[op.path2] = inode;
        }
        break;
      case OpKind::kRemove:
        ns.names.erase(op.path);
        break;
      default:
        break;
    }
  }
  ns.dirs = reachable_dirs(ns.dirs, live_dirs);
  ns.names = reachable_names(ns.names, ns.dirs, live_dirs);
  return ns;
}

DiskImage Frontier::durable_image() const {
  DiskImage image;
  image.dirs = reachable_durable_dirs();
  for (const auto& [path, inode] : reachable_durable_names()) image.files[path] = inodes.at(inode).durable;
  return image;
}

std::vector<uint64_t> Frontier::durable_pending() const {
  std::set<InodeId> seen;
  std::vector<uint64_t> out;
  for (const auto& [path, inode] : reachable_durable_names()) {
    if (!seen.insert(inode).second) continue;
    const auto& pending = inodes.at(inode).pending;
    out.insert(out.end(), pending.begin(), pending.end());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<uint64_t> Frontier::reorderable() const {
  if (pending_namespace.empty()) return durable_pending();
  // `inodes` holds exactly the inodes a durable name, a live name or a
  // pending create refers to: some choice may give each a reachable name.
  std::vector<uint64_t> out;
  for (const PendingNamespaceOp& op : pending_namespace) out.push_back(op.index);
  for (const auto& entry : inodes) out.insert(out.end(), entry.second.pending.begin(), entry.second.pending.end());
  std::sort(out.begin(), out.end());
  return out;
}

vfs::Result<Trace> continue_trace(const Trace& before, const Frontier& at, const Trace& after) {
  Trace out;
  out.initial = before.initial;
  out.ops.assign(before.ops.begin(), before.ops.begin() + static_cast<std::ptrdiff_t>(at.point));
  InodeId last = before.initial_inodes();
  for (const Op& op : out.ops) last = std::max(last, op.inode);
  std::vector<InodeId> renumbered;  // after's inode i is renumbered[i - 1]
  for (const auto& [path, contents] : after.initial.files) {
    const auto it = at.live_names.find(path);
    if (it == at.live_names.end()) {
      return vfs::Status::invalid_argument("continue a trace after a process crash at point " +
                                           std::to_string(at.point) + ": file " + path +
                                           " of the state recovery started from is not in that state");
    }
    renumbered.push_back(it->second);
  }
  for (Op op : after.ops) {
    if (op.inode != 0) {
      while (renumbered.size() < op.inode) renumbered.push_back(++last);
      op.inode = renumbered[op.inode - 1];
    }
    out.ops.push_back(std::move(op));
  }
  return out;
}

std::vector<Frontier> frontiers_at(const Trace& trace, FsRules rules, const std::vector<uint64_t>& points) {
  TimelineWalker walker(trace, rules);
  std::vector<Frontier> out;
  out.reserve(points.size());
  for (uint64_t p : points) {
    walker.advance_to(p);
    out.push_back(walker.frontier());
  }
  return out;
}

std::vector<uint64_t> durable_at(const Trace& trace, FsRules rules) {
  const auto& ops = trace.ops;
  std::vector<uint64_t> out(ops.size(), kNever);
  std::map<InodeId, uint64_t> next_sync;
  std::map<std::string, uint64_t, std::less<>> next_sync_dir;
  auto dir_barrier = [&next_sync_dir](const std::string& path) {
    const auto it = next_sync_dir.find(vfs::parent_dir_view(path));
    return it == next_sync_dir.end() ? kNever : it->second;
  };
  for (uint64_t i = ops.size(); i-- > 0;) {
    const Op& op = ops[i];
    switch (op.kind) {
      case OpKind::kSync:
        next_sync[op.inode] = i;
        break;
      case OpKind::kSyncFailed:
        // The writes before it, back to the previous sync, never become durable.
        if (rules.after_failed_sync == AfterFailedSync::kDrop) next_sync[op.inode] = kNever;
        break;
      case OpKind::kSyncDir:
        next_sync_dir[op.path] = i;
        break;
      case OpKind::kWrite:
      case OpKind::kTruncate: {
        const auto it = next_sync.find(op.inode);
        out[i] = it == next_sync.end() ? kNever : it->second;
        break;
      }
      case OpKind::kCreate:
      case OpKind::kMkdir:
        out[i] = rules.creations_durable ? i : dir_barrier(op.path);
        break;
      case OpKind::kRename: {
        const uint64_t a = dir_barrier(op.path);
        const uint64_t b = dir_barrier(op.path2);
        out[i] = std::max(a, b);
        break;
      }
      case OpKind::kRemove:
        out[i] = dir_barrier(op.path);
        break;
      default:
        break;
    }
  }
  return out;
}

}  // namespace crashsim
