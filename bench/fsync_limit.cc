#include "bench/fsync_limit.h"

#include <fcntl.h>
#include <unistd.h>

#include <benchmark/benchmark.h>

#include <cerrno>
#include <string>
#include <vector>

#include "bench/harness.h"
#include "bench/workload.h"

namespace bench {
namespace {

constexpr size_t kBlock = 4096;

// An open file descriptor, closed on destruction.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Status write_and_sync(int fd, const std::string& path, const std::vector<char>& block, uint64_t offset) {
  const ssize_t n = ::pwrite(fd, block.data(), block.size(), static_cast<off_t>(offset));
  if (n < 0) return Status::from_errno(errno, "pwrite", path, offset);
  if (static_cast<size_t>(n) != block.size())
    return Status::io_error("pwrite " + path + " at offset " + std::to_string(offset) + ": wrote " + std::to_string(n) +
                            " of " + std::to_string(block.size()) + " bytes");
  if (::fdatasync(fd) != 0) return Status::from_errno(errno, "fdatasync", path);
  return Status();
}

void sync_loop(benchmark::State& state, bool append) {
  for (auto _ : state) {
    Result<BenchDir> dir = fresh_dir("fsync-limit");
    if (!ok_or_skip(state, dir.status())) break;
    const std::string path = dir->path() + "/raw";
    Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (!ok_or_skip(state, fd.get() < 0 ? Status::from_errno(errno, "open", path) : Status())) break;
    const std::vector<char> block(kBlock, 'x');
    // The overwrite loop starts on a file whose block and size are durable already.
    if (!append && !ok_or_skip(state, write_and_sync(fd.get(), path, block, 0))) break;
    Meter meter;
    const Status s = meter.measure([&]() -> Status {
      for (uint64_t i = 0; i < kSyncCommits; ++i) RETURN_IF_ERROR(write_and_sync(fd.get(), path, block, append ? i * kBlock : 0));
      return Status();
    });
    if (!ok_or_skip(state, s)) break;
    meter.add_syncs(kSyncCommits);
    meter.report(state, kSyncCommits, kSyncCommits);
  }
}

}  // namespace

void register_fsync_limit(SyncLoop loop) {
  const bool append = loop == SyncLoop::kAppend;
  benchmark::RegisterBenchmark(append ? "fsync-limit/append-4k" : "fsync-limit/overwrite-4k", sync_loop, append)
      ->Iterations(1)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
}

}  // namespace bench
