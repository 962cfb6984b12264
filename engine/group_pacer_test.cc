#include "engine/group_pacer.h"

#include <gtest/gtest.h>

namespace engine {
namespace {

using std::chrono::microseconds;

TEST(GroupPacer, AFirstLeaderDoesNotWait) {
  const GroupPacer pacer;
  EXPECT_EQ(pacer.writers_expected(256), 1u);
  EXPECT_EQ(pacer.patience(), microseconds(0));
}

TEST(GroupPacer, ALeaderWaitsForTheWholeLastRound) {
  GroupPacer pacer;
  // Two cohorts of four: a group of 4 left 4 queued behind it.
  pacer.group_done(4, 4, microseconds(200));
  EXPECT_EQ(pacer.writers_expected(256), 8u);
  EXPECT_EQ(pacer.patience(), microseconds(100));
}

TEST(GroupPacer, AWriterAloneNeverWaits) {
  GroupPacer pacer;
  for (int i = 0; i < 3; ++i) pacer.group_done(1, 0, microseconds(150));
  EXPECT_EQ(pacer.writers_expected(256), 1u);
}

TEST(GroupPacer, AWriterThatStoppedIsWaitedForOneRoundAtMost) {
  GroupPacer pacer;
  pacer.group_done(8, 0, microseconds(300));
  EXPECT_EQ(pacer.writers_expected(256), 8u);
  // One writer went away: the group that waited in vain holds 7, and the
  // next leader expects 7.
  pacer.group_done(7, 0, microseconds(300));
  EXPECT_EQ(pacer.writers_expected(256), 7u);
}

TEST(GroupPacer, NoMoreThanAGroupHolds) {
  GroupPacer pacer;
  pacer.group_done(200, 100, microseconds(400));
  EXPECT_EQ(pacer.writers_expected(256), 256u);
}

}  // namespace
}  // namespace engine
