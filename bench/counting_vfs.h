// CountingVfs: a Vfs decorator that counts the sync calls made through it.
//
// The benchmarks report syncs per commit next to every rate, because on a
// device that acknowledges a flush in microseconds a design that syncs twice
// per commit looks as fast as one that syncs once, and on a real SSD it is
// not. Every call is forwarded unchanged to the wrapped Vfs; only File::sync()
// and Vfs::sync_dir() are counted (each one is an fdatasync or fsync on a
// PosixVfs).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vfs/vfs.h"

namespace bench {

class CountingVfs final : public vfs::Vfs {
 public:
  explicit CountingVfs(vfs::Vfs& base) : base_(base) {}

  // File::sync() calls on files opened through this Vfs, and sync_dir() calls.
  uint64_t file_syncs() const { return file_syncs_.load(std::memory_order_relaxed); }
  uint64_t dir_syncs() const { return dir_syncs_.load(std::memory_order_relaxed); }
  uint64_t syncs() const { return file_syncs() + dir_syncs(); }

  vfs::Result<std::unique_ptr<vfs::File>> open(const std::string& path, vfs::OpenMode mode) override;
  vfs::Status remove(const std::string& path) override { return base_.remove(path); }
  vfs::Status rename(const std::string& from, const std::string& to) override { return base_.rename(from, to); }
  vfs::Result<bool> exists(const std::string& path) override { return base_.exists(path); }
  vfs::Result<std::vector<std::string>> list_dir(const std::string& dir) override { return base_.list_dir(dir); }
  vfs::Status create_dir(const std::string& dir) override { return base_.create_dir(dir); }
  vfs::Status sync_dir(const std::string& dir) override;
  vfs::Result<uint64_t> file_size(const std::string& path) override { return base_.file_size(path); }
  vfs::Result<std::unique_ptr<vfs::FileLock>> lock(const std::string& path, vfs::LockMode mode) override {
    return base_.lock(path, mode);
  }

 private:
  vfs::Vfs& base_;
  std::atomic<uint64_t> file_syncs_{0};
  std::atomic<uint64_t> dir_syncs_{0};
};

}  // namespace bench
