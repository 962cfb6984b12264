#include "crashsim/model/rebuild_anchors.h"

#include <gtest/gtest.h>

#include "crashsim/record/recording_vfs.h"
#include "crashsim/test_util.h"
#include "vfs/mem_vfs.h"

namespace crashsim {
namespace {

using testing::write_text;

constexpr uint64_t kChunk = FileContents::kChunkSize;
constexpr uint64_t kFileChunks = 1024;
constexpr uint64_t kWrites = 700;  // so a walk keeps frontiers every RebuildAnchors::kEvery points, thrice
constexpr uint64_t kWritesPerSync = 8;

// One file of kFileChunks chunks, synced, then kWrites small writes, each in
// the next chunk, with a sync every kWritesPerSync: so a frontier shares all
// but the chunks written since another, and the live and durable contents
// differ between syncs.
class RebuildAnchorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto f = rec_.open("db", vfs::OpenMode::kCreate);
    ASSERT_TRUE(f.ok());
    std::unique_ptr<vfs::File> file = std::move(f).value();
    ASSERT_TRUE(rec_.sync_dir(".").ok());
    ASSERT_TRUE(write_text(*file, 0, std::string(kFileChunks * kChunk, '.')).ok());
    ASSERT_TRUE(file->sync().ok());
    for (uint64_t i = 0; i < kWrites; ++i) {
      ASSERT_TRUE(write_text(*file, (i % kFileChunks) * kChunk + i % 100, "write " + std::to_string(i)).ok());
      if (i % kWritesPerSync == kWritesPerSync - 1) {
        ASSERT_TRUE(file->sync().ok());
      }
    }
    trace_ = rec_.trace();
    points_ = trace_.canonical_points();
    ASSERT_GT(points_.size(), 3 * RebuildAnchors::kEvery);
  }

  // Walks the trace over every crash point, as a model run does, handing
  // each frontier to `anchors`.
  void walk(RebuildAnchors& anchors) const {
    TimelineWalker walker(trace_, {});
    for (size_t i = 0; i < points_.size(); ++i) {
      walker.advance_to(points_[i]);
      anchors.visit(i, std::make_shared<const Frontier>(walker.frontier()));
    }
  }

  // Write entries of the trace in [from, to).
  uint64_t writes_between(uint64_t from, uint64_t to) const {
    uint64_t n = 0;
    for (uint64_t i = from; i < to; ++i) n += trace_.ops[i].kind == OpKind::kWrite ? 1 : 0;
    return n;
  }

  vfs::MemVfs mem_;
  RecordingVfs rec_{mem_};
  Trace trace_;
  std::vector<uint64_t> points_;
};

// What a crash state is built from: equal when every model builds the same states.
void expect_same_frontier(const Frontier& rebuilt, const Frontier& walked) {
  EXPECT_EQ(rebuilt.point, walked.point);
  EXPECT_EQ(rebuilt.expect, walked.expect);
  EXPECT_EQ(rebuilt.live_image(), walked.live_image()) << "at point " << walked.point;
  EXPECT_EQ(rebuilt.durable_image(), walked.durable_image()) << "at point " << walked.point;
  EXPECT_EQ(rebuilt.reorderable(), walked.reorderable()) << "at point " << walked.point;
}

// The file's chunks in `rebuilt` that are not the very chunks of `anchor`
// (by identity): what the rebuild wrote, rather than shared.
size_t chunks_written(const Frontier& rebuilt, const Frontier& anchor) {
  const InodeId db = rebuilt.live_names.at("db");
  return rebuilt.inodes.at(db).live.chunks_not_shared_with(anchor.inodes.at(db).live);
}

// A state is rebuilt from the newest frontier kept at or before its point,
// walked forward to that point: the same frontier as the walk took there
// (not one before or after it), sharing every chunk the entries in between
// did not write with the frontier it started from (not replayed from the
// start of the trace, which shares none).
TEST_F(RebuildAnchorsTest, AStateIsRebuiltByWalkingForwardFromTheNewestFrontierBeforeIt) {
  RebuildAnchors anchors;
  walk(anchors);
  // Between the second and the third frontier kept every kEvery points,
  // none of them recent: each rebuild walks up to kEvery - 1 points.
  const size_t first = RebuildAnchors::kEvery;
  const size_t last = 2 * RebuildAnchors::kEvery - 1;
  const std::vector<uint64_t> points(points_.begin() + first, points_.begin() + last + 1);
  const std::vector<Frontier> walked = frontiers_at(trace_, {}, points);
  for (size_t k = 0; k < points.size(); ++k) {
    const uint64_t p = points[k];
    const Frontier* anchor = anchors.nearest(p);
    ASSERT_NE(anchor, nullptr);
    ASSERT_EQ(anchor->point, points_[first]) << "the newest frontier at or before " << p;
    const std::optional<Frontier> rebuilt = anchors.frontier_at(trace_, p);
    ASSERT_TRUE(rebuilt.has_value());
    expect_same_frontier(*rebuilt, walked[k]);
    EXPECT_LE(chunks_written(*rebuilt, *anchor), writes_between(anchor->point, p)) << "at point " << p;
  }
  // The measure can fail: a frontier walked from the start shares nothing.
  EXPECT_EQ(chunks_written(walked.back(), *anchors.nearest(points.back())), kFileChunks);
  // The last points' frontiers are kept as they are: nothing to walk.
  const std::optional<Frontier> recent = anchors.frontier_at(trace_, points_.back());
  ASSERT_TRUE(recent.has_value());
  EXPECT_EQ(chunks_written(*recent, *anchors.nearest(points_.back())), 0u);
}

// No frontier after a point stands in for one before it: once those before
// it are dropped, the state has no frontier to be rebuilt from.
TEST_F(RebuildAnchorsTest, AStateBeforeEveryFrontierKeptHasNone) {
  RebuildAnchors anchors;
  walk(anchors);
  anchors.drop_all_but_newest();
  const size_t newest = (points_.size() - 1) / RebuildAnchors::kEvery * RebuildAnchors::kEvery;
  EXPECT_EQ(anchors.nearest(points_[newest])->point, points_[newest]);
  EXPECT_EQ(anchors.nearest(points_[newest - 1]), nullptr);
  EXPECT_FALSE(anchors.frontier_at(trace_, points_[newest - 1]).has_value());
  const std::optional<Frontier> after = anchors.frontier_at(trace_, points_[newest + 1]);
  ASSERT_TRUE(after.has_value());
  expect_same_frontier(*after, frontiers_at(trace_, {}, {points_[newest + 1]}).front());
  anchors.clear();
  EXPECT_EQ(anchors.nearest(points_.back()), nullptr);
}

}  // namespace
}  // namespace crashsim
