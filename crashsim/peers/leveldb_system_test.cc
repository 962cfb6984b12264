// The LevelDB adapter: it stores what it is given, its Env passes on exactly
// the syncs env_posix.cc would issue, and its background work runs in the
// same order on every run.
#include "crashsim/peers/leveldb_system.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crashsim/peers/leveldb_env.h"
#include "crashsim/peers/peer_test_util.h"
#include "vfs/mem_vfs.h"

namespace crashsim::peers {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using testing::commit_script;
using testing::record;
using testing::sync_lines;

// Enough 40-byte values to fill a 64 KiB memtable a few times over.
std::vector<Step> filling_script() { return commit_script(900); }

LeveldbOptions small_memtable(bool sync) {
  LeveldbOptions o;
  o.sync = sync;
  o.write_buffer_size = 64 * 1024;
  return o;
}

TEST(LeveldbSystem, StoresBinaryKeysAndValuesAcrossAReopen) {
  vfs::MemVfs mem;
  LeveldbSystem sut(LeveldbOptions{.sync = true});
  std::vector<std::string> created_paths;
  std::unique_ptr<SutSession> session;
  ASSERT_NO_FATAL_FAILURE(testing::round_trip_across_a_reopen(sut, mem, created_paths, session));
  EXPECT_THAT(created_paths, Contains("database-created"));
  EXPECT_THAT(session->recovery_paths(), Contains("log-replayed"));
  EXPECT_EQ(session->checkpoint().code(), vfs::StatusCode::kNotSupported);
  EXPECT_TRUE(session->close().ok());
}

// The database directory is the Vfs root; its files sit there.
TEST(LeveldbSystem, KeepsItsFilesInTheRoot) {
  vfs::MemVfs mem;
  LeveldbSystem sut(LeveldbOptions{.sync = true});
  auto session = sut.open(mem);
  ASSERT_TRUE(session.ok()) << session.status().to_string();
  ASSERT_TRUE((*session)->close().ok());
  auto names = mem.list_dir(".");
  ASSERT_TRUE(names.ok());
  EXPECT_THAT(*names, Contains("CURRENT"));
  EXPECT_THAT(*names, Contains("LOCK"));
}

// env_posix.cc syncs a directory only in SyncDirIfManifest, right before a
// MANIFEST file's own sync; sync=true syncs the log after every write.
TEST(VfsEnv, SyncsTheDirectoryOnlyBeforeSyncingAManifest) {
  LeveldbSystem sut(small_memtable(true));
  const std::vector<std::string> lines = sync_lines(record(sut, filling_script()).trace);
  size_t manifest_syncs = 0, log_syncs = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].starts_with("sync MANIFEST-")) {
      ++manifest_syncs;
      ASSERT_GT(i, 0u);
      EXPECT_EQ(lines[i - 1], "sync-dir .");
    }
    if (lines[i] == "sync-dir .") {
      ASSERT_LT(i + 1, lines.size());
      EXPECT_TRUE(lines[i + 1].starts_with("sync MANIFEST-")) << lines[i + 1];
    }
    if (lines[i].starts_with("sync ") && lines[i].ends_with(".log")) ++log_syncs;
  }
  EXPECT_GE(manifest_syncs, 3u);  // open, and one per memtable flush at least
  EXPECT_GE(log_syncs, 900u);
}

TEST(VfsEnv, WithoutSyncTheLogIsNeverSynced) {
  LeveldbSystem sut(small_memtable(false));
  for (const std::string& l : sync_lines(record(sut, filling_script()).trace))
    EXPECT_FALSE(l.starts_with("sync ") && l.ends_with(".log")) << l;
}

// Background compactions run on the adapter's thread between calls: the
// same workload gives the same trace, byte for byte, and the memtable
// flushes really happen (table files are written).
TEST(VfsEnv, BackgroundWorkRunsInTheSameOrderOnEveryRun) {
  LeveldbSystem sut(small_memtable(true));
  const Trace a = record(sut, filling_script()).trace;
  const Trace b = record(sut, filling_script()).trace;
  ASSERT_EQ(a.ops.size(), b.ops.size());
  bool wrote_table = false;
  for (size_t i = 0; i < a.ops.size(); ++i) {
    ASSERT_EQ(a.ops[i].kind, b.ops[i].kind) << i;
    ASSERT_EQ(a.ops[i].path, b.ops[i].path) << i;
    ASSERT_EQ(a.ops[i].offset, b.ops[i].offset) << i;
    ASSERT_EQ(a.ops[i].length(), b.ops[i].length()) << i;
    if (a.ops[i].data) {
      ASSERT_TRUE(*a.ops[i].data == *b.ops[i].data) << i;
    }
    wrote_table = wrote_table || (a.ops[i].kind == OpKind::kCreate && a.ops[i].path.ends_with(".ldb"));
  }
  EXPECT_TRUE(wrote_table);
}

TEST(VfsEnv, RefusesPathsOutsideTheDatabaseDirectory) {
  vfs::MemVfs mem;
  VfsEnv env(mem, "db");
  leveldb::WritableFile* file = nullptr;
  const leveldb::Status s = env.NewWritableFile("elsewhere/x", &file);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("elsewhere/x"));
  EXPECT_EQ(file, nullptr);
}

TEST(LeveldbSystem, NamesItsSettings) {
  EXPECT_EQ(LeveldbSystem(LeveldbOptions{.sync = true}).name(), "leveldb[sync]");
  EXPECT_EQ(LeveldbSystem(small_memtable(false)).name(), "leveldb[no-sync,write_buffer_size=65536]");
}

}  // namespace
}  // namespace crashsim::peers
