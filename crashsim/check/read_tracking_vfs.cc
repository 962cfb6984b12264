#include "crashsim/check/read_tracking_vfs.h"

#include <limits>

namespace crashsim {
namespace {

constexpr uint64_t kEndOfFile = std::numeric_limits<uint64_t>::max();

}  // namespace

class ReadTrackingVfs::TrackingFile final : public vfs::File {
 public:
  TrackingFile(std::unique_ptr<vfs::File> inner, Tracked tracked) : inner_(std::move(inner)), t_(tracked) {}

  const std::string& path() const override { return inner_->path(); }
  vfs::Result<size_t> read_at(uint64_t offset, std::span<uint8_t> buf) override {
    auto got = inner_->read_at(offset, buf);
    if (got.ok() && *got > 0) {
      t_.reads.add(offset, offset + *got);
      ByteRanges original;
      original.add(offset, offset + *got);
      for (const auto& [begin, end] : t_.replaced.ranges()) original.subtract(begin, end);
      for (const auto& [begin, end] : original.ranges()) t_.state_reads.add(begin, end);
    }
    return got;
  }
  vfs::Status write_at(uint64_t offset, std::span<const uint8_t> data) override {
    t_.replaced.add(offset, offset + data.size());
    return inner_->write_at(offset, data);
  }
  vfs::Status truncate(uint64_t size) override {
    t_.replaced.add(size, kEndOfFile);
    return inner_->truncate(size);
  }
  vfs::Status sync() override { return inner_->sync(); }
  vfs::Result<uint64_t> size() override { return inner_->size(); }
  vfs::Status close() override { return inner_->close(); }

 private:
  std::unique_ptr<vfs::File> inner_;
  Tracked t_;
};

vfs::Result<std::unique_ptr<vfs::File>> ReadTrackingVfs::open(const std::string& path, vfs::OpenMode mode) {
  ASSIGN_OR_RETURN(std::unique_ptr<vfs::File> file, inner_.open(path, mode));
  return std::unique_ptr<vfs::File>(std::make_unique<TrackingFile>(std::move(file), tracked(path)));
}

vfs::Status ReadTrackingVfs::remove(const std::string& path) {
  replaced_[path].add(0, kEndOfFile);
  return inner_.remove(path);
}

vfs::Status ReadTrackingVfs::rename(const std::string& from, const std::string& to) {
  replaced_[from].add(0, kEndOfFile);
  replaced_[to].add(0, kEndOfFile);
  return inner_.rename(from, to);
}

}  // namespace crashsim
