#include "crashsim/model/write_faults.h"

#include <algorithm>

namespace crashsim {

using vfs::Status;

namespace {

Op write_part(const Op& op, uint64_t offset, std::span<const uint8_t> bytes) {
  Op part = op;
  part.offset = offset;
  part.data = std::make_shared<const Bytes>(bytes.begin(), bytes.end());
  return part;
}

Status bad_fault(const MediaFault& fault, const std::string& why) {
  return Status::invalid_argument("media fault " + describe_fault(fault) + ": " + why);
}

}  // namespace

std::optional<InodeId> durable_inode(const Frontier& frontier, const std::string& path) {
  const std::map<std::string, InodeId> names = frontier.reachable_durable_names();
  const auto it = names.find(path);
  return it == names.end() ? std::nullopt : std::optional<InodeId>(it->second);
}

std::vector<uint64_t> durable_writes(const Trace& trace, const std::vector<uint64_t>& durable, const Frontier& frontier,
                                     InodeId inode, uint64_t begin, uint64_t end) {
  std::vector<uint64_t> out;
  for (uint64_t i = 0; i < frontier.point && i < trace.ops.size(); ++i) {
    const Op& op = trace.ops[i];
    if (op.kind != OpKind::kWrite || op.inode != inode || durable[i] >= frontier.point) continue;
    if (op.offset < end && begin < op.offset + op.length()) out.push_back(i);
  }
  return out;
}

Status apply_write_fault(const Trace& trace, const Frontier& frontier, const MediaFault& fault, DiskImage& image) {
  if (!is_write_fault(fault.kind)) return bad_fault(fault, "not a lost or misdirected write");
  const std::optional<InodeId> inode = durable_inode(frontier, fault.path);
  if (!inode) return bad_fault(fault, "no such file in the crash state");
  if (fault.op >= frontier.point || fault.op >= trace.ops.size()) {
    return bad_fault(fault, "trace entry " + std::to_string(fault.op) + " is not before crash point " +
                                std::to_string(frontier.point));
  }
  const Op& write = trace.ops[fault.op];
  if (write.kind != OpKind::kWrite || write.inode != *inode) {
    return bad_fault(fault, "trace entry " + std::to_string(fault.op) + " (" + describe_op(write) +
                                ") is not a write to " + fault.path);
  }
  const std::vector<uint64_t>& pending = frontier.inodes.at(*inode).pending;
  if (std::find(pending.begin(), pending.end(), fault.op) != pending.end()) {
    return bad_fault(fault, "trace entry " + std::to_string(fault.op) + " is not durable at crash point " +
                                std::to_string(frontier.point) + ": no sync of " + fault.path + " followed it");
  }
  if (fault.length == 0 || fault.offset < write.offset || fault.offset + fault.length > write.offset + write.length()) {
    return bad_fault(fault, "its part lies outside the write (" + describe_op(write) + ")");
  }
  const uint64_t size = image.files.at(fault.path).size();
  if (fault.kind == FaultKind::kMisdirectedWrite && fault.target + fault.length > size) {
    return bad_fault(fault, "its target lies outside the file's " + std::to_string(size) + " bytes");
  }
  // Replay the file's history with the write issued as the fault has it: the
  // part is left out (and, misdirected, written at the target instead). The
  // other files' writes cannot change this file and are skipped.
  Trace edited;
  edited.initial = trace.initial;
  edited.ops.reserve(frontier.point + 2);
  const std::span<const uint8_t> data(*write.data);
  const uint64_t cut = fault.offset - write.offset;
  for (uint64_t i = 0; i < frontier.point; ++i) {
    const Op& op = trace.ops[i];
    const bool content = op.kind == OpKind::kWrite || op.kind == OpKind::kTruncate;
    if (content && op.inode != *inode) continue;
    if (i != fault.op) {
      edited.ops.push_back(op);
      continue;
    }
    if (cut > 0) edited.ops.push_back(write_part(op, write.offset, data.first(cut)));
    if (cut + fault.length < data.size()) {
      edited.ops.push_back(write_part(op, fault.offset + fault.length, data.subspan(cut + fault.length)));
    }
    if (fault.kind == FaultKind::kMisdirectedWrite) {
      edited.ops.push_back(write_part(op, fault.target, data.subspan(cut, fault.length)));
    }
  }
  TimelineWalker walker(edited, frontier.rules);
  walker.advance_to(edited.ops.size());
  const Frontier replayed = walker.frontier();
  const auto it = replayed.inodes.find(*inode);
  if (it == replayed.inodes.end()) return bad_fault(fault, "the file vanished when its history was replayed");
  FileContents contents = it->second.durable;
  // Losing the write that grew the file does not shrink it: the size is
  // metadata, made durable by the same sync.
  contents.truncate(size);
  image.files[fault.path] = std::move(contents);
  return Status();
}

}  // namespace crashsim
