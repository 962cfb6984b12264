#include "bench/bench_env.h"

#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

namespace bench {

std::string bench_root() {
  const char* env = std::getenv("BENCH_DIR");
  return env != nullptr && *env != '\0' ? env : "/var/tmp";
}

vfs::Result<std::string> filesystem_type(const std::string& path) {
  struct statfs fs {};
  if (::statfs(path.c_str(), &fs) != 0) return vfs::Status::from_errno(errno, "statfs", path);
  switch (static_cast<unsigned long>(fs.f_type)) {
    case 0xEF53: return std::string("ext4");  // ext2, ext3 and ext4 share the magic
    case 0x58465342: return std::string("xfs");
    case 0x9123683E: return std::string("btrfs");
    case 0xF2F52010: return std::string("f2fs");
    case 0x01021994: return std::string("tmpfs");
    case 0x794C7630: return std::string("overlayfs");
    case 0x2FC12FC1: return std::string("zfs");
    default: break;
  }
  std::ostringstream hex;
  hex << "0x" << std::hex << static_cast<unsigned long>(fs.f_type);
  return hex.str();
}

uint64_t file_size_or_zero(const std::string& path) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

vfs::Result<BenchDir> BenchDir::create(const std::string& root, const std::string& prefix) {
  std::string tmpl = root + "/" + prefix + "-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) return vfs::Status::from_errno(errno, "mkdtemp", tmpl);
  return BenchDir(std::string(buf.data()));
}

BenchDir& BenchDir::operator=(BenchDir&& other) noexcept {
  if (this != &other) {
    remove();
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

void BenchDir::remove() {
  if (path_.empty()) return;
  std::error_code ignored;  // best effort: a leftover temp directory is not worth failing a run for
  std::filesystem::remove_all(path_, ignored);
  path_.clear();
}

std::optional<DeviceFlushCounter> DeviceFlushCounter::for_path(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  const std::string link = "/sys/dev/block/" + std::to_string(major(st.st_dev)) + ":" + std::to_string(minor(st.st_dev));
  std::error_code ec;
  std::filesystem::path dev = std::filesystem::canonical(link, ec);
  if (ec) return std::nullopt;
  // A partition's flushes are counted on its disk, one directory up.
  if (std::filesystem::exists(dev / "partition", ec)) dev = dev.parent_path();
  DeviceFlushCounter counter(dev.filename().string(), (dev / "stat").string());
  if (!counter.read()) return std::nullopt;
  return counter;
}

std::optional<uint64_t> DeviceFlushCounter::read() const {
  // Fields: reads, merges, sectors, ms; writes, merges, sectors, ms; in flight,
  // io ms, weighted ms; discards, merges, sectors, ms; flushes, flush ms.
  constexpr size_t kFlushField = 15;
  std::ifstream in(stat_path_);
  std::vector<uint64_t> fields;
  uint64_t v = 0;
  while (in >> v) fields.push_back(v);
  if (fields.size() <= kFlushField) return std::nullopt;
  return fields[kFlushField];
}

}  // namespace bench
