#include "crashsim/check/read_tracking_vfs.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "vfs/mem_vfs.h"

namespace crashsim {
namespace {

std::vector<uint8_t> read(vfs::File& f, uint64_t offset, size_t length) {
  std::vector<uint8_t> buf(length);
  auto got = f.read_at(offset, buf);
  EXPECT_TRUE(got.ok()) << got.status().to_string();
  return buf;
}

// Each ranges() entry as a {begin, end} pair, for comparing.
std::vector<std::pair<uint64_t, uint64_t>> ranges(const std::map<std::string, ByteRanges>& reads,
                                                  const std::string& path) {
  const auto it = reads.find(path);
  if (it == reads.end()) return {};
  return {it->second.ranges().begin(), it->second.ranges().end()};
}

TEST(ReadTrackingVfs, ReadsOfRewrittenBytesAreNotReadsOfTheCrashState) {
  vfs::MemVfs mem;
  mem.install_file("db", std::make_shared<const vfs::Bytes>(100, uint8_t{7}));
  ReadTrackingVfs tracked(mem);
  auto file = tracked.open("db", vfs::OpenMode::kMustExist);
  ASSERT_TRUE(file.ok());
  read(**file, 0, 10);
  const std::vector<uint8_t> fresh(20, uint8_t{1});
  ASSERT_TRUE((*file)->write_at(30, fresh).ok());
  read(**file, 20, 40);  // 20..30 and 50..60 as the crash state left them; 30..50 rewritten
  ASSERT_TRUE((*file)->truncate(80).ok());
  read(**file, 70, 10);  // below the truncation: still the crash state's bytes

  using Spans = std::vector<std::pair<uint64_t, uint64_t>>;
  EXPECT_EQ(ranges(tracked.reads(), "db"), (Spans{{0, 10}, {20, 60}, {70, 80}}));
  EXPECT_EQ(ranges(tracked.state_reads(), "db"), (Spans{{0, 10}, {20, 30}, {50, 60}, {70, 80}}));
}

TEST(ReadTrackingVfs, AFileRemovedOrRenamedNoLongerHoldsTheCrashState) {
  vfs::MemVfs mem;
  mem.install_file("a", std::make_shared<const vfs::Bytes>(10, uint8_t{1}));
  mem.install_file("b", std::make_shared<const vfs::Bytes>(10, uint8_t{2}));
  ReadTrackingVfs tracked(mem);
  ASSERT_TRUE(tracked.rename("a", "b").ok());
  auto file = tracked.open("b", vfs::OpenMode::kMustExist);
  ASSERT_TRUE(file.ok());
  read(**file, 0, 10);
  EXPECT_FALSE(tracked.reads().at("b").empty());
  EXPECT_TRUE(ranges(tracked.state_reads(), "b").empty());
}

}  // namespace
}  // namespace crashsim
