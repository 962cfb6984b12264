// Helpers for the storage layer's tests (test-only; not part of the library).
//
// FaultVfs wraps another Vfs, records every mutating call in order, counts
// reads, and makes chosen writes or syncs fail with a chosen errno, the way
// libfiu makes PosixVfs fail, but over a MemVfs and per path.
// crash_image() copies a MemVfs's files into a new one: what a power cut
// would leave if every write had reached the disk (MemVfs keeps everything).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "engine/pager.h"
#include "vfs/mem_vfs.h"

namespace engine::testing {

class FaultVfs final : public vfs::Vfs {
 public:
  struct Op {
    std::string kind;  // "write", "sync", "truncate", "sync_dir"
    std::string path;
    uint64_t offset = 0;  // write: where; truncate: the new size
    uint64_t length = 0;  // write: how many bytes
  };

  explicit FaultVfs(vfs::Vfs& base) : base_(base) {}

  // After `skip` calls of `kind` ("write" or "sync") on `path` go through,
  // the next `times` fail with errno `err` without reaching the base Vfs.
  void inject(std::string kind, std::string path, int err, uint64_t skip = 0, uint64_t times = 1);
  void clear_faults() { faults_.clear(); }

  const std::vector<Op>& ops() const { return ops_; }
  // Index in ops() of the first op of `kind` on `path` at or after `from`; -1 if none.
  long find_op(const std::string& kind, const std::string& path, size_t from = 0) const;
  uint64_t reads() const { return reads_; }

  Result<std::unique_ptr<vfs::File>> open(const std::string& path, vfs::OpenMode mode) override;
  Status remove(const std::string& path) override { return base_.remove(path); }
  Status rename(const std::string& from, const std::string& to) override { return base_.rename(from, to); }
  Result<bool> exists(const std::string& path) override { return base_.exists(path); }
  Result<std::vector<std::string>> list_dir(const std::string& dir) override { return base_.list_dir(dir); }
  Status create_dir(const std::string& dir) override { return base_.create_dir(dir); }
  Status sync_dir(const std::string& dir) override;
  Result<uint64_t> file_size(const std::string& path) override { return base_.file_size(path); }
  Result<std::unique_ptr<vfs::FileLock>> lock(const std::string& path, vfs::LockMode mode) override {
    if (before_lock) std::exchange(before_lock, nullptr)();
    return base_.lock(path, mode);
  }
  // Runs once, at the next lock(), before the lock is taken: another opener's
  // work in the window between an open's first look at the files and its lock.
  std::function<void()> before_lock;

 private:
  class File;
  struct Fault {
    std::string kind;
    std::string path;
    int err;
    uint64_t skip;
    uint64_t times;
  };
  // The injected failure for this call, or OK (and the call is recorded).
  Status check(const std::string& kind, const std::string& path, uint64_t offset, uint64_t length);

  vfs::Vfs& base_;
  std::vector<Fault> faults_;
  std::vector<Op> ops_;
  uint64_t reads_ = 0;
};

// A new MemVfs holding the same files as `vfs` (sharing their buffers).
std::unique_ptr<vfs::MemVfs> crash_image(const vfs::MemVfs& vfs);

std::vector<uint8_t> file_bytes(vfs::MemVfs& vfs, const std::string& path);
void write_bytes(vfs::MemVfs& vfs, const std::string& path, uint64_t offset, std::span<const uint8_t> bytes);
void flip_byte(vfs::MemVfs& vfs, const std::string& path, uint64_t offset);
void truncate_file(vfs::MemVfs& vfs, const std::string& path, uint64_t size);

// Options with automatic checkpoints off, so the WAL keeps every frame.
PagerOptions no_auto_checkpoint(uint32_t page_size = 512);

std::unique_ptr<Pager> open_or_die(vfs::Vfs& vfs, const std::string& path, const PagerOptions& options);

// Fills a page's body (after the header) with `fill`, typed kLeaf.
void fill_leaf(Page& page, uint8_t fill);
// The body byte of a leaf written by fill_leaf (-1 when the body is not uniform).
int leaf_fill(const Page& page);

// One committed transaction that allocates `count` leaves filled with
// `fill`; returns their page numbers (empty after a failed assertion).
std::vector<PageNo> commit_new_leaves(Pager& pager, size_t count, uint8_t fill);
// One committed transaction that rewrites existing leaves with `fill`.
void commit_rewrite(Pager& pager, const std::vector<PageNo>& pages, uint8_t fill);

}  // namespace engine::testing
