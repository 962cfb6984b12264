#include "crashsim/record/recording_vfs.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <xxhash.h>

namespace crashsim {

using vfs::Result;
using vfs::Status;

namespace {

// "a/" and "a" name the same directory; the timeline compares names exactly.
std::string normalize_dir(const std::string& dir) {
  std::string d = dir;
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  return d;
}

}  // namespace

// State shared by the Vfs and every file it opened (a file may outlive the Vfs).
struct RecordingVfs::Shared {
  std::mutex mu;
  Trace trace;
  std::map<std::string, InodeId> names;  // live directory entries
  std::set<std::string> dirs;
  InodeId next_inode = 1;
  FaultInjector* faults = nullptr;
  bool process_dead = false;  // kill_process() .. restart_process()
  // Every distinct write payload of the trace, by XXH3 of its bytes: a
  // payload written again (a page rewritten as it was, a checkpoint copying
  // what a frame held) is stored once, so the trace's memory is bounded by
  // the distinct bytes written.
  std::unordered_multimap<uint64_t, SharedBytes> payloads;

  void append(Op op) { trace.ops.push_back(std::move(op)); }
  SharedBytes payload(std::span<const uint8_t> data) {
    const uint64_t h = XXH3_64bits(data.data(), data.size());
    const auto [first, last] = payloads.equal_range(h);
    for (auto it = first; it != last; ++it) {
      if (std::equal(data.begin(), data.end(), it->second->begin(), it->second->end())) return it->second;
    }
    return payloads.emplace(h, std::make_shared<const Bytes>(data.begin(), data.end()))->second;
  }
  std::optional<InjectedFault> fault(const char* point, const std::string& path) {
    return faults != nullptr ? faults->on_call(point, path) : std::nullopt;
  }
  // kIoError while the process is dead; called with the mutex held.
  Status refuse_if_dead(std::string_view call, const std::string& path) const {
    if (!process_dead) return Status();
    return Status::io_error(std::string(call) + " " + path + ": the process has crashed (kill -9), nothing more reaches the disk");
  }
};

class RecordingVfs::RecordingFile final : public vfs::File {
 public:
  RecordingFile(std::unique_ptr<vfs::File> inner, std::shared_ptr<Shared> shared, InodeId inode)
      : inner_(std::move(inner)), shared_(std::move(shared)), inode_(inode) {}

  const std::string& path() const override { return inner_->path(); }
  Result<size_t> read_at(uint64_t offset, std::span<uint8_t> buf) override {
    if (const auto f = shared_->fault(fault_point::kRead, path())) return Status::from_errno(f->err, "read", path(), offset);
    return inner_->read_at(offset, buf);
  }

  Status write_at(uint64_t offset, std::span<const uint8_t> data) override {
    std::lock_guard lock(shared_->mu);
    RETURN_IF_ERROR(shared_->refuse_if_dead("write", path()));
    const size_t half = data.size() / 2;
    if (const auto f = shared_->fault(fault_point::kWrite, path())) {
      if (f->kind == InjectedFault::Kind::kPartial && half > 0) RETURN_IF_ERROR(write_piece(offset, data.first(half)));
      return Status::from_errno(f->err, "write", path(), offset);
    }
    if (shared_->fault(fault_point::kShortWrite, path()) && half > 0) {
      RETURN_IF_ERROR(write_piece(offset, data.first(half)));
      return write_piece(offset + half, data.subspan(half));
    }
    return write_piece(offset, data);
  }

  Status truncate(uint64_t size) override {
    std::lock_guard lock(shared_->mu);
    RETURN_IF_ERROR(shared_->refuse_if_dead("truncate", path()));
    if (const auto f = shared_->fault(fault_point::kTruncate, path())) {
      return Status::from_errno(f->err, "truncate", path(), size);
    }
    RETURN_IF_ERROR(inner_->truncate(size));
    Op op;
    op.kind = OpKind::kTruncate;
    op.inode = inode_;
    op.offset = size;
    op.path = inner_->path();
    shared_->append(std::move(op));
    return Status();
  }

  Status sync() override {
    std::lock_guard lock(shared_->mu);
    RETURN_IF_ERROR(shared_->refuse_if_dead("sync", path()));
    const auto f = shared_->fault(fault_point::kSync, path());
    if (!f) RETURN_IF_ERROR(inner_->sync());
    Op op;
    op.kind = f ? OpKind::kSyncFailed : OpKind::kSync;
    op.inode = inode_;
    op.path = inner_->path();
    shared_->append(std::move(op));
    return f ? Status::from_errno(f->err, "sync", path()) : Status();
  }

  Result<uint64_t> size() override { return inner_->size(); }
  Status close() override { return inner_->close(); }

 private:
  // Writes `data` at `offset` through to the inner file and records it.
  // Called with the mutex held.
  Status write_piece(uint64_t offset, std::span<const uint8_t> data) {
    RETURN_IF_ERROR(inner_->write_at(offset, data));
    Op op;
    op.kind = OpKind::kWrite;
    op.inode = inode_;
    op.offset = offset;
    op.path = inner_->path();
    op.data = shared_->payload(data);
    shared_->append(std::move(op));
    return Status();
  }

  std::unique_ptr<vfs::File> inner_;
  std::shared_ptr<Shared> shared_;
  InodeId inode_;
};

RecordingVfs::RecordingVfs(vfs::Vfs& inner, DiskImage initial, FaultInjector* faults)
    : inner_(inner), shared_(std::make_shared<Shared>()) {
  shared_->faults = faults;
  for (const auto& entry : initial.files) shared_->names[entry.first] = shared_->next_inode++;
  shared_->dirs = initial.dirs;
  shared_->trace.initial = std::move(initial);
}

RecordingVfs::~RecordingVfs() = default;

Result<std::unique_ptr<vfs::File>> RecordingVfs::open(const std::string& path, vfs::OpenMode mode) {
  std::lock_guard lock(shared_->mu);
  RETURN_IF_ERROR(shared_->refuse_if_dead("open", path));
  if (const auto f = shared_->fault(fault_point::kOpen, path)) return Status::from_errno(f->err, "open", path);
  const auto known = shared_->names.find(path);
  ASSIGN_OR_RETURN(std::unique_ptr<vfs::File> file, inner_.open(path, mode));
  InodeId inode;
  if (known != shared_->names.end()) {
    inode = known->second;
  } else if (mode == vfs::OpenMode::kCreate) {
    inode = shared_->next_inode++;
    shared_->names[path] = inode;
    Op op;
    op.kind = OpKind::kCreate;
    op.inode = inode;
    op.path = path;
    shared_->append(std::move(op));
  } else {
    return Status::failed_state("open " + path +
                                ": the file exists but is not in the recording's initial image, so its contents "
                                "are not in the trace");
  }
  return std::unique_ptr<vfs::File>(std::make_unique<RecordingFile>(std::move(file), shared_, inode));
}

Status RecordingVfs::remove(const std::string& path) {
  std::lock_guard lock(shared_->mu);
  RETURN_IF_ERROR(shared_->refuse_if_dead("remove", path));
  RETURN_IF_ERROR(inner_.remove(path));
  shared_->names.erase(path);
  Op op;
  op.kind = OpKind::kRemove;
  op.path = path;
  shared_->append(std::move(op));
  return Status();
}

Status RecordingVfs::rename(const std::string& from, const std::string& to) {
  std::lock_guard lock(shared_->mu);
  RETURN_IF_ERROR(shared_->refuse_if_dead("rename", from));
  RETURN_IF_ERROR(inner_.rename(from, to));
  const auto it = shared_->names.find(from);
  if (it != shared_->names.end()) {
    const InodeId inode = it->second;
    shared_->names.erase(it);
    shared_->names[to] = inode;
  }
  Op op;
  op.kind = OpKind::kRename;
  op.path = from;
  op.path2 = to;
  shared_->append(std::move(op));
  return Status();
}

Result<bool> RecordingVfs::exists(const std::string& path) { return inner_.exists(path); }

Result<std::vector<std::string>> RecordingVfs::list_dir(const std::string& dir) { return inner_.list_dir(dir); }

Status RecordingVfs::create_dir(const std::string& dir) {
  std::lock_guard lock(shared_->mu);
  RETURN_IF_ERROR(shared_->refuse_if_dead("create_dir", dir));
  RETURN_IF_ERROR(inner_.create_dir(dir));
  const std::string d = normalize_dir(dir);
  if (d == "." || d == "/" || !shared_->dirs.insert(d).second) return Status();
  Op op;
  op.kind = OpKind::kMkdir;
  op.path = d;
  shared_->append(std::move(op));
  return Status();
}

Status RecordingVfs::sync_dir(const std::string& dir) {
  std::lock_guard lock(shared_->mu);
  RETURN_IF_ERROR(shared_->refuse_if_dead("sync_dir", dir));
  if (const auto f = shared_->fault(fault_point::kSyncDir, dir)) return Status::from_errno(f->err, "sync_dir", dir);
  RETURN_IF_ERROR(inner_.sync_dir(dir));
  Op op;
  op.kind = OpKind::kSyncDir;
  op.path = normalize_dir(dir);
  shared_->append(std::move(op));
  return Status();
}

Result<uint64_t> RecordingVfs::file_size(const std::string& path) { return inner_.file_size(path); }

Result<std::unique_ptr<vfs::FileLock>> RecordingVfs::lock(const std::string& path, vfs::LockMode mode) {
  return inner_.lock(path, mode);
}

void RecordingVfs::mark(OpKind kind, uint64_t number, uint64_t offset) {
  std::lock_guard lock(shared_->mu);
  Op op;
  op.kind = kind;
  op.number = number;
  op.offset = offset;
  shared_->append(std::move(op));
}

void RecordingVfs::kill_process() {
  std::lock_guard lock(shared_->mu);
  shared_->process_dead = true;
}

void RecordingVfs::restart_process() {
  std::lock_guard lock(shared_->mu);
  shared_->process_dead = false;
}

Trace RecordingVfs::trace() const {
  std::lock_guard lock(shared_->mu);
  return shared_->trace;
}

uint64_t RecordingVfs::op_count() const {
  std::lock_guard lock(shared_->mu);
  return shared_->trace.ops.size();
}

}  // namespace crashsim
