// The SQLite adapter: it stores what it is given, and its VFS shim passes on
// exactly the syncs and directory syncs SQLite's unix VFS would issue.
#include "crashsim/peers/sqlite_system.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "crashsim/peers/peer_test_util.h"
#include "vfs/mem_vfs.h"

namespace crashsim::peers {
namespace {

using testing::commit_script;
using testing::record;
using testing::sync_lines;
using JournalMode = SqliteOptions::JournalMode;
using Synchronous = SqliteOptions::Synchronous;

SqliteOptions options(JournalMode mode, Synchronous sync) {
  SqliteOptions o;
  o.journal_mode = mode;
  o.synchronous = sync;
  return o;
}

// The lines that follow each occurrence of `line`, up to the next one.
std::vector<std::vector<std::string>> after_each(const std::vector<std::string>& lines, const std::string& line) {
  std::vector<std::vector<std::string>> out;
  for (const std::string& l : lines) {
    if (l == line) {
      out.emplace_back();
    } else if (!out.empty()) {
      out.back().push_back(l);
    }
  }
  return out;
}

TEST(SqliteSystem, StoresBinaryKeysAndValuesAcrossAReopen) {
  vfs::MemVfs mem;
  SqliteSystem sut(options(JournalMode::kWal, Synchronous::kFull));
  std::vector<std::string> created_paths;
  std::unique_ptr<SutSession> session;
  ASSERT_NO_FATAL_FAILURE(testing::round_trip_across_a_reopen(sut, mem, created_paths, session));
  EXPECT_TRUE(session->checkpoint().ok());
  EXPECT_TRUE(session->close().ok());
}

TEST(SqliteSystem, RollbackModesHaveNoCheckpoint) {
  vfs::MemVfs mem;
  SqliteSystem sut(options(JournalMode::kDelete, Synchronous::kFull));
  auto session = sut.open(mem);
  ASSERT_TRUE(session.ok()) << session.status().to_string();
  EXPECT_EQ((*session)->checkpoint().code(), vfs::StatusCode::kNotSupported);
  EXPECT_TRUE((*session)->close().ok());
}

// unixOpen owes a directory sync for a journal it creates, paid after the
// journal's first sync; synchronous=EXTRA passes dirSync to xDelete.
TEST(SqliteVfsShim, SyncsTheDirectoryAfterTheFirstSyncOfANewJournalAndAfterItsDeleteOnlyUnderExtra) {
  for (Synchronous sync : {Synchronous::kFull, Synchronous::kExtra}) {
    SCOPED_TRACE(std::string(synchronous_name(sync)));
    SqliteSystem sut(options(JournalMode::kDelete, sync));
    const std::vector<std::string> lines = sync_lines(record(sut, commit_script(3)).trace);
    const auto journals = after_each(lines, "create db-journal");
    ASSERT_GE(journals.size(), 3u);
    for (const auto& after : journals) {
      ASSERT_GE(after.size(), 2u);
      EXPECT_EQ(after[0], "sync db-journal");
      EXPECT_EQ(after[1], "sync-dir .");
    }
    size_t removals = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
      if (lines[i] != "remove db-journal") continue;
      ++removals;
      const bool dir_synced = i + 1 < lines.size() && lines[i + 1] == "sync-dir .";
      EXPECT_EQ(dir_synced, sync == Synchronous::kExtra) << "removal #" << removals;
    }
    EXPECT_GE(removals, 3u);
  }
}

TEST(SqliteVfsShim, SyncsTheDirectoryOnceAfterCreatingTheWal) {
  SqliteSystem sut(options(JournalMode::kWal, Synchronous::kFull));
  const std::vector<std::string> lines = sync_lines(record(sut, commit_script(4)).trace);
  const auto wals = after_each(lines, "create db-wal");
  ASSERT_EQ(wals.size(), 1u);
  ASSERT_GE(wals[0].size(), 2u);
  EXPECT_EQ(wals[0][0], "sync db-wal");
  EXPECT_EQ(wals[0][1], "sync-dir .");
  // Once: the WAL is created once and kept until the connection closes.
  const auto from_wal = std::find(lines.begin(), lines.end(), "create db-wal");
  EXPECT_EQ(std::count(from_wal, lines.end(), "sync-dir ."), 1) << ::testing::PrintToString(lines);
}

TEST(SqliteVfsShim, SynchronousOffNeverSyncs) {
  SqliteSystem sut(options(JournalMode::kDelete, Synchronous::kOff));
  const std::vector<std::string> lines = sync_lines(record(sut, commit_script(3)).trace);
  for (const std::string& l : lines) EXPECT_FALSE(l.starts_with("sync")) << l;
}

TEST(SqliteSystem, ReportsCorruptionOfItsFileAsCorruption) {
  vfs::MemVfs mem;
  {
    auto file = mem.open("db", vfs::OpenMode::kCreate);
    ASSERT_TRUE(file.ok());
    const std::string garbage(8192, '\x5a');
    ASSERT_TRUE((*file)->write_at(0, {reinterpret_cast<const uint8_t*>(garbage.data()), garbage.size()}).ok());
  }
  SqliteSystem sut(options(JournalMode::kWal, Synchronous::kFull));
  auto session = sut.open(mem);
  ASSERT_FALSE(session.ok());
  EXPECT_TRUE(session.status().is_corruption()) << session.status().to_string();
  EXPECT_THAT(session.status().message(), ::testing::HasSubstr("not a database"));
}

TEST(SqliteSystem, NamesItsSettings) {
  EXPECT_EQ(SqliteSystem(options(JournalMode::kWal, Synchronous::kNormal)).name(), "sqlite[wal,normal]");
  SqliteOptions o;
  o.page_size = 1024;
  EXPECT_EQ(SqliteSystem(o).name(), "sqlite[delete,full,page_size=1024]");
}

}  // namespace
}  // namespace crashsim::peers
