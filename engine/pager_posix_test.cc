// The pager on real files through PosixVfs, with libfiu failing real calls.
#include <fiu-control.h>
#include <fiu.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <string>

#include "engine/pager.h"
#include "engine/storage_test_util.h"
#include "vfs/posix_vfs.h"

namespace engine {
namespace {

using ::testing::HasSubstr;
using testing::commit_new_leaves;
using testing::commit_rewrite;
using testing::leaf_fill;
using testing::no_auto_checkpoint;
using testing::open_or_die;

class FiuEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { ASSERT_EQ(fiu_init(0), 0); }
};
[[maybe_unused]] ::testing::Environment* const fiu_environment =
    ::testing::AddGlobalTestEnvironment(new FiuEnvironment);

void* errno_info(int err) { return reinterpret_cast<void*>(intptr_t{err}); }

class PagerPosix : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "pager-posix-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr) << "mkdtemp " << pattern;
    dir_ = pattern;
    path_ = dir_ + "/db";
  }
  void TearDown() override {
    fiu_disable(vfs::failpoint::kSync);
    fiu_disable(vfs::failpoint::kWrite);
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  int fill_of(Pager& pager, PageNo pgno) {
    auto page = pager.get(pgno);
    EXPECT_TRUE(page.ok()) << page.status().to_string();
    return page.ok() ? leaf_fill(**page) : -2;
  }

  vfs::PosixVfs vfs_;
  std::string dir_;
  std::string path_;
};

TEST_F(PagerPosix, CommitsSurviveCloseAndReopen) {
  auto pager = open_or_die(vfs_, path_, no_auto_checkpoint());
  ASSERT_NE(pager, nullptr);
  const auto pages = commit_new_leaves(*pager, 3, 0x5C);
  ASSERT_TRUE(pager->close().ok());
  EXPECT_TRUE(std::filesystem::exists(path_ + "-wal"));
  EXPECT_EQ(std::filesystem::file_size(path_), 4u * 512);

  auto reopened = open_or_die(vfs_, path_, no_auto_checkpoint());
  ASSERT_NE(reopened, nullptr);
  for (const PageNo pgno : pages) EXPECT_EQ(fill_of(*reopened, pgno), 0x5C);
  EXPECT_EQ(reopened->recovery_info().txns_replayed, 0u);
}

TEST_F(PagerPosix, APagerDroppedWithoutCloseIsRecoveredFromTheWal) {
  auto pager = open_or_die(vfs_, path_, no_auto_checkpoint());
  ASSERT_NE(pager, nullptr);
  const auto pages = commit_new_leaves(*pager, 2, 1);
  commit_rewrite(*pager, pages, 2);
  pager.reset();
  auto reopened = open_or_die(vfs_, path_, no_auto_checkpoint());
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(fill_of(*reopened, pages[1]), 2);
  EXPECT_EQ(reopened->recovery_info().txns_replayed, 3u);
  EXPECT_TRUE(reopened->recovery_info().checkpoint_redone);
}

TEST_F(PagerPosix, AFailedFdatasyncPutsThePagerInTheFailedState) {
  auto pager = open_or_die(vfs_, path_, no_auto_checkpoint());
  ASSERT_NE(pager, nullptr);
  const auto pages = commit_new_leaves(*pager, 1, 1);
  auto meta = pager->begin();
  ASSERT_TRUE(meta.ok());
  ASSERT_EQ(fiu_enable(vfs::failpoint::kSync, 1, errno_info(EIO), FIU_ONETIME), 0);
  const Status failed = pager->commit(*meta);
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.message(), HasSubstr("sync " + path_ + "-wal"));
  const auto refused = pager->begin();
  ASSERT_EQ(refused.status().code(), vfs::StatusCode::kFailedState);
  EXPECT_THAT(refused.status().message(), HasSubstr("database is in a failed state after: sync " + path_ + "-wal"));
  EXPECT_EQ(fill_of(*pager, pages[0]), 1);
  pager.reset();
  auto reopened = open_or_die(vfs_, path_, no_auto_checkpoint());
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(fill_of(*reopened, pages[0]), 1);
}

TEST_F(PagerPosix, ADiskFullWalWriteIsReportedAndThePagerStaysUsable) {
  auto pager = open_or_die(vfs_, path_, no_auto_checkpoint());
  ASSERT_NE(pager, nullptr);
  const auto pages = commit_new_leaves(*pager, 1, 1);
  auto meta = pager->begin();
  ASSERT_TRUE(meta.ok());
  ASSERT_TRUE(pager->allocate(*meta, PageType::kLeaf).ok());
  ASSERT_EQ(fiu_enable(vfs::failpoint::kWrite, 1, errno_info(ENOSPC), FIU_ONETIME), 0);
  const Status failed = pager->commit(*meta);
  ASSERT_TRUE(failed.is_no_space()) << failed.to_string();
  EXPECT_THAT(failed.message(), HasSubstr("No space left on device"));
  EXPECT_THAT(failed.message(), HasSubstr(path_ + "-wal"));
  commit_rewrite(*pager, pages, 9);
  ASSERT_TRUE(pager->close().ok());
  auto reopened = open_or_die(vfs_, path_, no_auto_checkpoint());
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(fill_of(*reopened, pages[0]), 9);
  EXPECT_EQ(reopened->meta().page_count, 2u);
}

}  // namespace
}  // namespace engine
