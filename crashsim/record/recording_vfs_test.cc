#include "crashsim/record/recording_vfs.h"

#include <gtest/gtest.h>

#include "crashsim/test_util.h"
#include "vfs/mem_vfs.h"

namespace crashsim {
namespace {

using testing::bytes_of;
using testing::contents_of;
using testing::write_text;

std::vector<std::string> described(const Trace& trace) {
  std::vector<std::string> out;
  for (const Op& op : trace.ops) out.push_back(describe_op(op));
  return out;
}

TEST(RecordingVfsTest, AKilledProcessChangesNothingUntilRestarted) {
  vfs::MemVfs mem;
  RecordingVfs rec(mem);
  auto file = rec.open("db", vfs::OpenMode::kCreate);
  ASSERT_TRUE(file.ok() && write_text(**file, 0, "hello").ok());
  rec.kill_process();
  const vfs::Status refused = write_text(**file, 0, "HELLO");
  EXPECT_EQ(refused.code(), vfs::StatusCode::kIoError);
  EXPECT_NE(refused.message().find("the process has crashed"), std::string::npos) << refused.to_string();
  EXPECT_FALSE((*file)->sync().ok());
  EXPECT_FALSE((*file)->truncate(0).ok());
  EXPECT_FALSE(rec.open("other", vfs::OpenMode::kCreate).ok());
  EXPECT_FALSE(rec.sync_dir(".").ok());
  EXPECT_FALSE(rec.remove("db").ok());
  uint8_t buf[5];
  EXPECT_TRUE((*file)->read_at(0, buf).ok());  // reads change nothing
  file->reset();
  rec.restart_process();
  EXPECT_EQ(described(rec.trace()), (std::vector<std::string>{"create db", "write db @0 +5"}));
  auto again = rec.open("db", vfs::OpenMode::kMustExist);
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(write_text(**again, 5, "!").ok());
  EXPECT_EQ(rec.trace().ops.size(), 3u);
}

TEST(RecordingVfsTest, RecordsMutatingCallsInOrderAndNotReads) {
  vfs::MemVfs mem;
  RecordingVfs rec(mem);
  auto file = rec.open("db", vfs::OpenMode::kCreate);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(write_text(**file, 0, "hello").ok());
  uint8_t buf[5];
  ASSERT_TRUE((*file)->read_at(0, buf).ok());
  ASSERT_TRUE((*file)->size().ok());
  ASSERT_TRUE((*file)->sync().ok());
  ASSERT_TRUE((*file)->truncate(2).ok());
  ASSERT_TRUE(rec.sync_dir(".").ok());
  ASSERT_TRUE(rec.create_dir("d").ok());
  ASSERT_TRUE(rec.create_dir("d").ok());  // exists already: nothing to record
  ASSERT_TRUE(rec.rename("db", "d/db").ok());
  ASSERT_TRUE(rec.exists("d/db").ok());
  ASSERT_TRUE(rec.remove("d/db").ok());
  rec.mark(OpKind::kCommitAcked, 3);
  EXPECT_EQ(described(rec.trace()),
            (std::vector<std::string>{"create db", "write db @0 +5", "sync db", "truncate db to 2", "sync-dir .",
                                      "mkdir d", "rename db -> d/db", "remove d/db", "commit-acked txn 3"}));
  EXPECT_EQ(rec.trace().ops[1].inode, rec.trace().ops[0].inode);
}

TEST(RecordingVfsTest, EachDistinctPayloadIsStoredOnce) {
  vfs::MemVfs mem;
  RecordingVfs rec(mem);
  for (const char* path : {"a", "b"}) {
    auto created = rec.open(path, vfs::OpenMode::kCreate);
    ASSERT_TRUE(created.ok() && write_text(**created, 0, "page").ok());
  }
  auto again = rec.open("a", vfs::OpenMode::kMustExist);
  ASSERT_TRUE(again.ok() && write_text(**again, 4, "PAGE").ok());
  const Trace trace = rec.trace();
  ASSERT_EQ(trace.ops.size(), 5u);  // create a, write a, create b, write b, write a
  EXPECT_EQ(trace.ops[1].data, trace.ops[3].data);
  EXPECT_NE(trace.ops[1].data, trace.ops[4].data);
  EXPECT_EQ(testing::text_of(*trace.ops[4].data), "PAGE");
}

TEST(RecordingVfsTest, FailedCallsAreNotRecorded) {
  vfs::MemVfs mem;
  RecordingVfs rec(mem);
  EXPECT_FALSE(rec.open("missing", vfs::OpenMode::kMustExist).ok());
  EXPECT_FALSE(rec.remove("missing").ok());
  EXPECT_FALSE(rec.rename("missing", "other").ok());
  EXPECT_TRUE(rec.trace().ops.empty());
}

TEST(RecordingVfsTest, AHandleKeepsItsInodeAcrossRename) {
  vfs::MemVfs mem;
  RecordingVfs rec(mem);
  auto file = rec.open("a", vfs::OpenMode::kCreate);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(rec.rename("a", "b").ok());
  ASSERT_TRUE(write_text(**file, 0, "x").ok());
  auto again = rec.open("b", vfs::OpenMode::kCreate);  // exists: no create recorded
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(write_text(**again, 1, "y").ok());
  const Trace t = rec.trace();
  ASSERT_EQ(t.ops.size(), 4u);
  EXPECT_EQ(t.ops[2].inode, t.ops[0].inode);
  EXPECT_EQ(t.ops[3].inode, t.ops[0].inode);
}

TEST(RecordingVfsTest, InitialFilesGetInodesInPathOrderAndUnknownFilesAreRefused) {
  vfs::MemVfs mem;
  mem.install_file("b", bytes_of("B"));
  mem.install_file("a", bytes_of("A"));
  mem.install_file("stray", bytes_of("?"));
  DiskImage initial;
  initial.files["a"] = contents_of("A");
  initial.files["b"] = contents_of("B");
  RecordingVfs rec(mem, initial);
  auto b = rec.open("b", vfs::OpenMode::kMustExist);
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE((*b)->sync().ok());
  EXPECT_EQ(rec.trace().ops[0].inode, 2u);
  EXPECT_EQ(rec.trace().initial, initial);
  const auto stray = rec.open("stray", vfs::OpenMode::kMustExist);
  ASSERT_FALSE(stray.ok());
  EXPECT_EQ(stray.status().code(), vfs::StatusCode::kFailedState);
}

}  // namespace
}  // namespace crashsim
