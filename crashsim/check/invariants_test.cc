#include "crashsim/check/invariants.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace crashsim {
namespace {

using ::testing::HasSubstr;

KvOp put(std::string k, std::string v) { return {KvOp::Kind::kPut, std::move(k), std::move(v)}; }
KvOp del(std::string k) { return {KvOp::Kind::kDelete, std::move(k), {}}; }

// txn 0: a=1 b=1; txn 1: a=2 c=1; txn 2: del b, d=1
Oracle three_txns() { return Oracle({{put("a", "1"), put("b", "1")}, {put("a", "2"), put("c", "1")}, {del("b"), put("d", "1")}}); }

std::vector<std::string> names(const std::vector<Finding>& fs) {
  std::vector<std::string> out;
  for (const Finding& f : fs) out.push_back(f.invariant);
  return out;
}

TEST(OracleTest, PrefixStatesKeyByKey) {
  const Oracle o = three_txns();
  EXPECT_EQ(o.state_after(0), KvState{});
  EXPECT_EQ(o.state_after(2), (KvState{{"a", "2"}, {"b", "1"}, {"c", "1"}}));
  EXPECT_EQ(o.value_after(3, "b"), std::nullopt);
  EXPECT_EQ(o.value_after(1, "a"), "1");
  const KvState s3 = o.state_after(3);
  EXPECT_TRUE(o.matches(s3, Oracle::state_hash(s3), 3));
  EXPECT_FALSE(o.matches(s3, Oracle::state_hash(s3), 2));
  EXPECT_EQ(o.size_after(3), 3u);
}

TEST(OracleTest, FromStepsDropsTheUncommittedTail) {
  const Oracle o = Oracle::from_steps({{StepKind::kPut, "a", "1"}, {StepKind::kCommit, {}, {}},
                                       {StepKind::kGet, "a", {}}, {StepKind::kCommit, {}, {}},
                                       {StepKind::kPut, "b", "never"}});
  EXPECT_EQ(o.txn_count(), 2u);
  EXPECT_TRUE(o.txn(1).empty());
  EXPECT_EQ(o.state_after(2), (KvState{{"a", "1"}}));
}

TEST(JudgeTest, AcknowledgedStateAndTheInFlightOneAreAllowed) {
  const Oracle o = three_txns();
  EXPECT_TRUE(judge_visible_state(o, {2, false}, o.state_after(2)).empty());
  EXPECT_TRUE(judge_visible_state(o, {2, true}, o.state_after(2)).empty());
  EXPECT_TRUE(judge_visible_state(o, {2, true}, o.state_after(3)).empty());
  EXPECT_FALSE(judge_visible_state(o, {2, false}, o.state_after(3)).empty());
}

TEST(JudgeTest, ALostAcknowledgedSuffixIsDurability) {
  const Oracle o = three_txns();
  const auto fs = judge_visible_state(o, {3, false}, o.state_after(1));
  ASSERT_EQ(names(fs), std::vector<std::string>{"durability"});
  EXPECT_THAT(fs[0].message, HasSubstr("transactions 1..2"));
  EXPECT_EQ(fs[0].expected, "key \"a\" = \"2\" (from transaction 1)");
  EXPECT_EQ(fs[0].observed, "key \"a\" = \"1\"");
  EXPECT_EQ(fs[0].keys, std::vector<std::string>{"a"});
}

TEST(JudgeTest, APartlyVisibleTransactionIsAtomicity) {
  const Oracle o = three_txns();
  // txn 1 half applied: a=2 but no c.
  const auto fs = judge_visible_state(o, {1, true}, {{"a", "2"}, {"b", "1"}});
  ASSERT_EQ(names(fs), std::vector<std::string>{"atomicity"});
  EXPECT_THAT(fs[0].message, HasSubstr("transaction 1 is partly visible"));
  EXPECT_EQ(fs[0].observed, "key \"c\" absent");
  // The key that shows the transaction applied, then the one that does not.
  EXPECT_EQ(fs[0].keys, (std::vector<std::string>{"a", "c"}));
}

TEST(JudgeTest, ALaterTransactionWithoutAnEarlierOneIsOrderingAndDurability) {
  const Oracle o = three_txns();
  // txn 2 applied (b gone, d=1) but txn 1 not (a=1, no c).
  const auto fs = judge_visible_state(o, {3, false}, {{"a", "1"}, {"d", "1"}});
  EXPECT_EQ(names(fs), (std::vector<std::string>{"ordering", "durability"}));
  EXPECT_THAT(fs[0].message, HasSubstr("transaction 2 is visible"));
  EXPECT_THAT(fs[0].message, HasSubstr("earlier transaction 1 is not"));
  EXPECT_EQ(fs[1].keys.back(), fs[0].keys.back()) << "durability names the key ordering found missing";
}

TEST(JudgeTest, AValueNoTransactionWroteIsAtomicity) {
  const Oracle o = three_txns();
  KvState s = o.state_after(3);
  s["a"] = "garbage";
  const auto fs = judge_visible_state(o, {3, false}, s);
  ASSERT_FALSE(fs.empty());
  EXPECT_EQ(fs[0].invariant, "atomicity");
  EXPECT_EQ(fs[0].observed, "key \"a\" = \"garbage\"");
  EXPECT_EQ(fs[0].keys, std::vector<std::string>{"a"});
}

std::vector<std::string> names(const MediaJudgement& j) { return names(j.findings); }

// The old lenient rule accepted any prefix under a media fault: losing every
// acknowledged commit without an error passed. Now only what the crash point
// allows passes, exactly as without the fault.
TEST(MediaJudgeTest, OnlyWhatTheCrashPointAllowsPasses) {
  const Oracle o = three_txns();
  EXPECT_TRUE(names(judge_under_media_fault(o, {3, false}, o.state_after(3), std::nullopt)).empty());
  EXPECT_TRUE(names(judge_under_media_fault(o, {2, true}, o.state_after(2), std::nullopt)).empty());
  EXPECT_TRUE(names(judge_under_media_fault(o, {2, true}, o.state_after(3), std::nullopt)).empty());
  EXPECT_FALSE(judge_under_media_fault(o, {3, false}, o.state_after(3), 2).tail_dropped);
}

TEST(MediaJudgeTest, LosingAcknowledgedTransactionsSilentlyIsSilentLoss) {
  const Oracle o = three_txns();
  const MediaJudgement all_gone = judge_under_media_fault(o, {3, false}, o.state_after(0), std::nullopt);
  ASSERT_EQ(names(all_gone), std::vector<std::string>{"silent-loss"});
  EXPECT_THAT(all_gone.findings[0].message, HasSubstr("transactions 0..2"));
  EXPECT_THAT(all_gone.findings[0].message, HasSubstr("after no transaction"));
  EXPECT_EQ(all_gone.findings[0].expected, "key \"a\" = \"2\" (acknowledged)");
  EXPECT_EQ(all_gone.findings[0].observed, "key \"a\" absent");
  EXPECT_EQ(all_gone.findings[0].keys, std::vector<std::string>{"a"});
  // Some keys older than acknowledged, none wrong: still a loss.
  const MediaJudgement mixed = judge_under_media_fault(o, {3, false}, {{"a", "1"}, {"d", "1"}}, std::nullopt);
  ASSERT_EQ(names(mixed), std::vector<std::string>{"silent-loss"});
  EXPECT_THAT(mixed.findings[0].message, HasSubstr("2 keys lack acknowledged data"));
}

TEST(MediaJudgeTest, TheLastCommitMayBeDroppedOnlyWhenTheFaultHitItsBytes) {
  const Oracle o = three_txns();
  const MediaJudgement dropped = judge_under_media_fault(o, {3, false}, o.state_after(2), 2);
  EXPECT_TRUE(dropped.findings.empty());
  EXPECT_TRUE(dropped.tail_dropped);
  const MediaJudgement elsewhere = judge_under_media_fault(o, {3, false}, o.state_after(2), std::nullopt);
  ASSERT_EQ(names(elsewhere), std::vector<std::string>{"silent-loss"});
  EXPECT_THAT(elsewhere.findings[0].message, HasSubstr("not in bytes the last commit wrote"));
  // The exception reaches back only as far as `droppable` says.
  const MediaJudgement two = judge_under_media_fault(o, {3, false}, o.state_after(1), 2);
  ASSERT_EQ(names(two), std::vector<std::string>{"silent-loss"});
  EXPECT_THAT(two.findings[0].message, HasSubstr("may drop transactions from 2 on"));
  // A fault that hit the last two commits may drop either tail.
  EXPECT_TRUE(judge_under_media_fault(o, {3, false}, o.state_after(1), 1).tail_dropped);
  EXPECT_TRUE(judge_under_media_fault(o, {3, false}, o.state_after(2), 1).tail_dropped);
  // Behind a last transaction that wrote nothing (reads only), the one before
  // it is the log's tail: dropping it leaves S_1, which is S_acked without it.
  const Oracle with_empty({{put("a", "1")}, {put("a", "2")}, {}});
  EXPECT_TRUE(judge_under_media_fault(with_empty, {3, false}, with_empty.state_after(1), 1).tail_dropped);
}

TEST(MediaJudgeTest, AValueTheKeyNeverHeldIsSilentCorruption) {
  const Oracle o = three_txns();
  KvState s = o.state_after(3);
  s["d"] = "2";
  const MediaJudgement wrong = judge_under_media_fault(o, {3, false}, s, 2);
  EXPECT_EQ(names(wrong), std::vector<std::string>{"silent-corruption"});
  EXPECT_EQ(wrong.findings[0].keys, std::vector<std::string>{"d"});
  // The in-flight transaction half applied is a state that never existed.
  EXPECT_EQ(names(judge_under_media_fault(o, {1, true}, {{"a", "2"}, {"b", "1"}}, std::nullopt)),
            std::vector<std::string>{"silent-corruption"});
  // A value from a later transaction than the crash allows is wrong data too.
  EXPECT_EQ(names(judge_under_media_fault(o, {1, false}, {{"a", "2"}, {"b", "1"}, {"c", "1"}}, std::nullopt)),
            std::vector<std::string>{"silent-corruption"});
}

TEST(JudgeTest, DescribeEntryEscapesAndShortens) {
  EXPECT_EQ(describe_entry("k\x01", std::string(50, 'v')),
            "key \"k\\x01\" = \"" + std::string(40, 'v') + "...(50 bytes)\"");
  EXPECT_EQ(describe_entry("k", std::nullopt), "key \"k\" absent");
}

}  // namespace
}  // namespace crashsim
