#include "engine/storage_test_util.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace engine::testing {

class FaultVfs::File final : public vfs::File {
 public:
  File(FaultVfs& owner, std::unique_ptr<vfs::File> base) : owner_(owner), base_(std::move(base)) {}

  const std::string& path() const override { return base_->path(); }
  Result<size_t> read_at(uint64_t offset, std::span<uint8_t> buf) override {
    ++owner_.reads_;
    return base_->read_at(offset, buf);
  }
  Status write_at(uint64_t offset, std::span<const uint8_t> data) override {
    RETURN_IF_ERROR(owner_.check("write", path(), offset, data.size()));
    return base_->write_at(offset, data);
  }
  Status truncate(uint64_t size) override {
    RETURN_IF_ERROR(owner_.check("truncate", path(), size, 0));
    return base_->truncate(size);
  }
  Status sync() override {
    RETURN_IF_ERROR(owner_.check("sync", path(), 0, 0));
    return base_->sync();
  }
  Result<uint64_t> size() override { return base_->size(); }
  Status close() override { return base_->close(); }

 private:
  FaultVfs& owner_;
  std::unique_ptr<vfs::File> base_;
};

void FaultVfs::inject(std::string kind, std::string path, int err, uint64_t skip, uint64_t times) {
  faults_.push_back({std::move(kind), std::move(path), err, skip, times});
}

long FaultVfs::find_op(const std::string& kind, const std::string& path, size_t from) const {
  for (size_t i = from; i < ops_.size(); ++i) {
    if (ops_[i].kind == kind && ops_[i].path == path) return static_cast<long>(i);
  }
  return -1;
}

Status FaultVfs::check(const std::string& kind, const std::string& path, uint64_t offset, uint64_t length) {
  for (Fault& fault : faults_) {
    if (fault.kind != kind || fault.path != path) continue;
    if (fault.skip > 0) {
      --fault.skip;
      continue;
    }
    if (fault.times == 0) continue;
    --fault.times;
    std::optional<uint64_t> at;
    if (kind == "write") at = offset;
    return Status::from_errno(fault.err, kind, path, at);
  }
  ops_.push_back({kind, path, offset, length});
  return Status();
}

Result<std::unique_ptr<vfs::File>> FaultVfs::open(const std::string& path, vfs::OpenMode mode) {
  ASSIGN_OR_RETURN(auto file, base_.open(path, mode));
  return std::unique_ptr<vfs::File>(std::make_unique<File>(*this, std::move(file)));
}

Status FaultVfs::sync_dir(const std::string& dir) {
  RETURN_IF_ERROR(check("sync_dir", dir, 0, 0));
  return base_.sync_dir(dir);
}

std::unique_ptr<vfs::MemVfs> crash_image(const vfs::MemVfs& vfs) {
  auto copy = std::make_unique<vfs::MemVfs>();
  for (const auto& [path, bytes] : vfs.snapshot()) copy->install_file(path, bytes);
  return copy;
}

std::vector<uint8_t> file_bytes(vfs::MemVfs& vfs, const std::string& path) {
  const auto snapshot = vfs.snapshot();
  const auto it = snapshot.find(path);
  EXPECT_NE(it, snapshot.end()) << path << " does not exist";
  if (it == snapshot.end() || !it->second) return {};
  return *it->second;
}

void write_bytes(vfs::MemVfs& vfs, const std::string& path, uint64_t offset, std::span<const uint8_t> bytes) {
  auto file = vfs.open(path, vfs::OpenMode::kCreate);
  ASSERT_TRUE(file.ok()) << file.status().to_string();
  ASSERT_TRUE((*file)->write_at(offset, bytes).ok());
}

void flip_byte(vfs::MemVfs& vfs, const std::string& path, uint64_t offset) {
  std::vector<uint8_t> bytes = file_bytes(vfs, path);
  ASSERT_LT(offset, bytes.size()) << "flip_byte past the end of " << path;
  write_bytes(vfs, path, offset, std::vector<uint8_t>{static_cast<uint8_t>(bytes[offset] ^ 0x5A)});
}

void truncate_file(vfs::MemVfs& vfs, const std::string& path, uint64_t size) {
  auto file = vfs.open(path, vfs::OpenMode::kMustExist);
  ASSERT_TRUE(file.ok()) << file.status().to_string();
  ASSERT_TRUE((*file)->truncate(size).ok());
}

PagerOptions no_auto_checkpoint(uint32_t page_size) {
  PagerOptions options;
  options.page_size = page_size;
  options.checkpoint_every_commits = 0;
  options.checkpoint_wal_bytes = 0;
  return options;
}

std::unique_ptr<Pager> open_or_die(vfs::Vfs& vfs, const std::string& path, const PagerOptions& options) {
  auto pager = Pager::open(vfs, path, options);
  EXPECT_TRUE(pager.ok()) << pager.status().to_string();
  return pager.ok() ? std::move(pager).value() : nullptr;
}

void fill_leaf(Page& page, uint8_t fill) {
  page.set_type(PageType::kLeaf);
  std::fill(page.bytes.begin() + kPageHeaderSize, page.bytes.end(), fill);
}

int leaf_fill(const Page& page) {
  const uint8_t first = page.bytes[kPageHeaderSize];
  const bool uniform = std::all_of(page.bytes.begin() + kPageHeaderSize, page.bytes.end(),
                                   [first](uint8_t b) { return b == first; });
  return uniform ? first : -1;
}

std::vector<PageNo> commit_new_leaves(Pager& pager, size_t count, uint8_t fill) {
  auto meta = pager.begin();
  EXPECT_TRUE(meta.ok()) << meta.status().to_string();
  if (!meta.ok()) return {};
  std::vector<PageNo> pages;
  for (size_t i = 0; i < count; ++i) {
    auto page = pager.allocate(*meta, PageType::kLeaf);
    EXPECT_TRUE(page.ok()) << page.status().to_string();
    if (!page.ok()) return {};
    fill_leaf(**page, fill);
    pages.push_back((*page)->pgno);
  }
  const Status committed = pager.commit(*meta);
  EXPECT_TRUE(committed.ok()) << committed.to_string();
  return committed.ok() ? pages : std::vector<PageNo>{};
}

void commit_rewrite(Pager& pager, const std::vector<PageNo>& pages, uint8_t fill) {
  auto meta = pager.begin();
  ASSERT_TRUE(meta.ok()) << meta.status().to_string();
  for (const PageNo pgno : pages) {
    auto page = pager.get_mutable(pgno);
    ASSERT_TRUE(page.ok()) << page.status().to_string();
    fill_leaf(**page, fill);
  }
  const Status committed = pager.commit(*meta);
  ASSERT_TRUE(committed.ok()) << committed.to_string();
}

}  // namespace engine::testing
