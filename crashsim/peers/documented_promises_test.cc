// What a catalog expectation cannot say: the exact shape of the loss SQLite's
// documentation allows. scenarios/peers.json expects `durability` from
// SQLite's rollback journal under synchronous=FULL and from WAL mode under
// synchronous=NORMAL; a scenario that expects a violation passes whatever
// else comes with it, so these tests pin down the rest:
//   * DELETE + FULL: "EXTRA provides additional durability if the commit is
//     followed closely by a power loss" -- only the last acknowledged
//     transaction may roll back, whole;
//   * WAL + NORMAL: "WAL mode is always consistent with synchronous=NORMAL" --
//     recent transactions may roll back, but never partly or out of order.
#include <gtest/gtest.h>

#include <set>

#include "crashsim/check/image_io.h"
#include "crashsim/peers/sqlite_system.h"
#include "crashsim/simulator.h"
#include "vfs/mem_vfs.h"

namespace crashsim::peers {
namespace {

// The workload of the peers.json SQLite scenarios.
Scenario sqlite_scenario(const std::string& name) {
  Scenario s;
  s.name = name;
  s.workload.generator = GeneratorSpec{.seed = 3, .transactions = 24, .key_space = 40, .min_value_size = 8,
                                       .max_value_size = 300, .reopen_every = 8};
  for (ModelKind kind : {ModelKind::kLoseUnsynced, ModelKind::kReorder, ModelKind::kTorn})
    s.options.models.push_back(ModelConfig{.kind = kind});
  s.options.nesting.depth = 0;
  s.options.max_states = 2000;
  s.options.jobs = 2;
  return s;
}

SqliteSystem sqlite(SqliteOptions::JournalMode mode, SqliteOptions::Synchronous sync, uint32_t checkpoint = 1000) {
  SqliteOptions o;
  o.journal_mode = mode;
  o.synchronous = sync;
  o.wal_autocheckpoint = checkpoint;
  return SqliteSystem(o);
}

std::set<std::string> model_invariants(const ScenarioResult& r) {
  std::set<std::string> out;
  for (const ModelResult& m : r.models)
    for (const Violation& v : m.violations) out.insert(v.invariant);
  return out;
}

TEST(DocumentedPromises, SqliteDeleteFullLosesAtMostTheLastCommitWhole) {
  SqliteSystem sut = sqlite(SqliteOptions::JournalMode::kDelete, SqliteOptions::Synchronous::kFull);
  const Simulator sim(sut);
  const Scenario scenario = sqlite_scenario("delete-full");
  vfs::Result<Recording> recording = sim.record(scenario);
  ASSERT_TRUE(recording.ok()) << recording.status().to_string();
  const ScenarioResult result = sim.check(scenario.name, *recording, scenario.options);
  EXPECT_EQ(model_invariants(result), std::set<std::string>{"durability"});
  size_t checked = 0;
  for (const ModelResult& m : result.models) {
    for (const Violation& v : m.violations) {
      vfs::Result<StateView> view = sim.view_state(*recording, scenario.options, v.state_id, 0);
      ASSERT_TRUE(view.ok()) << view.status().to_string();
      vfs::MemVfs mem;
      ASSERT_TRUE(install_image(view->image, mem).ok());
      auto session = sut.open(mem);
      ASSERT_TRUE(session.ok()) << v.state_id << ": " << session.status().to_string();
      auto visible = (*session)->scan_all();
      ASSERT_TRUE(visible.ok()) << visible.status().to_string();
      ASSERT_GE(view->expect.acked, 1u) << v.state_id;
      EXPECT_EQ(*visible, recording->oracle.state_after(view->expect.acked - 1))
          << v.state_id << ": more than the last acknowledged transaction was lost";
      ++checked;
    }
  }
  EXPECT_GT(checked, 0u);
}

TEST(DocumentedPromises, SqliteWalNormalRollsBackWholeTransactionsInOrder) {
  SqliteSystem sut = sqlite(SqliteOptions::JournalMode::kWal, SqliteOptions::Synchronous::kNormal, 8);
  const ScenarioResult result = Simulator(sut).run(sqlite_scenario("wal-normal"));
  ASSERT_TRUE(result.error.empty()) << result.error;
  EXPECT_EQ(model_invariants(result), std::set<std::string>{"durability"});
}

}  // namespace
}  // namespace crashsim::peers
