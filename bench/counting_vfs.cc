#include "bench/counting_vfs.h"

#include <utility>

namespace bench {
namespace {

class CountingFile final : public vfs::File {
 public:
  CountingFile(std::unique_ptr<vfs::File> base, std::atomic<uint64_t>& syncs)
      : base_(std::move(base)), syncs_(syncs) {}

  const std::string& path() const override { return base_->path(); }
  vfs::Result<size_t> read_at(uint64_t offset, std::span<uint8_t> buf) override { return base_->read_at(offset, buf); }
  vfs::Status write_at(uint64_t offset, std::span<const uint8_t> data) override { return base_->write_at(offset, data); }
  vfs::Status truncate(uint64_t size) override { return base_->truncate(size); }
  vfs::Status sync() override {
    syncs_.fetch_add(1, std::memory_order_relaxed);
    return base_->sync();
  }
  vfs::Result<uint64_t> size() override { return base_->size(); }
  vfs::Status close() override { return base_->close(); }

 private:
  std::unique_ptr<vfs::File> base_;
  std::atomic<uint64_t>& syncs_;
};

}  // namespace

vfs::Result<std::unique_ptr<vfs::File>> CountingVfs::open(const std::string& path, vfs::OpenMode mode) {
  ASSIGN_OR_RETURN(std::unique_ptr<vfs::File> file, base_.open(path, mode));
  return std::unique_ptr<vfs::File>(std::make_unique<CountingFile>(std::move(file), file_syncs_));
}

vfs::Status CountingVfs::sync_dir(const std::string& dir) {
  dir_syncs_.fetch_add(1, std::memory_order_relaxed);
  return base_.sync_dir(dir);
}

}  // namespace bench
