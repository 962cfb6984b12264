// What MemVfs promises beyond the shared Vfs semantics (those are in
// vfs_conformance_test.cc): copy-on-write buffers, sharing with snapshots,
// handles outliving the namespace entry and the MemVfs, thread safety, and
// the sync counter.
#include "vfs/mem_vfs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "vfs/test_util.h"

namespace vfs {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;
using ::vfs::test_util::pattern_bytes;

SharedBytes shared(Bytes bytes) { return std::make_shared<const Bytes>(std::move(bytes)); }

std::unique_ptr<File> open_or_die(MemVfs& vfs, const std::string& path, OpenMode mode = OpenMode::kMustExist) {
  auto file = vfs.open(path, mode);
  EXPECT_TRUE(file.ok()) << file.status().to_string();
  return file.ok() ? std::move(file).value() : nullptr;
}

const Bytes kSeven = {1, 2, 3, 4, 5, 6, 7};

TEST(MemVfsCopyOnWrite, InstallSharesTheContentsWithoutCopying) {
  MemVfs vfs;
  const FileContents image(pattern_bytes(3 * FileContents::kChunkSize, 1));
  vfs.install_file("db", image);
  const auto contents = vfs.contents();
  ASSERT_EQ(contents.count("db"), 1u);
  EXPECT_EQ(contents.at("db").chunks_not_shared_with(image), 0u) << "install_file copied a chunk";
  EXPECT_EQ(*vfs.file_size("db"), 3 * FileContents::kChunkSize);
}

TEST(MemVfsCopyOnWrite, AWriteCopiesOnlyTheChunkItTouchesAndLeavesTheImageUnchanged) {
  MemVfs vfs;
  const Bytes bytes = pattern_bytes(3 * FileContents::kChunkSize, 1);
  const FileContents image(bytes);
  vfs.install_file("db", image);
  auto file = open_or_die(vfs, "db");
  const Bytes patch = {0xAA, 0xBB};
  ASSERT_TRUE(file->write_at(FileContents::kChunkSize + 2, patch).ok());

  EXPECT_EQ(image.to_bytes(), bytes) << "a write reached the installed image";
  const FileContents after = vfs.contents().at("db");
  EXPECT_EQ(after.chunks_not_shared_with(image), 1u);
  Bytes expected = bytes;
  expected[FileContents::kChunkSize + 2] = 0xAA;
  expected[FileContents::kChunkSize + 3] = 0xBB;
  EXPECT_EQ(after.to_bytes(), expected);
}

TEST(MemVfsCopyOnWrite, AFlatBufferIsCopiedOnInstall) {
  MemVfs vfs;
  const SharedBytes image = shared(kSeven);
  vfs.install_file("db", image);
  auto file = open_or_die(vfs, "db");
  ASSERT_TRUE(file->write_at(0, Bytes{9}).ok());
  EXPECT_EQ(*image, kSeven);
  EXPECT_EQ(*vfs.snapshot().at("db"), (Bytes{9, 2, 3, 4, 5, 6, 7}));
}

TEST(MemVfsCopyOnWrite, SnapshotNeverChangesAfterwards) {
  MemVfs vfs;
  auto file = open_or_die(vfs, "db", OpenMode::kCreate);
  ASSERT_TRUE(file->write_at(0, kSeven).ok());
  const auto before = vfs.snapshot();
  ASSERT_TRUE(file->write_at(0, Bytes{0xFF}).ok());
  ASSERT_TRUE(file->truncate(3).ok());
  EXPECT_EQ(*before.at("db"), kSeven) << "a write after snapshot() changed the snapshot";
  EXPECT_EQ(*vfs.snapshot().at("db"), (Bytes{0xFF, 2, 3}));
}

TEST(MemVfsCopyOnWrite, ContentsShareUnchangedChunks) {
  MemVfs vfs;
  const FileContents db(pattern_bytes(8192, 1));
  const FileContents wal(pattern_bytes(4096, 2));
  vfs.install_file("/d/db", db);
  vfs.install_file("/d/db-wal", wal);
  auto file = open_or_die(vfs, "/d/db-wal");
  ASSERT_TRUE(file->write_at(4096, Bytes(100, 7)).ok());

  const auto contents = vfs.contents();
  ASSERT_THAT(contents, ElementsAre(Pair("/d/db", ::testing::_), Pair("/d/db-wal", ::testing::_)));
  EXPECT_EQ(contents.at("/d/db").chunks_not_shared_with(db), 0u) << "an unwritten file was copied";
  EXPECT_EQ(contents.at("/d/db-wal").chunks_not_shared_with(wal), 1u) << "only the appended chunk is new";
  EXPECT_EQ(contents.at("/d/db-wal").size(), 4196u);

  // A second MemVfs built from them shares the same chunks.
  MemVfs clone;
  for (const auto& [path, c] : contents) clone.install_file(path, c);
  EXPECT_EQ(clone.contents().at("/d/db").chunks_not_shared_with(db), 0u);
}

TEST(MemVfsCopyOnWrite, TruncateOfASharedBufferCopiesOnlyWhatIsKept) {
  MemVfs vfs;
  const SharedBytes image = shared(kSeven);
  vfs.install_file("db", image);
  auto file = open_or_die(vfs, "db");
  ASSERT_TRUE(file->truncate(3).ok());
  EXPECT_EQ(*image, kSeven);
  EXPECT_EQ(*vfs.snapshot().at("db"), (Bytes{1, 2, 3}));
  ASSERT_TRUE(file->truncate(5).ok());
  EXPECT_EQ(*vfs.snapshot().at("db"), (Bytes{1, 2, 3, 0, 0}));
}

TEST(MemVfsNamespace, InstallCreatesMissingParentDirectories) {
  MemVfs vfs;
  vfs.install_file("/a/b/c/file", nullptr);
  EXPECT_THAT(vfs.directories(), ElementsAre(".", "/", "/a", "/a/b", "/a/b/c"));
  EXPECT_EQ(*vfs.list_dir("/a/b"), std::vector<std::string>{"c"});
  EXPECT_EQ(*vfs.file_size("/a/b/c/file"), 0u) << "a null buffer installs an empty file";
  vfs.install_file("rel/x", shared(kSeven));
  EXPECT_TRUE(vfs.directories().contains("rel"));
  EXPECT_EQ(*vfs.list_dir("."), std::vector<std::string>{"rel"});
}

TEST(MemVfsNamespace, InstallReplacesAFileButNotItsOpenHandles) {
  MemVfs vfs;
  vfs.install_file("db", shared(kSeven));
  auto old_handle = open_or_die(vfs, "db");
  vfs.install_file("db", shared(Bytes{42}));
  EXPECT_EQ(*vfs.file_size("db"), 1u);
  EXPECT_EQ(*old_handle->size(), 7u);
}

TEST(MemVfsNamespace, RenamingADirectoryIsNotSupported) {
  MemVfs vfs;
  ASSERT_TRUE(vfs.create_dir("d").ok());
  const Status s = vfs.rename("d", "e");
  EXPECT_EQ(s.code(), StatusCode::kNotSupported) << s.to_string();
  EXPECT_THAT(s.message(), ::testing::HasSubstr("rename d -> e"));
}

TEST(MemVfsHandles, SurviveRenameRemoveAndTheVfsItself) {
  auto vfs = std::make_unique<MemVfs>();
  vfs->install_file("a", shared(kSeven));
  auto file = open_or_die(*vfs, "a");
  ASSERT_TRUE(vfs->rename("a", "b").ok());
  ASSERT_TRUE(file->write_at(7, Bytes{8}).ok());
  EXPECT_EQ(*vfs->snapshot().at("b"), (Bytes{1, 2, 3, 4, 5, 6, 7, 8}));

  ASSERT_TRUE(vfs->remove("b").ok());
  EXPECT_TRUE(vfs->snapshot().empty());
  vfs.reset();
  Bytes back(8);
  auto n = file->read_at(0, back);
  ASSERT_TRUE(n.ok()) << n.status().to_string();
  EXPECT_EQ(*n, 8u);
  EXPECT_EQ(back, (Bytes{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_TRUE(file->close().ok());
}

TEST(MemVfsThreads, ConcurrentWritersToDifferentFilesKeepTheirBytes) {
  MemVfs vfs;
  const SharedBytes base = shared(pattern_bytes(64 * 1024, 99));
  constexpr int kThreads = 4;
  constexpr size_t kPages = 64;
  constexpr size_t kPage = 1024;
  for (int t = 0; t < kThreads; ++t) vfs.install_file("/t/f" + std::to_string(t), base);

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&vfs, t] {
      auto file = vfs.open("/t/f" + std::to_string(t), OpenMode::kMustExist);
      if (!file.ok()) return;
      const Bytes mine = pattern_bytes(kPages * kPage, static_cast<uint32_t>(t));
      for (size_t p = 0; p < kPages; ++p) {
        const std::span<const uint8_t> page(mine.data() + p * kPage, kPage);
        if (!(*file)->write_at(p * kPage, page).ok()) return;
        if (!(*file)->sync().ok()) return;
        // Readers of the whole namespace run alongside the writers.
        (void)vfs.snapshot();
        (void)vfs.list_dir("/t");
      }
    });
  }
  for (auto& th : threads) th.join();

  EXPECT_EQ(*base, pattern_bytes(64 * 1024, 99)) << "a writer changed the shared base image";
  const auto snap = vfs.snapshot();
  for (int t = 0; t < kThreads; ++t) {
    const Bytes& got = *snap.at("/t/f" + std::to_string(t));
    ASSERT_EQ(got.size(), base->size());
    const Bytes mine = pattern_bytes(kPages * kPage, static_cast<uint32_t>(t));
    EXPECT_TRUE(std::equal(mine.begin(), mine.end(), got.begin())) << "file " << t;
    EXPECT_TRUE(std::equal(got.begin() + static_cast<std::ptrdiff_t>(mine.size()), got.end(),
                           base->begin() + static_cast<std::ptrdiff_t>(mine.size())))
        << "file " << t << " lost the base image's tail";
  }
  EXPECT_EQ(vfs.sync_count(), uint64_t{kThreads} * kPages);
}

TEST(MemVfsSyncCount, CountsSuccessfulFileAndDirectorySyncs) {
  MemVfs vfs;
  EXPECT_EQ(vfs.sync_count(), 0u);
  auto file = open_or_die(vfs, "f", OpenMode::kCreate);
  ASSERT_TRUE(file->sync().ok());
  ASSERT_TRUE(file->sync().ok());
  EXPECT_EQ(vfs.sync_count(), 2u);
  ASSERT_TRUE(vfs.sync_dir(".").ok());
  EXPECT_EQ(vfs.sync_count(), 3u);

  EXPECT_FALSE(vfs.sync_dir("missing").ok());
  ASSERT_TRUE(file->close().ok());
  EXPECT_FALSE(file->sync().ok());
  EXPECT_EQ(vfs.sync_count(), 3u) << "failed syncs are not counted";
}

}  // namespace
}  // namespace vfs
