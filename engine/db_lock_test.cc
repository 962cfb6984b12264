// One writer, or any number of read-only openers, at a time (Options::lock_wait_ms,
// Pager::open): the lock on the data file, taken through the Vfs.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include "engine/db.h"
#include "engine/tree_test_util.h"
#include "vfs/mem_vfs.h"
#include "vfs/posix_vfs.h"

namespace engine {
namespace {

using testing::OpenOrDie;

std::string value_of(Db& db, std::string_view key) {
  std::string value;
  const Status s = db.get(key, &value);
  return s.ok() ? value : s.to_string();
}

Options read_only() {
  Options o;
  o.read_only = true;
  return o;
}

TEST(DbLock, ASecondWriterIsRefusedWithBusyNamingTheFile) {
  vfs::MemVfs vfs;
  auto first = OpenOrDie(vfs, "db", Options{});
  ASSERT_TRUE(first->put("k", "v").ok());
  const auto second = Db::open(vfs, "db", Options{});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), vfs::StatusCode::kBusy);
  EXPECT_EQ(second.status().message().rfind("open db: lock db: the file is in use", 0), 0u)
      << second.status().message();
  // Refused before it read or wrote anything: the first writer goes on.
  ASSERT_TRUE(first->put("k2", "v2").ok());
  ASSERT_TRUE(first->close().ok());
  auto third = OpenOrDie(vfs, "db", Options{});
  EXPECT_EQ(value_of(*third, "k2"), "v2");
}

TEST(DbLock, ReadersShareTheFileButNotWithAWriter) {
  vfs::MemVfs vfs;
  ASSERT_TRUE(OpenOrDie(vfs, "db", Options{})->put("k", "v").ok());
  auto r1 = Db::open(vfs, "db", read_only());
  auto r2 = Db::open(vfs, "db", read_only());
  ASSERT_TRUE(r1.ok() && r2.ok()) << r1.status().to_string() << " " << r2.status().to_string();
  EXPECT_EQ(value_of(**r1, "k"), "v");
  const auto writer = Db::open(vfs, "db", Options{});
  EXPECT_EQ(writer.status().code(), vfs::StatusCode::kBusy);
  ASSERT_TRUE((*r1)->close().ok());
  ASSERT_TRUE((*r2)->close().ok());
  auto w = OpenOrDie(vfs, "db", Options{});
  EXPECT_EQ(Db::open(vfs, "db", read_only()).status().code(), vfs::StatusCode::kBusy);
}

TEST(DbLock, ACreationHoldsTheLockFromTheFirstByte) {
  vfs::MemVfs vfs;
  auto creator = OpenOrDie(vfs, "fresh", Options{});
  EXPECT_EQ(Db::open(vfs, "fresh", Options{}).status().code(), vfs::StatusCode::kBusy);
}

TEST(DbLock, AWaitingOpenerGetsTheLockWhenTheHolderCloses) {
  vfs::MemVfs vfs;
  auto holder = OpenOrDie(vfs, "db", Options{});
  std::thread closer([&holder] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(holder->close().ok());
  });
  Options patient;
  patient.lock_wait_ms = 10000;
  auto waited = Db::open(vfs, "db", patient);
  closer.join();
  EXPECT_TRUE(waited.ok()) << waited.status().to_string();
}

TEST(DbLock, AWaitThatRunsOutSaysHowLongItWaited) {
  vfs::MemVfs vfs;
  auto holder = OpenOrDie(vfs, "db", Options{});
  Options brief;
  brief.lock_wait_ms = 20;
  const auto refused = Db::open(vfs, "db", brief);
  ASSERT_EQ(refused.status().code(), vfs::StatusCode::kBusy);
  EXPECT_NE(refused.status().message().find("after waiting 20 ms"), std::string::npos) << refused.status().message();
}

// The OS drops a dead process's locks; a database a crashed writer held opens again.
TEST(DbLock, ACrashedWritersLockGoesWithItsProcess) {
  const std::string dir = ::testing::TempDir() + "db_lock_test_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/db";
  vfs::PosixVfs vfs;
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto db = Db::open(vfs, path, Options{});
    const char c = db.ok() && (*db)->put("k", "v").ok() ? 'y' : 'n';
    if (::write(ready[1], &c, 1) != 1) ::_exit(2);
    ::pause();  // killed while it holds the database
    ::_exit(0);
  }
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ASSERT_EQ(c, 'y');
  EXPECT_EQ(Db::open(vfs, path, Options{}).status().code(), vfs::StatusCode::kBusy);
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  auto after = Db::open(vfs, path, Options{});
  ASSERT_TRUE(after.ok()) << after.status().to_string();
  EXPECT_EQ(value_of(**after, "k"), "v");
  ASSERT_TRUE((*after)->close().ok());
  ::close(ready[0]);
  ::close(ready[1]);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace engine
