// Options::read_only: an open that shows what recovery would find and never
// changes a byte. Each test takes a crash state (a snapshot of the files
// while a Db is still open, so the WAL holds commits no checkpoint copied),
// opens it read-only, and compares every file with the snapshot afterwards.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/db.h"
#include "engine/tree_test_util.h"
#include "vfs/mem_vfs.h"

namespace engine {
namespace {

using testing::NumberedKey;
using testing::OpenOrDie;
using testing::Problems;
using testing::ScanAll;
using testing::SmallOptions;

using Files = std::map<std::string, std::vector<uint8_t>>;

Files contents(const vfs::MemVfs& vfs) {
  Files out;
  for (const auto& [path, bytes] : vfs.snapshot()) out[path] = *bytes;
  return out;
}

void install(const Files& files, vfs::MemVfs& vfs) {
  for (const auto& [path, bytes] : files) vfs.install_file(path, std::make_shared<const vfs::Bytes>(bytes));
}

// No automatic checkpoint: every commit stays in the WAL only.
Options WalOnlyOptions() {
  Options options = SmallOptions(512);
  options.checkpoint_every_commits = 0;
  options.checkpoint_wal_bytes = 0;
  return options;
}

Options ReadOnly() {
  Options options;
  options.read_only = true;
  return options;
}

// The files as a power loss would leave them after `keys` single-key commits
// on top of a checkpointed first half: the second half lives only in the WAL.
Files CrashStateWithWalCommits(int keys) {
  vfs::MemVfs vfs;
  auto db = OpenOrDie(vfs, "db", WalOnlyOptions());
  for (int i = 0; i < keys; ++i) {
    EXPECT_TRUE(db->put(NumberedKey(i), "v" + std::to_string(i)).ok());
    if (i == keys / 2) {
      EXPECT_TRUE(db->checkpoint().ok());
    }
  }
  return contents(vfs);  // taken before close() checkpoints
}

TEST(ReadOnlyOpen, SeesWhatRecoveryWouldAndLeavesEveryByteAsFound) {
  const Files crash = CrashStateWithWalCommits(40);
  vfs::MemVfs recovered;
  install(crash, recovered);
  auto normal = OpenOrDie(recovered, "db", Options{});
  ASSERT_TRUE(normal);
  const auto expected = ScanAll(*normal);
  ASSERT_EQ(expected.size(), 40u);

  vfs::MemVfs vfs;
  install(crash, vfs);
  auto db = Db::open(vfs, "db", ReadOnly());
  ASSERT_TRUE(db.ok()) << db.status().to_string();
  EXPECT_EQ(ScanAll(**db), expected);
  std::string value;
  ASSERT_TRUE((*db)->get(NumberedKey(39), &value).ok());
  EXPECT_EQ(value, "v39");
  EXPECT_EQ(Problems(**db), std::vector<std::string>{});
  auto stats = (*db)->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_GT(stats->recovery.txns_replayed, 0u);
  EXPECT_FALSE(stats->recovery.checkpoint_redone) << "a read-only open must not checkpoint";

  const Status put = (*db)->put("new", "value");
  EXPECT_EQ(put.code(), vfs::StatusCode::kInvalidArgument);
  EXPECT_NE(put.message().find("read-only"), std::string::npos) << put.message();
  EXPECT_EQ((*db)->checkpoint().code(), vfs::StatusCode::kInvalidArgument);
  EXPECT_TRUE((*db)->close().ok());
  EXPECT_EQ(contents(vfs), crash);
  EXPECT_EQ(vfs.sync_count(), 0u);
}

TEST(ReadOnlyOpen, AMissingWalReadsAsEmptyAndIsNotCreated) {
  vfs::MemVfs vfs;
  {
    auto db = OpenOrDie(vfs, "db", SmallOptions(512));
    ASSERT_TRUE(db->put("k", "v").ok());
    ASSERT_TRUE(db->close().ok());  // checkpointed: the data file holds everything
  }
  ASSERT_TRUE(vfs.remove("db-wal").ok());
  const Files before = contents(vfs);
  auto db = Db::open(vfs, "db", ReadOnly());
  ASSERT_TRUE(db.ok()) << db.status().to_string();
  std::string value;
  ASSERT_TRUE((*db)->get("k", &value).ok());
  EXPECT_EQ(value, "v");
  EXPECT_TRUE((*db)->close().ok());
  EXPECT_FALSE(*vfs.exists("db-wal"));
  EXPECT_EQ(contents(vfs), before);
}

TEST(ReadOnlyOpen, RefusesWhatIsNoDatabaseWithoutCreatingAnything) {
  struct Case {
    const char* what;
    Files files;
  };
  const std::vector<Case> cases = {
      {"a missing database", {}},
      {"an empty file", {{"db", {}}}},
      {"a file that is not a database", {{"db", std::vector<uint8_t>(2000, 'x')}}},
      {"an empty file and an empty WAL", {{"db", {}}, {"db-wal", {}}}},
  };
  for (const Case& c : cases) {
    vfs::MemVfs vfs;
    install(c.files, vfs);
    auto db = Db::open(vfs, "db", ReadOnly());
    EXPECT_FALSE(db.ok()) << c.what;
    EXPECT_NE(db.status().message().find("db"), std::string::npos) << db.status().message();
    EXPECT_EQ(db.status().message().find("create_if_missing"), std::string::npos) << db.status().message();
    EXPECT_EQ(contents(vfs), c.files) << c.what << ": " << db.status().to_string();
  }
}

TEST(ReadOnlyOpen, ATruncatedDatabaseWithoutAWalIsReportedNotRepaired) {
  vfs::MemVfs vfs;
  {
    auto db = OpenOrDie(vfs, "db", SmallOptions(512));
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(db->put(NumberedKey(i), std::string(40, 'v')).ok());
    ASSERT_TRUE(db->close().ok());
  }
  ASSERT_TRUE(vfs.remove("db-wal").ok());
  auto data = vfs.open("db", vfs::OpenMode::kMustExist);
  ASSERT_TRUE(data.ok());
  ASSERT_TRUE((*data)->truncate(3 * 512).ok());
  const Files before = contents(vfs);
  auto db = Db::open(vfs, "db", ReadOnly());
  if (db.ok()) {
    EXPECT_FALSE(Problems(**db).empty()) << "the truncated pages must show";
    EXPECT_TRUE((*db)->close().ok());
  }
  EXPECT_EQ(contents(vfs), before);
}

}  // namespace
}  // namespace engine
