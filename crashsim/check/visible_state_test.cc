#include "crashsim/check/visible_state.h"

#include <gtest/gtest.h>

#include "crashsim/check/invariants.h"
#include "crashsim/rng.h"

namespace crashsim {
namespace {

// 300 transactions of 1-4 puts and deletes over 40 keys.
Oracle random_oracle(Rng& rng) {
  std::vector<Batch> txns(300);
  for (Batch& batch : txns) {
    for (uint64_t n = rng.between(1, 4); n > 0; --n) {
      std::string key = "k" + std::to_string(rng.below(40));
      if (rng.chance(1, 5)) {
        batch.push_back({KvOp::Kind::kDelete, std::move(key), {}});
      } else {
        batch.push_back({KvOp::Kind::kPut, std::move(key), "v" + std::to_string(rng.below(1000))});
      }
    }
  }
  return Oracle(std::move(txns));
}

// S_i, or S_i with one entry added, changed or dropped: what crash states
// show, most allowed, some not.
KvState random_visible(const Oracle& oracle, size_t i, Rng& rng) {
  KvState s = oracle.state_after(i);
  switch (rng.below(4)) {
    case 0: s["k" + std::to_string(rng.below(41))] = "v" + std::to_string(rng.below(1000)); break;
    case 1:
      if (!s.empty()) s.erase(std::next(s.begin(), static_cast<std::ptrdiff_t>(rng.below(s.size()))));
      break;
    default: break;
  }
  return s;
}

std::string verdict(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& f : findings) out += f.invariant + "|" + f.expected + "|" + f.observed + "|" + f.message + "\n";
  return out;
}

// The checker's use: a run of states near the workload's progress, each
// judged against the basis the previous matching one left, must get the
// whole comparison's verdict, and match exactly the prefixes it matches.
TEST(VisibleStateTest, DiffVerdictsEqualWholeVerdictsOnRandomStates) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Rng rng(seed);
    const Oracle oracle = random_oracle(rng);
    Basis basis;
    size_t diffed = 0;
    size_t at = 0;
    for (int step = 0; step < 300; ++step) {
      at = std::min<size_t>(oracle.txn_count(), at + rng.below(3) + (rng.chance(1, 20) ? 60 : 0));
      if (rng.chance(1, 20)) at = rng.below(oracle.txn_count() + 1);
      const KvState visible = random_visible(oracle, rng.chance(1, 4) ? rng.below(at + 1) : at, rng);
      const Expectation expect{.acked = at, .in_flight = rng.chance(1, 3)};
      const VisibleState diff(oracle, visible, &basis);
      const VisibleState whole(oracle, visible, nullptr);
      ASSERT_EQ(diff.hash(), Oracle::state_hash(visible)) << "seed " << seed << " step " << step;
      ASSERT_EQ(verdict(judge_visible_state(oracle, expect, diff)), verdict(judge_visible_state(oracle, expect, whole)))
          << "seed " << seed << " step " << step;
      for (size_t i = at > 3 ? at - 3 : 0; i <= std::min(oracle.txn_count(), at + 3); ++i) {
        ASSERT_EQ(diff.matches(i), oracle.matches(visible, Oracle::state_hash(visible), i))
            << "seed " << seed << " step " << step << " prefix " << i;
        ASSERT_EQ(diff.equals(i), visible == oracle.state_after(i)) << "seed " << seed << " step " << step << " prefix " << i;
      }
      if (diff.uses_basis()) ++diffed;
      if (diff.matched()) basis = Basis{&oracle, *diff.matched(), visible, diff.hash()};
    }
    EXPECT_GT(diffed, 200u) << "seed " << seed << ": most states were compared by difference";
  }
}

TEST(VisibleStateTest, ABasisOfAnotherOracleIsNotUsed) {
  Rng rng(7);
  const Oracle a = random_oracle(rng);
  const Oracle b = random_oracle(rng);
  const Basis basis{&a, 10, a.state_after(10), Oracle::state_hash(a.state_after(10))};
  const KvState visible = b.state_after(10);
  EXPECT_FALSE(VisibleState(b, visible, &basis).uses_basis());
  EXPECT_TRUE(VisibleState(b, visible, &basis).matches(10));
}

}  // namespace
}  // namespace crashsim
