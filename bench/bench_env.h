// Where the benchmarks put their files, and what the device under them did.
//
// Benchmark databases go to a fresh directory under $BENCH_DIR (default
// /var/tmp, which is on the root file system here, not tmpfs: a sync on tmpfs
// is free and would make every durable figure meaningless). The directory and
// everything in it is removed when the BenchDir goes away.
//
// The device flush counter is the 16th field of /sys/block/<disk>/stat
// ("flush requests completed", kernels 5.5 and later), read for the whole disk
// under the bench directory. It counts every flush the device completed,
// from any process, so it is exact only while nothing else on the machine
// syncs; it is the one count that works the same for every engine.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "vfs/status.h"

namespace bench {

// $BENCH_DIR when set and non-empty, else /var/tmp.
std::string bench_root();

// The file system type holding `path` as statfs(2) names it ("ext4", "xfs",
// "tmpfs", ...; "0x<magic>" for one this table does not know).
vfs::Result<std::string> filesystem_type(const std::string& path);

// Size of the file at `path`, 0 when it does not exist (a journal that is
// deleted after each commit, a log not yet created).
uint64_t file_size_or_zero(const std::string& path);

class BenchDir {
 public:
  // Creates <root>/<prefix>-XXXXXX (mkdtemp).
  static vfs::Result<BenchDir> create(const std::string& root, const std::string& prefix);

  BenchDir(BenchDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  BenchDir& operator=(BenchDir&& other) noexcept;
  BenchDir(const BenchDir&) = delete;
  BenchDir& operator=(const BenchDir&) = delete;
  ~BenchDir() { remove(); }

  const std::string& path() const { return path_; }

 private:
  explicit BenchDir(std::string path) : path_(std::move(path)) {}
  void remove();

  std::string path_;
};

class DeviceFlushCounter {
 public:
  // The counter of the whole disk holding `path`; nullopt when there is no
  // such block device (e.g. tmpfs, overlayfs) or its stat has no flush field.
  static std::optional<DeviceFlushCounter> for_path(const std::string& path);

  // Flushes the device has completed since boot; nullopt when the stat file
  // cannot be read any more.
  std::optional<uint64_t> read() const;

  // The disk's kernel name, e.g. "vda".
  const std::string& device() const { return device_; }

 private:
  DeviceFlushCounter(std::string device, std::string stat_path)
      : device_(std::move(device)), stat_path_(std::move(stat_path)) {}

  std::string device_;
  std::string stat_path_;
};

}  // namespace bench
