#include "crashsim/check/point_reads.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

namespace crashsim {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

KvOp put(std::string k, std::string v) { return {KvOp::Kind::kPut, std::move(k), std::move(v)}; }
KvOp del(std::string k) { return {KvOp::Kind::kDelete, std::move(k), {}}; }

// A session over a fixed state whose get() can be made to lie about one key.
class MapSession final : public SutSession {
 public:
  using GetFn = std::function<vfs::Status(const std::string& key, std::string* value)>;
  explicit MapSession(KvState state) : state_(std::move(state)) {}

  // Answers get(key) with `fn` instead of the state.
  void override_get(std::string key, GetFn fn) {
    bad_key_ = std::move(key);
    bad_get_ = std::move(fn);
  }
  const std::vector<std::string>& asked() const { return asked_; }

  vfs::Status apply(const Batch&) override { return vfs::Status(); }
  vfs::Status get(const std::string& key, std::string* value) override {
    asked_.push_back(key);
    if (bad_get_ && key == bad_key_) return bad_get_(key, value);
    const auto it = state_.find(key);
    if (it == state_.end()) return vfs::Status::not_found(key);
    *value = it->second;
    return vfs::Status();
  }
  vfs::Result<KvState> scan_all() override { return state_; }
  vfs::Status checkpoint() override { return vfs::Status(); }
  vfs::Result<std::vector<SutFinding>> verify() override { return std::vector<SutFinding>{}; }
  std::vector<std::string> recovery_paths() override { return {}; }
  vfs::Status close() override { return vfs::Status(); }

 private:
  KvState state_;
  std::string bad_key_;
  GetFn bad_get_;
  std::vector<std::string> asked_;
};

// 40 transactions: k00..k39 written one per transaction, then the even ones
// below k20 deleted, then two transactions touching only k38 and k39.
Oracle many_txns() {
  std::vector<Batch> txns;
  for (int i = 0; i < 40; ++i) txns.push_back({put("k" + std::string(i < 10 ? "0" : "") + std::to_string(i), "v")});
  Batch deletes;
  for (int i = 0; i < 20; i += 2) deletes.push_back(del("k" + std::string(i < 10 ? "0" : "") + std::to_string(i)));
  txns.push_back(deletes);
  txns.push_back({put("k38", "w")});
  txns.push_back({put("k39", "w")});
  return Oracle(std::move(txns));
}

vfs::Status answer(const std::string& value, std::string* out) {
  *out = value;
  return vfs::Status();
}

TEST(AbsentKeySampleTest, WrittenKeysTheStateLacksAndNeverWrittenNeighbours) {
  const Oracle o = many_txns();
  const KvState visible = o.state_after(o.txn_count());
  const std::vector<std::string> sample = absent_key_sample(o, visible);
  EXPECT_THAT(sample, Contains("k00"));  // deleted
  EXPECT_THAT(sample, Contains("k18"));
  EXPECT_THAT(sample, Contains("k0"));   // a prefix of a present key, never written
  for (const std::string& key : sample) EXPECT_FALSE(visible.contains(key)) << key;
  EXPECT_TRUE(std::is_sorted(sample.begin(), sample.end()));
  EXPECT_EQ(std::adjacent_find(sample.begin(), sample.end()), sample.end());
}

TEST(AbsentKeySampleTest, BoundedOnALargeKeySpace) {
  std::vector<Batch> txns;
  Batch all;
  for (int i = 0; i < 5000; ++i) all.push_back(put("key" + std::to_string(100000 + i), "v"));
  txns.push_back(all);
  const Oracle o(std::move(txns));
  EXPECT_LE(absent_key_sample(o, {}).size(), kAbsentWrittenKeys);
  EXPECT_LE(absent_key_sample(o, o.state_after(1)).size(), 3 * kNeighbourProbes);
}

TEST(PointReadsTest, EveryVisibleKeyIsRead) {
  const Oracle o = many_txns();
  const KvState visible = o.state_after(o.txn_count());
  MapSession session(visible);
  const PointReadOutcome out = check_point_reads(session, o, visible, false);
  EXPECT_TRUE(out.findings.empty());
  for (const auto& entry : visible) EXPECT_THAT(session.asked(), Contains(entry.first));
  EXPECT_EQ(out.gets, session.asked().size());
}

// The old check read only the keys of the last two transactions (k38, k39):
// a wrong get of a key written long before went unseen.
TEST(PointReadsTest, AWrongValueForAnOldKeyIsAStructureViolation) {
  const Oracle o = many_txns();
  const KvState visible = o.state_after(o.txn_count());
  MapSession session(visible);
  session.override_get("k25", [](const std::string&, std::string* v) { return answer("stale", v); });
  const PointReadOutcome out = check_point_reads(session, o, visible, false);
  ASSERT_EQ(out.findings.size(), 1u);
  EXPECT_EQ(out.findings[0].invariant, "structure");
  EXPECT_EQ(out.findings[0].expected, "key \"k25\" = \"v\" (as the full scan read it)");
  EXPECT_EQ(out.findings[0].observed, "key \"k25\" = \"stale\" (as get read it)");
}

TEST(PointReadsTest, AGetThatFindsADeletedKeyIsCaught) {
  const Oracle o = many_txns();
  const KvState visible = o.state_after(o.txn_count());
  MapSession session(visible);
  session.override_get("k04", [](const std::string&, std::string* v) { return answer("v", v); });
  const PointReadOutcome out = check_point_reads(session, o, visible, false);
  ASSERT_EQ(out.findings.size(), 1u);
  EXPECT_EQ(out.findings[0].observed, "key \"k04\" = \"v\" (as get read it)");
}

TEST(PointReadsTest, AGetThatFindsANeverWrittenNeighbourIsCaught) {
  const Oracle o = many_txns();
  const KvState visible = o.state_after(o.txn_count());
  const std::vector<std::string> sample = absent_key_sample(o, visible);
  ASSERT_THAT(sample, Contains("k0"));
  MapSession session(visible);
  session.override_get("k0", [](const std::string&, std::string* v) { return answer("v", v); });
  EXPECT_EQ(check_point_reads(session, o, visible, false).findings.size(), 1u);
}

TEST(PointReadsTest, AFailedGetIsStructureWithoutMediaFaultsAndReportedDamageWithThem) {
  const Oracle o = many_txns();
  const KvState visible = o.state_after(o.txn_count());
  auto fail = [](const std::string& key, std::string*) { return vfs::Status::corruption("page 7 of " + key); };
  MapSession clean(visible);
  clean.override_get("k30", fail);
  const PointReadOutcome a = check_point_reads(clean, o, visible, false);
  ASSERT_EQ(a.findings.size(), 1u);
  EXPECT_EQ(a.findings[0].invariant, "structure");
  EXPECT_THAT(a.findings[0].observed, HasSubstr("page 7 of k30"));
  EXPECT_TRUE(a.error.ok());

  MapSession damaged(visible);
  damaged.override_get("k30", fail);
  const PointReadOutcome b = check_point_reads(damaged, o, visible, true);
  EXPECT_TRUE(b.findings.empty());
  EXPECT_TRUE(b.error.is_corruption()) << b.error.to_string();
}

TEST(PointReadsTest, UnderMediaFaultsWrongBytesWithoutAnErrorAreSilentCorruption) {
  const Oracle o = many_txns();
  const KvState visible = o.state_after(o.txn_count());
  MapSession session(visible);
  session.override_get("k33", [](const std::string&, std::string* v) { return answer("x", v); });
  const PointReadOutcome out = check_point_reads(session, o, visible, true);
  ASSERT_EQ(out.findings.size(), 1u);
  EXPECT_EQ(out.findings[0].invariant, "silent-corruption");
  EXPECT_TRUE(out.error.ok());
}

TEST(PointReadsTest, UnderMediaFaultsAMissedKeyIsSilentCorruption) {
  const Oracle o = many_txns();
  const KvState visible = o.state_after(o.txn_count());
  MapSession session(visible);
  session.override_get("k21", [](const std::string& key, std::string*) { return vfs::Status::not_found(key); });
  const PointReadOutcome out = check_point_reads(session, o, visible, true);
  ASSERT_EQ(out.findings.size(), 1u);
  EXPECT_EQ(out.findings[0].observed, "key \"k21\" absent (as get read it)");
  EXPECT_THAT(session.asked(), Not(Contains("k39")));  // it stopped at the first disagreement
}

TEST(PointReadsTest, TheSampleIsReadAfterTheVisibleKeys) {
  const Oracle o({{put("b", "1")}});
  const KvState visible = o.state_after(1);
  MapSession session(visible);
  check_point_reads(session, o, visible, false);
  EXPECT_THAT(session.asked(), ElementsAre("b", "a", "c"));
}

}  // namespace
}  // namespace crashsim
