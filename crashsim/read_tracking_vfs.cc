#include "crashsim/read_tracking_vfs.h"

namespace crashsim {

class ReadTrackingVfs::TrackingFile final : public vfs::File {
 public:
  TrackingFile(std::unique_ptr<vfs::File> inner, ByteRanges& reads) : inner_(std::move(inner)), reads_(reads) {}

  const std::string& path() const override { return inner_->path(); }
  vfs::Result<size_t> read_at(uint64_t offset, std::span<uint8_t> buf) override {
    auto got = inner_->read_at(offset, buf);
    if (got.ok()) reads_.add(offset, offset + *got);
    return got;
  }
  vfs::Status write_at(uint64_t offset, std::span<const uint8_t> data) override { return inner_->write_at(offset, data); }
  vfs::Status truncate(uint64_t size) override { return inner_->truncate(size); }
  vfs::Status sync() override { return inner_->sync(); }
  vfs::Result<uint64_t> size() override { return inner_->size(); }
  vfs::Status close() override { return inner_->close(); }

 private:
  std::unique_ptr<vfs::File> inner_;
  ByteRanges& reads_;
};

vfs::Result<std::unique_ptr<vfs::File>> ReadTrackingVfs::open(const std::string& path, vfs::OpenMode mode) {
  ASSIGN_OR_RETURN(std::unique_ptr<vfs::File> file, inner_.open(path, mode));
  return std::unique_ptr<vfs::File>(std::make_unique<TrackingFile>(std::move(file), reads_[path]));
}

}  // namespace crashsim
