// Helpers shared by the vfs tests (test-only; not part of the library).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "vfs/vfs.h"

namespace vfs::test_util {

// `n` bytes of a deterministic pseudo-random pattern; different seeds give
// different patterns, so a misplaced or stale block cannot compare equal.
inline std::vector<uint8_t> pattern_bytes(size_t n, uint32_t seed) {
  std::vector<uint8_t> out(n);
  uint32_t x = seed * 2654435761u + 1;
  for (auto& b : out) {
    x = x * 1103515245u + 12345u;
    b = static_cast<uint8_t>(x >> 16);
  }
  return out;
}

// A File that passes every call to another: a test derives from it and
// overrides only the calls it changes.
class ForwardingFile : public File {
 public:
  explicit ForwardingFile(std::unique_ptr<File> base) : base_(std::move(base)) {}
  const std::string& path() const override { return base_->path(); }
  Result<size_t> read_at(uint64_t offset, std::span<uint8_t> out) override { return base_->read_at(offset, out); }
  Status write_at(uint64_t offset, std::span<const uint8_t> data) override { return base_->write_at(offset, data); }
  Status truncate(uint64_t size) override { return base_->truncate(size); }
  Status sync() override { return base_->sync(); }
  Result<uint64_t> size() override { return base_->size(); }
  Status close() override { return base_->close(); }

 private:
  std::unique_ptr<File> base_;
};

// A Vfs that passes every call to another, handing each opened file to
// wrap(): a test overrides wrap() (and any call it changes).
class ForwardingVfs : public Vfs {
 public:
  explicit ForwardingVfs(Vfs& base) : base_(base) {}
  Result<std::unique_ptr<File>> open(const std::string& path, OpenMode mode) override {
    Result<std::unique_ptr<File>> file = base_.open(path, mode);
    if (!file.ok()) return file;
    return wrap(std::move(file).value());
  }
  Status remove(const std::string& path) override { return base_.remove(path); }
  Status rename(const std::string& from, const std::string& to) override { return base_.rename(from, to); }
  Result<bool> exists(const std::string& path) override { return base_.exists(path); }
  Result<std::vector<std::string>> list_dir(const std::string& dir) override { return base_.list_dir(dir); }
  Status create_dir(const std::string& dir) override { return base_.create_dir(dir); }
  Status sync_dir(const std::string& dir) override { return base_.sync_dir(dir); }
  Result<uint64_t> file_size(const std::string& path) override { return base_.file_size(path); }
  Result<std::unique_ptr<FileLock>> lock(const std::string& path, LockMode mode) override {
    return base_.lock(path, mode);
  }

 protected:
  virtual std::unique_ptr<File> wrap(std::unique_ptr<File> file) { return file; }

 private:
  Vfs& base_;
};

}  // namespace vfs::test_util
