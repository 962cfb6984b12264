#include "scenarios/catalog.h"

#include <cerrno>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "crashsim/engine_adapter.h"
#include "reports/text_file.h"
#include "vfs/mem_vfs.h"
#include "vfs/posix_vfs.h"

namespace catalog {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// Set by meson: the source directory of scenarios/.
std::string source_dir() {
  const char* dir = std::getenv("CATALOG_DIR");
  return dir ? dir : "scenarios";
}

// A valid one-scenario catalog to start each case from.
json base() {
  return json::parse(R"({
    "version": 1,
    "scenarios": [{
      "name": "s",
      "description": "a scenario",
      "tags": ["ci"],
      "engine": {"page_size": 4096, "checkpoint_every": 8, "cache_pages": 64, "mutant": null},
      "workload": {"seed": 7, "transactions": 60, "ops_per_txn": [1, 6], "key_space": 400,
                   "key_size": [4, 32], "value_size": [0, 300],
                   "mix": {"put": 0.6, "delete": 0.3, "get": 0.1}, "reopen_every": 0},
      "crash": {"model": "reorder", "points": "all", "max_states": 20000,
                "sector_size": 512, "recovery_crashes": true, "seed": 1},
      "expect": {"verdict": "pass"}
    }]
  })");
}

json& scenario(json& doc) { return doc["scenarios"][0]; }

vfs::Result<std::vector<ScenarioSpec>> parse(const json& doc) { return parse_catalog(doc.dump(2), "cat.json"); }

TEST(Catalog, TheIssueExampleLoadsAsWritten) {
  auto specs = parse(base());
  ASSERT_TRUE(specs.ok()) << specs.status().to_string();
  ASSERT_EQ(specs->size(), 1u);
  const ScenarioSpec& s = (*specs)[0];
  EXPECT_EQ(s.name, "s");
  EXPECT_EQ(s.file, "cat.json");
  EXPECT_EQ(s.engine.page_size, 4096u);
  EXPECT_EQ(s.engine.checkpoint_every_commits, 8u);
  EXPECT_EQ(s.engine.cache_pages, 64u);
  EXPECT_EQ(s.engine.mutant, engine::Mutant::kNone);
  ASSERT_TRUE(s.workload.generator.has_value());
  const crashsim::GeneratorSpec& g = *s.workload.generator;
  EXPECT_EQ(g.seed, 7u);
  EXPECT_EQ(g.transactions, 60u);
  EXPECT_EQ(g.min_ops_per_txn, 1u);
  EXPECT_EQ(g.max_ops_per_txn, 6u);
  EXPECT_EQ(g.key_space, 400u);
  EXPECT_EQ(g.min_key_size, 4u);
  EXPECT_EQ(g.max_key_size, 32u);
  EXPECT_EQ(g.min_value_size, 0u);
  EXPECT_EQ(g.max_value_size, 300u);
  EXPECT_EQ(g.put_weight, 600000u);
  EXPECT_EQ(g.delete_weight, 300000u);
  EXPECT_EQ(g.get_weight, 100000u);
  ASSERT_EQ(s.simulation.models.size(), 1u);
  EXPECT_EQ(s.simulation.models[0].kind, crashsim::ModelKind::kReorder);
  EXPECT_EQ(s.simulation.models[0].sector_size, 512u);
  EXPECT_EQ(s.simulation.models[0].seed, 1u);
  EXPECT_EQ(s.simulation.points, crashsim::PointSelection::kAll);
  EXPECT_EQ(s.simulation.nesting.depth, 1u);
  EXPECT_TRUE(s.simulation.nesting.models.empty());
  EXPECT_EQ(s.simulation.continuation.commits, 3u);
  EXPECT_TRUE(s.simulation.continuation.checkpoint) << "the engine checkpoints every 8 of the 60 commits";
  EXPECT_EQ(s.max_states, 20000u);
  EXPECT_FALSE(s.expect.violation.has_value());
  EXPECT_EQ(s.scenario().name, "s");
}

TEST(Catalog, RecoveryCrashesTakeABooleanOrADepthWithItsSettings) {
  json doc = base();
  json& crash = doc["scenarios"][0]["crash"];
  crash["recovery_crashes"] = false;
  auto off = parse(doc);
  ASSERT_TRUE(off.ok()) << off.status().to_string();
  EXPECT_EQ((*off)[0].simulation.nesting.depth, 0u);
  crash["recovery_crashes"] = json::parse(
      R"({"depth": 2, "models": ["process-crash", "torn"], "commits": 5, "checkpoint": false, "states_per_state": 40})");
  auto full = parse(doc);
  ASSERT_TRUE(full.ok()) << full.status().to_string();
  const crashsim::SimulationOptions& sim = (*full)[0].simulation;
  EXPECT_EQ(sim.nesting.depth, 2u);
  EXPECT_EQ(sim.nesting.models, (std::vector{crashsim::ModelKind::kProcessCrash, crashsim::ModelKind::kTorn}));
  EXPECT_EQ(sim.nesting.states_per_state, 40u);
  EXPECT_EQ(sim.continuation.commits, 5u);
  EXPECT_FALSE(sim.continuation.checkpoint) << "given, it overrides the workload's default";
  crash["recovery_crashes"] = json::parse(R"({"models": "lose-unsynced"})");
  auto one = parse(doc);
  ASSERT_TRUE(one.ok()) << one.status().to_string();
  EXPECT_EQ((*one)[0].simulation.nesting.depth, 1u);
  EXPECT_EQ((*one)[0].simulation.nesting.models, std::vector{crashsim::ModelKind::kLoseUnsynced});
}

TEST(Catalog, ScriptsModelsPointsAndExpectations) {
  json doc = base();
  json& s = doc["scenarios"][0];
  s["engine"] = {{"mutant", "no-wal-salt"}, {"cross_checks", false}};
  s["workload"] = json::parse(R"({"script": [
      {"op": "put", "key": "a", "value": "1"}, {"op": "put", "key": "b", "value_size": 30},
      {"op": "get", "key": "a"}, {"op": "del", "key": "c"}, {"op": "commit"},
      {"op": "checkpoint"}, {"op": "reopen"}]})");
  s["crash"] = json::parse(R"({"model": ["torn", "process-crash"], "points": {"sample": 5}, "sector_size": 4096,
                               "seed": 9})");
  s["expect"] = {{"verdict", "violation"}, {"invariant", "durability"}};
  auto specs = parse(doc);
  ASSERT_TRUE(specs.ok()) << specs.status().to_string();
  const ScenarioSpec& spec = (*specs)[0];
  EXPECT_EQ(spec.engine.mutant, engine::Mutant::kNoWalSalt);
  EXPECT_FALSE(spec.engine.cross_checks);
  EXPECT_EQ(spec.engine.page_size, 4096u);
  EXPECT_FALSE(spec.workload.generator.has_value());
  const std::vector<crashsim::Step>& steps = spec.workload.script;
  ASSERT_EQ(steps.size(), 7u);
  EXPECT_EQ(steps[0], (crashsim::Step{crashsim::StepKind::kPut, "a", "1"}));
  EXPECT_EQ(steps[1].value, filler_value(1, 30));
  EXPECT_EQ(steps[2].kind, crashsim::StepKind::kGet);
  EXPECT_EQ(steps[3], (crashsim::Step{crashsim::StepKind::kDelete, "c", ""}));
  EXPECT_EQ(steps[6].kind, crashsim::StepKind::kReopen);
  ASSERT_EQ(spec.simulation.models.size(), 2u);
  EXPECT_EQ(spec.simulation.models[0].kind, crashsim::ModelKind::kTorn);
  EXPECT_EQ(spec.simulation.models[1].kind, crashsim::ModelKind::kProcessCrash);
  EXPECT_EQ(spec.simulation.models[1].sector_size, 4096u);
  EXPECT_EQ(spec.simulation.models[1].seed, 9u);
  EXPECT_EQ(spec.simulation.points, crashsim::PointSelection::kSample);
  EXPECT_EQ(spec.simulation.point_samples, 5u);
  EXPECT_EQ(spec.simulation.point_seed, 9u);
  EXPECT_EQ(spec.expect.violation, std::optional<std::string>("durability"));
  EXPECT_FALSE(spec.expect.allow_no_states);
}

TEST(Catalog, CrashReopenAndVerifyEachCommit) {
  json doc = base();
  json& s = doc["scenarios"][0];
  s["workload"] = json::parse(R"({"script": [{"op": "put", "key": "a", "value": "1"}, {"op": "commit"},
      {"op": "crash-reopen"}, {"op": "get", "key": "a"}], "verify_each_commit": true})");
  auto specs = parse(doc);
  ASSERT_TRUE(specs.ok()) << specs.status().to_string();
  EXPECT_EQ((*specs)[0].workload.script[2].kind, crashsim::StepKind::kCrashReopen);
  EXPECT_TRUE((*specs)[0].workload.verify_each_commit);

  s["workload"] = {{"transactions", 10}, {"crash_reopen_every", 4}};
  specs = parse(doc);
  ASSERT_TRUE(specs.ok()) << specs.status().to_string();
  EXPECT_EQ((*specs)[0].workload.generator->crash_reopen_every, 4u);
  EXPECT_FALSE((*specs)[0].workload.verify_each_commit);

  s["engine"]["mutant"] = "leak-empty-leaves";  // a mutant scenario always verifies after each commit
  specs = parse(doc);
  ASSERT_TRUE(specs.ok()) << specs.status().to_string();
  EXPECT_TRUE((*specs)[0].workload.verify_each_commit);
}

TEST(Catalog, SnapshotStepsAndTheSnapshotGenerator) {
  json doc = base();
  json& s = doc["scenarios"][0];
  s["workload"] = json::parse(R"({"script": [{"op": "put", "key": "a", "value": "1"}, {"op": "commit"},
      {"op": "snapshot"}, {"op": "snapshot-get", "key": "a", "snapshot": 0}, {"op": "snapshot-scan", "snapshot": 0},
      {"op": "release", "snapshot": 0}]})");
  auto specs = parse(doc);
  ASSERT_TRUE(specs.ok()) << specs.status().to_string();
  const std::vector<crashsim::Step>& steps = (*specs)[0].workload.script;
  ASSERT_EQ(steps.size(), 6u);
  EXPECT_EQ(steps[2].kind, crashsim::StepKind::kSnapshot);
  EXPECT_EQ(steps[3], (crashsim::Step{crashsim::StepKind::kSnapshotGet, "a", {}, 0}));
  EXPECT_EQ(steps[5].kind, crashsim::StepKind::kRelease);

  s["workload"] = {{"transactions", 10}, {"checkpoint_every", 4}, {"snapshot_every", 2}, {"snapshot_hold", 3},
                   {"snapshot_reads", 0}};
  specs = parse(doc);
  ASSERT_TRUE(specs.ok()) << specs.status().to_string();
  const crashsim::GeneratorSpec& g = *(*specs)[0].workload.generator;
  EXPECT_EQ(g.checkpoint_every, 4u);
  EXPECT_EQ(g.snapshot_every, 2u);
  EXPECT_EQ(g.snapshot_hold, 3u);
  EXPECT_EQ(g.snapshot_reads, 0u);
}

TEST(Catalog, AllowNoStatesIsReadWithEitherVerdict) {
  json doc = base();
  doc["scenarios"][0]["expect"] = {{"verdict", "pass"}, {"allow_no_states", true}};
  auto specs = parse(doc);
  ASSERT_TRUE(specs.ok()) << specs.status().to_string();
  EXPECT_TRUE((*specs)[0].expect.allow_no_states);
  doc["scenarios"][0]["expect"] = {{"verdict", "violation"}, {"invariant", "leak"}, {"allow_no_states", true}};
  specs = parse(doc);
  ASSERT_TRUE(specs.ok()) << specs.status().to_string();
  EXPECT_TRUE((*specs)[0].expect.allow_no_states);
}

TEST(Catalog, FaultsAndTheFailedSyncProfile) {
  json doc = base();
  json& s = doc["scenarios"][0];
  s["faults"] = json::parse(R"([
      {"point": "vfs/sync", "nth": 3, "errno": "ENOSPC", "file": "db-wal"},
      {"point": "vfs/write", "nth": 7, "times": 0, "partial": true},
      {"point": "vfs/short_write", "probability": 0.25, "seed": 11}])");
  s["crash"]["after_failed_sync"] = "keep";
  auto specs = parse(doc);
  ASSERT_TRUE(specs.ok()) << specs.status().to_string();
  const ScenarioSpec& spec = (*specs)[0];
  ASSERT_EQ(spec.faults.size(), 3u);
  EXPECT_EQ(spec.faults[0].point, crashsim::fault_point::kSync);
  EXPECT_EQ(spec.faults[0].nth, 3u);
  EXPECT_EQ(spec.faults[0].times, 1u);
  EXPECT_EQ(spec.faults[0].err, ENOSPC);
  EXPECT_EQ(spec.faults[0].file, "db-wal");
  EXPECT_EQ(spec.faults[1].err, EIO);
  EXPECT_EQ(spec.faults[1].times, 0u);
  EXPECT_TRUE(spec.faults[1].partial);
  EXPECT_EQ(spec.faults[2].nth, 0u);
  EXPECT_EQ(spec.faults[2].probability, 0.25);
  EXPECT_EQ(spec.faults[2].seed, 11u);
  for (const crashsim::FaultSpec& f : spec.faults) EXPECT_TRUE(crashsim::validate(f).ok()) << f.point;
  EXPECT_EQ(spec.simulation.fs.after_failed_sync, crashsim::AfterFailedSync::kKeep);
  EXPECT_EQ(spec.scenario().faults.size(), 3u);
  // Without the field: no faults, and the default profile.
  auto plain = parse(base());
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE((*plain)[0].faults.empty());
  EXPECT_EQ((*plain)[0].simulation.fs.after_failed_sync, crashsim::AfterFailedSync::kDrop);
}

TEST(Catalog, FillerValuesDifferBetweenSteps) {
  EXPECT_EQ(filler_value(0, 5), "abcde");
  EXPECT_EQ(filler_value(27, 3), "bcd");
  EXPECT_EQ(filler_value(3, 0), "");
  EXPECT_NE(filler_value(1, 100), filler_value(2, 100));
}

// The value at a JSON pointer of the schema, e.g. "/$defs/engine/properties/page_size/default".
json schema_at(const json& schema, const std::string& pointer) { return schema.at(json::json_pointer(pointer)); }

TEST(Catalog, OmittedFieldsTakeTheDefaultsTheSchemaDocuments) {
  auto text = reports::read_text_file(vfs::default_vfs(), source_dir() + "/catalog.schema.json");
  ASSERT_TRUE(text.ok()) << text.status().to_string();
  const json schema = json::parse(*text);
  const json minimal = json::parse(R"({"version": 1, "scenarios": [{"name": "m", "description": "d",
      "workload": {"transactions": 3}, "crash": {"model": "torn"}, "expect": {"verdict": "pass"}}]})");
  auto specs = parse(minimal);
  ASSERT_TRUE(specs.ok()) << specs.status().to_string();
  const ScenarioSpec& s = (*specs)[0];
  const crashsim::GeneratorSpec& g = *s.workload.generator;
  const std::string e = "/$defs/engine-system/properties/", w = "/$defs/generator/properties/", c = "/$defs/crash/properties/";
  EXPECT_EQ(schema_at(schema, "/$defs/scenario/properties/tags/default"), json(s.tags));
  EXPECT_EQ(schema_at(schema, e + "page_size/default"), s.engine.page_size);
  EXPECT_EQ(schema_at(schema, e + "checkpoint_every/default"), s.engine.checkpoint_every_commits);
  EXPECT_EQ(schema_at(schema, e + "cache_pages/default"), s.engine.cache_pages);
  EXPECT_TRUE(schema_at(schema, e + "mutant/default").is_null());
  EXPECT_EQ(s.engine.mutant, engine::Mutant::kNone);
  EXPECT_EQ(schema_at(schema, e + "cross_checks/default"), s.engine.cross_checks);
  EXPECT_EQ(schema_at(schema, w + "seed/default"), g.seed);
  EXPECT_EQ(schema_at(schema, w + "ops_per_txn/default"), json({g.min_ops_per_txn, g.max_ops_per_txn}));
  EXPECT_EQ(schema_at(schema, w + "key_space/default"), g.key_space);
  EXPECT_EQ(schema_at(schema, w + "key_size/default"), json({g.min_key_size, g.max_key_size}));
  EXPECT_EQ(schema_at(schema, w + "value_size/default"), json({g.min_value_size, g.max_value_size}));
  const json mix = schema_at(schema, w + "mix/default");
  const double total = g.put_weight + g.delete_weight + g.get_weight;
  EXPECT_DOUBLE_EQ(mix["put"].get<double>(), g.put_weight / total);
  EXPECT_DOUBLE_EQ(mix["delete"].get<double>(), g.delete_weight / total);
  EXPECT_DOUBLE_EQ(mix["get"].get<double>(), g.get_weight / total);
  EXPECT_EQ(schema_at(schema, w + "reopen_every/default"), g.reopen_every);
  EXPECT_EQ(schema_at(schema, w + "crash_reopen_every/default"), g.crash_reopen_every);
  EXPECT_EQ(schema_at(schema, w + "group_commits/default"), g.group_commits);
  EXPECT_EQ(schema_at(schema, w + "checkpoint_every/default"), g.checkpoint_every);
  EXPECT_EQ(schema_at(schema, w + "snapshot_every/default"), g.snapshot_every);
  EXPECT_EQ(schema_at(schema, w + "snapshot_hold/default"), g.snapshot_hold);
  EXPECT_EQ(schema_at(schema, w + "snapshot_reads/default"), g.snapshot_reads);
  EXPECT_EQ(schema_at(schema, "/$defs/verify_each_commit/default"), s.workload.verify_each_commit);
  EXPECT_EQ(schema_at(schema, "/$defs/allow_no_states/default"), s.expect.allow_no_states);
  EXPECT_EQ(schema_at(schema, c + "points/default"), "all");
  EXPECT_EQ(s.simulation.points, crashsim::PointSelection::kAll);
  EXPECT_EQ(schema_at(schema, c + "max_states/default"), s.max_states);
  EXPECT_EQ(schema_at(schema, c + "sector_size/default"), s.simulation.models[0].sector_size);
  const std::string nested = c + "recovery_crashes/oneOf/1/properties/";
  EXPECT_EQ(schema_at(schema, c + "recovery_crashes/default/depth"), s.simulation.nesting.depth);
  EXPECT_EQ(schema_at(schema, nested + "depth/default"), s.simulation.nesting.depth);
  EXPECT_EQ(schema_at(schema, nested + "commits/default"), s.simulation.continuation.commits);
  EXPECT_EQ(schema_at(schema, nested + "states_per_state/default"), s.simulation.nesting.states_per_state);
  EXPECT_TRUE(s.simulation.nesting.models.empty());
  EXPECT_FALSE(s.simulation.continuation.checkpoint) << "3 commits, the engine's checkpoint every 1000";
  EXPECT_EQ(schema_at(schema, c + "seed/default"), s.simulation.models[0].seed);
  EXPECT_EQ(schema_at(schema, c + "seed/default"), s.simulation.point_seed);
  EXPECT_EQ(schema_at(schema, c + "creations_durable/default"), s.simulation.fs.creations_durable);
  EXPECT_EQ(schema_at(schema, c + "at_risk/default"), s.simulation.at_risk_check);
  EXPECT_EQ(s.system, "engine");
}

// Each peer's settings, omitted, take its own defaults, which the schema
// documents; the setup spells every one of them out.
TEST(Catalog, PeerSystemsTakeTheDefaultsTheSchemaDocuments) {
  auto text = reports::read_text_file(vfs::default_vfs(), source_dir() + "/catalog.schema.json");
  ASSERT_TRUE(text.ok()) << text.status().to_string();
  const json schema = json::parse(*text);
  for (const json& block : {json{{"system", "sqlite"}, {"journal_mode", "wal"}}, json{{"system", "leveldb"}}}) {
    json doc = base();
    scenario(doc)["engine"] = block;
    auto specs = parse(doc);
    ASSERT_TRUE(specs.ok()) << specs.status().to_string();
    const ScenarioSpec& spec = (*specs)[0];
    EXPECT_EQ(spec.system, block["system"]);
    const json properties = schema_at(schema, "/$defs/" + spec.system + "-system/properties");
    for (const auto& [key, value] : spec.system_setup.settings.items()) {
      if (block.contains(key)) continue;
      EXPECT_EQ(json(value), properties.at(key).at("default")) << spec.system << " " << key;
    }
    EXPECT_EQ(spec.system_setup.settings.size() + 1, properties.size()) << spec.system;
    EXPECT_THAT(spec.system_setup.make()->name(), ::testing::StartsWith(spec.system + "["));
  }
}

TEST(Catalog, TheEngineBlockNamesItsSystem) {
  json doc = base();
  scenario(doc)["engine"] = {{"system", "sqlite"}, {"journal_mode", "wal"}, {"synchronous", "normal"}, {"checkpoint", 8}};
  auto specs = parse(doc);
  ASSERT_TRUE(specs.ok()) << specs.status().to_string();
  EXPECT_EQ((*specs)[0].system_setup.make()->name(), "sqlite[wal,normal,checkpoint=8]");
  EXPECT_EQ((*specs)[0].system_setup.settings,
            nlohmann::ordered_json::parse(
                R"({"journal_mode": "wal", "synchronous": "normal", "page_size": 4096, "checkpoint": 8})"));
  scenario(doc)["engine"] = {{"system", "leveldb"}, {"sync", true}, {"write_buffer_size", 65536}};
  specs = parse(doc);
  ASSERT_TRUE(specs.ok()) << specs.status().to_string();
  EXPECT_EQ((*specs)[0].system_setup.make()->name(), "leveldb[sync,write_buffer_size=65536]");
  scenario(doc)["engine"] = {{"system", "engine"}, {"page_size", 512}};
  specs = parse(doc);
  ASSERT_TRUE(specs.ok()) << specs.status().to_string();
  EXPECT_EQ((*specs)[0].engine.page_size, 512u);
  EXPECT_EQ((*specs)[0].system_setup.make()->name(), "engine");
}

// A program adds its own kind of system; its reader sees only its settings.
TEST(Catalog, ARegisteredSystemReadsItsOwnSettings) {
  SystemKind kind{"registered-in-test", {"depth"}, 64, [](const reports::ObjectReader& o) {
                    uint32_t depth = 1;
                    o.read_uint("depth", reports::Need::kRequired, 1, 9, depth);
                    SystemSetup setup;
                    setup.make = [] { return std::make_unique<crashsim::EngineSystem>(); };
                    setup.settings = {{"depth", depth}};
                    return setup;
                  }};
  ASSERT_TRUE(register_system(kind).ok());
  EXPECT_EQ(register_system(kind).code(), vfs::StatusCode::kInvalidArgument);  // the name is taken
  EXPECT_EQ(register_system({"engine", {}, 1, kind.read}).code(), vfs::StatusCode::kInvalidArgument);
  EXPECT_EQ(register_system({"Bad Name", {}, 1, kind.read}).code(), vfs::StatusCode::kInvalidArgument);
  EXPECT_EQ(register_system({"no-reader", {}, 1, {}}).code(), vfs::StatusCode::kInvalidArgument);
  EXPECT_THAT(system_names(), ::testing::ElementsAre("engine", "sqlite", "leveldb", "registered-in-test"));

  json doc = base();
  scenario(doc)["engine"] = {{"system", "registered-in-test"}, {"depth", 3}};
  auto specs = parse(doc);
  ASSERT_TRUE(specs.ok()) << specs.status().to_string();
  EXPECT_EQ((*specs)[0].system_setup.settings, nlohmann::ordered_json({{"depth", 3}}));
  scenario(doc)["engine"] = {{"system", "registered-in-test"}, {"depth", 30}, {"page_size", 512}};
  auto bad = parse(doc);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("(/scenarios/0/engine/depth): 30 is out of range"));
  EXPECT_THAT(bad.status().message(),
              HasSubstr("(/scenarios/0/engine/page_size): unknown field 'page_size' (expected one of: depth, system)"));
  // Its key limit holds for the workload.
  scenario(doc)["engine"] = {{"system", "registered-in-test"}, {"depth", 3}};
  scenario(doc)["workload"]["key_size"] = {1, 65};
  bad = parse(doc);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("65 is out of range"));
}

TEST(Catalog, SchemaEnumsMatchTheNamesTheLoaderAccepts) {
  auto text = reports::read_text_file(vfs::default_vfs(), source_dir() + "/catalog.schema.json");
  ASSERT_TRUE(text.ok()) << text.status().to_string();
  const json schema = json::parse(*text);
  std::vector<std::string> models, mutants, invariants(invariant_names().begin(), invariant_names().end());
  for (auto kind : {crashsim::ModelKind::kProcessCrash, crashsim::ModelKind::kLoseUnsynced, crashsim::ModelKind::kReorder,
                    crashsim::ModelKind::kTorn, crashsim::ModelKind::kCorrupt})
    models.emplace_back(crashsim::model_name(kind));
  mutants.emplace_back(engine::mutant_name(engine::Mutant::kNone));
  for (engine::Mutant m : engine::all_mutants()) mutants.emplace_back(engine::mutant_name(m));
  EXPECT_EQ(schema_at(schema, "/$defs/model/enum"), json(models));
  EXPECT_EQ(schema_at(schema, "/$defs/mutant/enum"), json(mutants));
  EXPECT_EQ(schema_at(schema, "/$defs/invariant/enum"), json(invariants));
}

struct Rejection {
  const char* what;
  std::function<void(json&)> change;
  const char* where;    // "scenario 's' (/pointer)" or "(/pointer)"
  const char* message;  // the part after ": "
};

TEST(Catalog, EveryRejectionNamesFileScenarioAndPointer) {
  const std::vector<Rejection> cases = {
      {"unknown field", [](json& d) { scenario(d)["nmae"] = "x"; }, "scenario 's' (/scenarios/0/nmae)",
       "unknown field 'nmae' (expected one of: name, description, tags, engine, workload, faults, crash, expect)"},
      {"empty faults", [](json& d) { scenario(d)["faults"] = json::array(); }, "scenario 's' (/scenarios/0/faults)",
       "a faults list has at least one fault"},
      {"unknown fault point", [](json& d) { scenario(d)["faults"] = {{{"point", "vfs/posix/sync"}, {"nth", 1}}}; },
       "scenario 's' (/scenarios/0/faults/0/point)", "unknown fault point 'vfs/posix/sync' (expected one of: vfs/open,"},
      {"fault without nth or probability", [](json& d) { scenario(d)["faults"] = {{{"point", "vfs/sync"}}}; },
       "scenario 's' (/scenarios/0/faults/0)", "a fault has exactly one of 'nth' and 'probability'"},
      {"fault with both",
       [](json& d) { scenario(d)["faults"] = {{{"point", "vfs/sync"}, {"nth", 1}, {"probability", 0.5}}}; },
       "scenario 's' (/scenarios/0/faults/0)", "a fault has exactly one of 'nth' and 'probability'"},
      {"fault nth 0", [](json& d) { scenario(d)["faults"] = {{{"point", "vfs/sync"}, {"nth", 0}}}; },
       "scenario 's' (/scenarios/0/faults/0/nth)", "0 is out of range"},
      {"fault probability 0", [](json& d) { scenario(d)["faults"] = {{{"point", "vfs/sync"}, {"probability", 0}}}; },
       "scenario 's' (/scenarios/0/faults/0/probability)", "probability 0 never fails anything"},
      {"fault seed with nth",
       [](json& d) { scenario(d)["faults"] = {{{"point", "vfs/sync"}, {"nth", 2}, {"seed", 3}}}; },
       "scenario 's' (/scenarios/0/faults/0/seed)", "'seed' is only used with 'probability'"},
      {"fault errno EINTR",
       [](json& d) { scenario(d)["faults"] = {{{"point", "vfs/sync"}, {"nth", 2}, {"errno", "EINTR"}}}; },
       "scenario 's' (/scenarios/0/faults/0/errno)", "unknown errno 'EINTR' (expected one of: EIO, ENOSPC, EDQUOT, EROFS)"},
      {"errno on a short write",
       [](json& d) { scenario(d)["faults"] = {{{"point", "vfs/short_write"}, {"nth", 2}, {"errno", "EIO"}}}; },
       "scenario 's' (/scenarios/0/faults/0/errno)", "'errno' is not used by vfs/short_write"},
      {"partial sync", [](json& d) { scenario(d)["faults"] = {{{"point", "vfs/sync"}, {"nth", 2}, {"partial", true}}}; },
       "scenario 's' (/scenarios/0/faults/0/partial)", "'partial' applies to vfs/write only"},
      {"failed-sync profile without faults", [](json& d) { scenario(d)["crash"]["after_failed_sync"] = "keep"; },
       "scenario 's' (/scenarios/0/crash/after_failed_sync)", "after_failed_sync means nothing without 'faults'"},
      {"unknown failed-sync profile",
       [](json& d) {
         scenario(d)["faults"] = {{{"point", "vfs/sync"}, {"nth", 2}}};
         scenario(d)["crash"]["after_failed_sync"] = "retry";
       },
       "scenario 's' (/scenarios/0/crash/after_failed_sync)",
       "unknown after_failed_sync profile 'retry' (expected one of: drop, keep)"},
      {"unknown nested field", [](json& d) { scenario(d)["crash"]["modle"] = "torn"; },
       "scenario 's' (/scenarios/0/crash/modle)", "unknown field 'modle'"},
      {"wrong type", [](json& d) { scenario(d)["workload"]["transactions"] = "ten"; },
       "scenario 's' (/scenarios/0/workload/transactions)",
       "expected an integer in [1, 1000000], got string \"ten\""},
      {"wrong type of object", [](json& d) { scenario(d)["engine"] = 4096; }, "scenario 's' (/scenarios/0/engine)",
       "expected an object, got integer 4096"},
      {"page size not a power of two", [](json& d) { scenario(d)["engine"]["page_size"] = 1000; },
       "scenario 's' (/scenarios/0/engine/page_size)", "page_size 1000 is not a power of two in [512, 65536]"},
      {"page size too large", [](json& d) { scenario(d)["engine"]["page_size"] = 131072; },
       "scenario 's' (/scenarios/0/engine/page_size)", "page_size 131072 is not a power of two in [512, 65536]"},
      {"range upside down", [](json& d) { scenario(d)["workload"]["ops_per_txn"] = {5, 1}; },
       "scenario 's' (/scenarios/0/workload/ops_per_txn)", "min 5 is greater than max 1"},
      {"range of three", [](json& d) { scenario(d)["workload"]["value_size"] = {1, 2, 3}; },
       "scenario 's' (/scenarios/0/workload/value_size)", "expected [min, max], got an array of 3"},
      {"key longer than the page allows",
       [](json& d) {
         scenario(d)["engine"]["page_size"] = 512;
         scenario(d)["workload"]["key_size"] = {4, 200};
       },
       "scenario 's' (/scenarios/0/workload/key_size/1)", "200 is out of range (expected an integer in [1, 128])"},
      {"mix does not sum to 1", [](json& d) { scenario(d)["workload"]["mix"] = {{"put", 0.5}, {"delete", 0.4}}; },
       "scenario 's' (/scenarios/0/workload/mix)", "mix weights sum to 0.9, expected 1"},
      {"negative mix weight",
       [](json& d) { scenario(d)["workload"]["mix"] = {{"put", 1.1}, {"delete", -0.1}}; },
       "scenario 's' (/scenarios/0/workload/mix/delete)", "-0.1 is out of range (expected a number in [0.0, 1.0])"},
      {"max_states 0", [](json& d) { scenario(d)["crash"]["max_states"] = 0; },
       "scenario 's' (/scenarios/0/crash/max_states)", "0 is out of range (expected an integer in [1, 100000000])"},
      {"sector size", [](json& d) { scenario(d)["crash"]["sector_size"] = 100; },
       "scenario 's' (/scenarios/0/crash/sector_size)", "sector_size 100 is not a power of two in [512, 65536]"},
      {"unknown model", [](json& d) { scenario(d)["crash"]["model"] = "reordr"; },
       "scenario 's' (/scenarios/0/crash/model)",
       "unknown model 'reordr' (expected one of: process-crash, lose-unsynced, reorder, torn, corrupt)"},
      {"unknown model in a list", [](json& d) { scenario(d)["crash"]["model"] = {"torn", "tron"}; },
       "scenario 's' (/scenarios/0/crash/model/1)", "unknown model 'tron'"},
      {"model twice", [](json& d) { scenario(d)["crash"]["model"] = {"torn", "torn"}; },
       "scenario 's' (/scenarios/0/crash/model/1)", "model 'torn' listed twice"},
      {"no model", [](json& d) { scenario(d)["crash"]["model"] = json::array(); },
       "scenario 's' (/scenarios/0/crash/model)", "expected at least one model"},
      {"unknown points", [](json& d) { scenario(d)["crash"]["points"] = "some"; },
       "scenario 's' (/scenarios/0/crash/points)", "unknown points mode 'some' (expected one of: all, syncs)"},
      {"sample of 0", [](json& d) { scenario(d)["crash"]["points"] = {{"sample", 0}}; },
       "scenario 's' (/scenarios/0/crash/points/sample)", "0 is out of range"},
      {"unknown invariant",
       [](json& d) { scenario(d)["expect"] = {{"verdict", "violation"}, {"invariant", "durabilty"}}; },
       "scenario 's' (/scenarios/0/expect/invariant)", "unknown invariant 'durabilty' (expected one of: recovery,"},
      {"unknown system", [](json& d) { scenario(d)["engine"] = {{"system", "sqlite3"}}; },
       "scenario 's' (/scenarios/0/engine/system)", "unknown system 'sqlite3' (expected one of: engine, sqlite, leveldb"},
      {"engine setting on sqlite", [](json& d) { scenario(d)["engine"] = {{"system", "sqlite"}, {"mutant", "none"}}; },
       "scenario 's' (/scenarios/0/engine/mutant)",
       "unknown field 'mutant' (expected one of: journal_mode, synchronous, page_size, checkpoint, system)"},
      {"sqlite journal mode",
       [](json& d) { scenario(d)["engine"] = {{"system", "sqlite"}, {"journal_mode", "persist"}}; },
       "scenario 's' (/scenarios/0/engine/journal_mode)",
       "unknown journal_mode 'persist' (expected one of: delete, truncate, wal, memory, off)"},
      {"sqlite synchronous", [](json& d) { scenario(d)["engine"] = {{"system", "sqlite"}, {"synchronous", 2}}; },
       "scenario 's' (/scenarios/0/engine/synchronous)", "expected a synchronous name (expected one of: off, normal,"},
      {"sqlite page size", [](json& d) { scenario(d)["engine"] = {{"system", "sqlite"}, {"page_size", 3000}}; },
       "scenario 's' (/scenarios/0/engine/page_size)", "page_size 3000 is not a power of two in [512, 65536]"},
      {"sqlite checkpoint outside wal",
       [](json& d) { scenario(d)["engine"] = {{"system", "sqlite"}, {"checkpoint", 8}}; },
       "scenario 's' (/scenarios/0/engine/checkpoint)",
       "checkpoint (wal_autocheckpoint) applies to journal_mode \"wal\" only, not \"delete\""},
      {"leveldb small write buffer",
       [](json& d) { scenario(d)["engine"] = {{"system", "leveldb"}, {"write_buffer_size", 4096}}; },
       "scenario 's' (/scenarios/0/engine/write_buffer_size)", "4096 is out of range"},
      {"leveldb sync as a string", [](json& d) { scenario(d)["engine"] = {{"system", "leveldb"}, {"sync", "yes"}}; },
       "scenario 's' (/scenarios/0/engine/sync)", "expected a boolean"},
      {"crash at_risk as a number", [](json& d) { scenario(d)["crash"]["at_risk"] = 0; },
       "scenario 's' (/scenarios/0/crash/at_risk)", "expected a boolean"},
      {"unknown mutant", [](json& d) { scenario(d)["engine"]["mutant"] = "no-fsync"; },
       "scenario 's' (/scenarios/0/engine/mutant)", "unknown mutant 'no-fsync' (expected one of: none, no-data-fsync,"},
      {"unknown verdict", [](json& d) { scenario(d)["expect"] = {{"verdict", "fail"}}; },
       "scenario 's' (/scenarios/0/expect/verdict)", "unknown verdict 'fail' (expected one of: pass, violation)"},
      {"violation without invariant", [](json& d) { scenario(d)["expect"] = {{"verdict", "violation"}}; },
       "scenario 's' (/scenarios/0/expect/invariant)", "missing required field 'invariant'"},
      {"pass with invariant", [](json& d) { scenario(d)["expect"]["invariant"] = "leak"; },
       "scenario 's' (/scenarios/0/expect/invariant)", "'invariant' is only allowed with verdict 'violation'"},
      {"workload expected",
       [](json& d) { scenario(d)["expect"] = {{"verdict", "violation"}, {"invariant", "workload"}}; },
       "scenario 's' (/scenarios/0/expect/invariant)", "workload (a step that failed while recording) is judged"},
      {"uncommitted put before crash-reopen",
       [](json& d) {
         scenario(d)["workload"] = json::parse(R"({"script": [{"op": "put", "key": "a", "value": "1"},
             {"op": "crash-reopen"}, {"op": "commit"}]})");
       },
       "scenario 's' (/scenarios/0/workload/script/1)", "crash-reopen with 1 uncommitted step(s) before it"},
      {"allow_no_states not a boolean", [](json& d) { scenario(d)["expect"]["allow_no_states"] = 1; },
       "scenario 's' (/scenarios/0/expect/allow_no_states)", "expected a boolean"},
      {"idempotent-recovery without recovery crashes",
       [](json& d) {
         scenario(d)["crash"]["recovery_crashes"] = false;
         scenario(d)["expect"] = {{"verdict", "violation"}, {"invariant", "idempotent-recovery"}};
       },
       "scenario 's' (/scenarios/0/expect/invariant)",
       "idempotent-recovery is only checked with recovery crashes (\"recovery_crashes\": depth 1 or more)"},
      {"recovery crashes too deep", [](json& d) { scenario(d)["crash"]["recovery_crashes"] = {{"depth", 4}}; },
       "scenario 's' (/scenarios/0/crash/recovery_crashes/depth)", "4 is out of range"},
      {"nested under corrupt",
       [](json& d) { scenario(d)["crash"]["recovery_crashes"] = {{"models", {"lose-unsynced", "corrupt"}}}; },
       "scenario 's' (/scenarios/0/crash/recovery_crashes/models)",
       "nested crash states are never under 'corrupt'"},
      {"unknown recovery-crash field", [](json& d) { scenario(d)["crash"]["recovery_crashes"] = {{"deepth", 2}}; },
       "scenario 's' (/scenarios/0/crash/recovery_crashes/deepth)",
       "unknown field 'deepth' (expected one of: depth, models, commits, checkpoint, states_per_state)"},
      {"no new commit", [](json& d) { scenario(d)["crash"]["recovery_crashes"] = {{"commits", 0}}; },
       "scenario 's' (/scenarios/0/crash/recovery_crashes/commits)", "0 is out of range"},
      {"recovery crashes as a number", [](json& d) { scenario(d)["crash"]["recovery_crashes"] = 2; },
       "scenario 's' (/scenarios/0/crash/recovery_crashes)", "expected true, false or an object"},
      {"error-discipline is no model's finding",
       [](json& d) {
         scenario(d)["faults"] = {{{"point", "vfs/sync"}, {"nth", 2}}};
         scenario(d)["expect"] = {{"verdict", "violation"}, {"invariant", "error-discipline"}};
       },
       "scenario 's' (/scenarios/0/expect/invariant)",
       "error-discipline is judged on the recorded run, not by a model"},
      {"generator and script",
       [](json& d) { scenario(d)["workload"]["script"] = {{{"op", "put"}, {"key", "a"}, {"value", "b"}}, {{"op", "commit"}}}; },
       "scenario 's' (/scenarios/0/workload/seed)", "generator field 'seed' cannot be combined with 'script'"},
      {"no workload", [](json& d) { scenario(d).erase("workload"); }, "scenario 's' (/scenarios/0/workload)",
       "missing required field 'workload'"},
      {"generator without transactions", [](json& d) { scenario(d)["workload"].erase("transactions"); },
       "scenario 's' (/scenarios/0/workload/transactions)", "missing required field 'transactions'"},
      {"empty script", [](json& d) { scenario(d)["workload"] = {{"script", json::array()}}; },
       "scenario 's' (/scenarios/0/workload/script)", "a script has at least one step"},
      {"script ends uncommitted",
       [](json& d) { scenario(d)["workload"] = json::parse(R"({"script": [{"op": "del", "key": "a"}]})"); },
       "scenario 's' (/scenarios/0/workload/script/0)", "the script ends with 1 uncommitted step(s): add a commit"},
      {"checkpoint inside a batch",
       [](json& d) {
         scenario(d)["workload"] = json::parse(
             R"({"script": [{"op": "del", "key": "a"}, {"op": "checkpoint"}, {"op": "commit"}]})");
       },
       "scenario 's' (/scenarios/0/workload/script/1)", "checkpoint with 1 uncommitted step(s) before it"},
      {"empty commit", [](json& d) { scenario(d)["workload"] = json::parse(R"({"script": [{"op": "commit"}]})"); },
       "scenario 's' (/scenarios/0/workload/script/0)", "commit with no put or del since the last commit"},
      {"put without a value",
       [](json& d) {
         scenario(d)["workload"] = json::parse(R"({"script": [{"op": "put", "key": "a"}, {"op": "commit"}]})");
       },
       "scenario 's' (/scenarios/0/workload/script/0)", "a put step has exactly one of 'value' and 'value_size'"},
      {"key on a commit",
       [](json& d) {
         scenario(d)["workload"] = json::parse(
             R"({"script": [{"op": "del", "key": "a"}, {"op": "commit", "key": "a"}]})");
       },
       "scenario 's' (/scenarios/0/workload/script/1/key)", "'key' is not used by a 'commit' step"},
      {"unknown step",
       [](json& d) { scenario(d)["workload"] = json::parse(R"({"script": [{"op": "flush"}]})"); },
       "scenario 's' (/scenarios/0/workload/script/0/op)",
       "unknown script op 'flush' (expected one of: put, del, get, commit, checkpoint, reopen, crash-reopen, queue-commit, snapshot, "
       "snapshot-get, snapshot-scan, release)"},
      {"snapshot read without its number",
       [](json& d) {
         scenario(d)["workload"] = json::parse(
             R"({"script": [{"op": "put", "key": "a", "value": "1"}, {"op": "commit"}, {"op": "snapshot"},
                 {"op": "snapshot-get", "key": "a"}]})");
       },
       "scenario 's' (/scenarios/0/workload/script/3/snapshot)", "missing required field 'snapshot'"},
      {"snapshot number on a snapshot step",
       [](json& d) {
         scenario(d)["workload"] = json::parse(
             R"({"script": [{"op": "put", "key": "a", "value": "1"}, {"op": "commit"}, {"op": "snapshot", "snapshot": 0}]})");
       },
       "scenario 's' (/scenarios/0/workload/script/2/snapshot)", "'snapshot' is not used by a 'snapshot' step"},
      {"snapshot dropped by a reopen",
       [](json& d) {
         scenario(d)["workload"] = json::parse(
             R"({"script": [{"op": "put", "key": "a", "value": "1"}, {"op": "commit"}, {"op": "snapshot"},
                 {"op": "reopen"}, {"op": "snapshot-scan", "snapshot": 0}]})");
       },
       "scenario 's' (/scenarios/0/workload/script)",
       "workload step 4 (snapshot-scan) names snapshot 0, which is not held there (released, or dropped by a reopen"},
      {"empty key",
       [](json& d) {
         scenario(d)["workload"] = json::parse(R"({"script": [{"op": "del", "key": ""}, {"op": "commit"}]})");
       },
       "scenario 's' (/scenarios/0/workload/script/0/key)", "key of 0 bytes (expected 1 to 1024 bytes"},
      {"bad name", [](json& d) { scenario(d)["name"] = "Bad Name"; }, "scenario 'Bad Name' (/scenarios/0/name)",
       "name 'Bad Name' must be"},
      {"bad tag", [](json& d) { scenario(d)["tags"] = {"ci", "CI!"}; }, "scenario 's' (/scenarios/0/tags/1)",
       "tag 'CI!' must be"},
      {"empty description", [](json& d) { scenario(d)["description"] = ""; },
       "scenario 's' (/scenarios/0/description)", "description is empty"},
      {"no name", [](json& d) { scenario(d).erase("name"); }, "scenario #0 (/scenarios/0/name)",
       "missing required field 'name'"},
      {"duplicate names", [](json& d) { d["scenarios"].push_back(scenario(d)); },
       "scenario 's' (/scenarios/1/name)", "duplicate scenario name (also /scenarios/0)"},
      {"scenario not an object", [](json& d) { d["scenarios"].push_back(3); }, "scenario #1 (/scenarios/1)",
       "expected an object, got integer 3"},
      {"version", [](json& d) { d["version"] = 2; }, "(/version)",
       "catalog version 2 is not supported (this build reads version 1)"},
      {"no scenarios", [](json& d) { d["scenarios"] = json::array(); }, "(/scenarios)",
       "a catalog file has at least one scenario"},
      {"unknown top-level field", [](json& d) { d["scenario"] = json::array(); }, "(/scenario)",
       "unknown field 'scenario' (expected one of: $schema, version, scenarios)"},
      // Issue 17: every value_size is built in memory when the catalog loads.
      {"script values over 256 MiB",
       [](json& d) {
         json script = json::array();
         for (int i = 0; i < 5; ++i) script.push_back({{"op", "put"}, {"key", "k"}, {"value_size", 64 << 20}});
         script.push_back({{"op", "commit"}});
         scenario(d)["workload"] = {{"script", script}};
       },
       "scenario 's' (/scenarios/0/workload/script)",
       "the script's values add up to 335544320 bytes, over the 268435456 a script may hold"},
  };
  for (const Rejection& c : cases) {
    json doc = base();
    c.change(doc);
    auto r = parse(doc);
    ASSERT_FALSE(r.ok()) << c.what;
    EXPECT_EQ(r.status().code(), vfs::StatusCode::kInvalidArgument) << c.what;
    const std::string where = c.where[0] == '(' ? std::string("cat.json ") + c.where : std::string("cat.json: ") + c.where;
    EXPECT_THAT(r.status().message(), HasSubstr(where + ": " + c.message)) << c.what;
  }
}

TEST(Catalog, EveryProblemIsReportedBeforeAnythingRuns) {
  json doc = base();
  scenario(doc)["engine"]["page_size"] = 1000;
  scenario(doc)["crash"]["model"] = "reordr";
  doc["scenarios"].push_back(base()["scenarios"][0]);
  doc["scenarios"][1]["name"] = "t";
  doc["scenarios"][1]["crash"]["max_states"] = 0;
  auto r = parse(doc);
  ASSERT_FALSE(r.ok());
  const std::string message = r.status().message();
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 2) << message;
  EXPECT_THAT(message, HasSubstr("cat.json: scenario 's' (/scenarios/0/engine/page_size)"));
  EXPECT_THAT(message, HasSubstr("cat.json: scenario 's' (/scenarios/0/crash/model)"));
  EXPECT_THAT(message, HasSubstr("cat.json: scenario 't' (/scenarios/1/crash/max_states)"));
}

TEST(Catalog, MalformedJsonNamesLineAndColumn) {
  auto r = parse_catalog("{\n  \"version\": 1,\n  \"scenarios\": [\n    {\"name\": \"x\",}\n  ]\n}\n", "bad.json");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("bad.json:4:18: malformed JSON: "));
}

TEST(Catalog, RepeatedKeysNameTheScenario) {
  const std::string text = base().dump(2);
  // Repeat the mix inside the first scenario's workload.
  std::string twice = text;
  const size_t at = twice.find("\"mix\"");
  twice.insert(at, "\"mix\": {\"put\": 1.0},\n");
  auto r = parse_catalog(twice, "dup.json");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("dup.json: scenario 's' (/scenarios/0/workload): duplicate key 'mix'"));
}

std::shared_ptr<const vfs::Bytes> bytes(const std::string& s) {
  return std::make_shared<const vfs::Bytes>(s.begin(), s.end());
}

json named(const std::string& name) {
  json doc = base();
  scenario(doc)["name"] = name;
  return doc;
}

TEST(LoadCatalog, DirectoriesLoadTheirJsonFilesInNameOrder) {
  vfs::MemVfs mem;
  mem.install_file("cat/b.json", bytes(named("two").dump()));
  mem.install_file("cat/a.json", bytes(named("one").dump()));
  mem.install_file("cat/catalog.schema.json", bytes("{}"));
  mem.install_file("cat/notes.txt", bytes("not a catalog"));
  auto c = load_catalog(mem, "cat");
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  EXPECT_EQ(c->files, (std::vector<std::string>{"cat/a.json", "cat/b.json"}));
  ASSERT_EQ(c->scenarios.size(), 2u);
  EXPECT_EQ(c->scenarios[0].name, "one");
  EXPECT_EQ(c->scenarios[1].file, "cat/b.json");
  EXPECT_EQ(c->digest.rfind("crc32:", 0), 0u);
  EXPECT_EQ(c->digest.size(), 14u);
}

TEST(LoadCatalog, DigestFollowsTheContents) {
  vfs::MemVfs mem;
  mem.install_file("a.json", bytes(named("one").dump()));
  auto first = load_catalog(mem, "a.json");
  auto again = load_catalog(mem, "a.json");
  mem.install_file("a.json", bytes(named("uno").dump()));
  auto changed = load_catalog(mem, "a.json");
  ASSERT_TRUE(first.ok() && again.ok() && changed.ok());
  EXPECT_EQ(first->digest, again->digest);
  EXPECT_NE(first->digest, changed->digest);
}

TEST(LoadCatalog, DuplicateNamesAcrossFilesAndEveryFilesProblems) {
  vfs::MemVfs mem;
  mem.install_file("x.json", bytes(named("same").dump()));
  mem.install_file("y.json", bytes(named("same").dump()));
  json broken = named("other");
  scenario(broken)["crash"]["model"] = "nope";
  mem.install_file("z.json", bytes(broken.dump()));
  const std::vector<std::string> paths = {"x.json", "y.json", "z.json"};
  auto c = load_catalog(mem, paths);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(),
              HasSubstr("y.json: scenario 'same' (/scenarios/0/name): duplicate scenario name (also in x.json)"));
  EXPECT_THAT(c.status().message(), HasSubstr("z.json: scenario 'other' (/scenarios/0/crash/model): unknown model 'nope'"));
}

TEST(LoadCatalog, MissingPathsAndEmptyDirectories) {
  vfs::MemVfs mem;
  auto missing = load_catalog(mem, "nowhere.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().is_not_found());
  EXPECT_THAT(missing.status().message(), HasSubstr("nowhere.json"));
  ASSERT_TRUE(mem.create_dir("empty").ok());
  auto empty = load_catalog(mem, "empty");
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.status().message(), HasSubstr("no catalog files found"));
}

// The shipped catalog: it loads, and it keeps the promises the catalog page makes about it.
class ShippedCatalog : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = load_catalog(vfs::default_vfs(), source_dir());
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    catalog_ = std::move(c).value();
  }
  Catalog catalog_;
};

TEST_F(ShippedCatalog, LoadsEveryFile) {
  EXPECT_EQ(catalog_.files, (std::vector<std::string>{source_dir() + "/ci.json", source_dir() + "/extended.json",
                                                       source_dir() + "/mutants.json", source_dir() + "/peers.json",
                                                       source_dir() + "/reliability.json"}));
  EXPECT_GE(catalog_.scenarios.size(), 30u);
}

bool has_tag(const ScenarioSpec& s, std::string_view tag) {
  return std::find(s.tags.begin(), s.tags.end(), tag) != s.tags.end();
}

// ci.json and extended.json hold the clean engine's scenarios, mutants.json
// every mutant's, each tagged ci, extended or pending by where it runs.
TEST_F(ShippedCatalog, EachFileTagsItsScenariosAfterItself) {
  for (const ScenarioSpec& s : catalog_.scenarios) {
    const bool mutant = s.engine.mutant != engine::Mutant::kNone;
    EXPECT_EQ(mutant, s.file.ends_with("/mutants.json")) << s.name;
    if (mutant) {
      EXPECT_EQ(int(has_tag(s, "ci")) + int(has_tag(s, "extended")) + int(has_tag(s, "pending")), 1) << s.name;
      continue;
    }
    const std::string tag = s.file.ends_with("/ci.json")      ? "ci"
                            : s.file.ends_with("/peers.json") ? "peer"
                            : s.file.ends_with("/reliability.json") ? "reliability"
                                                                    : "extended";
    EXPECT_THAT(s.tags, ::testing::Contains(tag)) << s.name;
  }
}

TEST_F(ShippedCatalog, EveryMutantHasACiScenarioThatExpectsItsViolation) {
  std::set<engine::Mutant> caught;
  for (const ScenarioSpec& s : catalog_.scenarios) {
    if (s.system != "engine") continue;
    const bool mutant = s.engine.mutant != engine::Mutant::kNone;
    // A mutant scenario claims a violation and explains it; a clean one claims a pass.
    EXPECT_EQ(mutant, s.expect.violation.has_value()) << s.name;
    EXPECT_EQ(mutant, has_tag(s, "mutant")) << s.name;
    if (!mutant) continue;
    EXPECT_THAT(s.description, HasSubstr("MUTANT " + std::string(engine::mutant_name(s.engine.mutant)))) << s.name;
    EXPECT_THAT(s.description, HasSubstr("expect " + *s.expect.violation)) << s.name;
    // A pending scenario waits for a harness capability its description names.
    if (has_tag(s, "pending")) {
      EXPECT_THAT(s.description, HasSubstr("PENDING: ")) << s.name;
    }
    if (has_tag(s, "ci") || has_tag(s, "pending")) caught.insert(s.engine.mutant);
  }
  for (engine::Mutant m : engine::all_mutants()) EXPECT_TRUE(caught.contains(m)) << engine::mutant_name(m);
}

// The ci file has a clean-engine scenario for each kind of injected error
// the issue names: EIO on write, EIO on sync, ENOSPC and short writes.
TEST_F(ShippedCatalog, InjectsEachKindOfIoErrorIntoTheCleanEngineInCi) {
  bool eio_write = false, eio_sync = false, enospc = false, short_writes = false;
  for (const ScenarioSpec& s : catalog_.scenarios) {
    if (!s.file.ends_with("/ci.json") || s.engine.mutant != engine::Mutant::kNone) continue;
    for (const crashsim::FaultSpec& f : s.faults) {
      eio_write = eio_write || (f.point == crashsim::fault_point::kWrite && f.err == EIO);
      eio_sync = eio_sync || (f.point == crashsim::fault_point::kSync && f.err == EIO);
      enospc = enospc || f.err == ENOSPC;
      short_writes = short_writes || f.point == crashsim::fault_point::kShortWrite;
    }
  }
  EXPECT_TRUE(eio_write);
  EXPECT_TRUE(eio_sync);
  EXPECT_TRUE(enospc);
  EXPECT_TRUE(short_writes);
}

TEST_F(ShippedCatalog, CoversEveryModelAndBothPageSizeExtremes) {
  std::set<crashsim::ModelKind> models;
  std::set<uint32_t> page_sizes;
  for (const ScenarioSpec& s : catalog_.scenarios) {
    if (s.engine.mutant != engine::Mutant::kNone) continue;
    for (const crashsim::ModelConfig& m : s.simulation.models) models.insert(m.kind);
    page_sizes.insert(s.engine.page_size);
  }
  EXPECT_EQ(models.size(), 5u);
  EXPECT_TRUE(page_sizes.contains(engine::kMinPageSize));
  EXPECT_TRUE(page_sizes.contains(engine::kMaxPageSize));
}

// Each peer scenario (and each SQLite or LevelDB row of the reliability
// table) runs SQLite or LevelDB, is tagged with it, quotes the documentation
// it takes its expectation from, and says why when it turns the at-risk check
// off.
TEST_F(ShippedCatalog, PeerScenariosCiteTheirSystemsDocumentation) {
  std::set<std::string> systems;
  for (const ScenarioSpec& s : catalog_.scenarios) {
    const bool peer = s.file.ends_with("/peers.json") || (s.file.ends_with("/reliability.json") && s.system != "engine");
    if (!peer) continue;
    systems.insert(s.system);
    EXPECT_THAT(s.tags, ::testing::Contains(s.system)) << s.name;
    const std::string source = s.system == "sqlite" ? "sqlite.org/" : "doc/index.md";
    EXPECT_THAT(s.description, HasSubstr(source)) << s.name;
    EXPECT_THAT(s.description, ::testing::ContainsRegex("'[^']+'")) << s.name << " quotes nothing";
    if (!s.simulation.at_risk_check) {
      EXPECT_THAT(s.description, HasSubstr("at_risk is off")) << s.name;
    }
  }
  EXPECT_EQ(systems, (std::set<std::string>{"sqlite", "leveldb"}));
}

// The reliability table (docs/peers.md) compares like with like: one
// generated workload, and for each of the four systems one scenario under
// `corrupt` and one under the three power-loss models. Our engine claims a
// pass under both: zero silent outcomes is the requirement, not a finding.
TEST_F(ShippedCatalog, ReliabilityRunsOneWorkloadOnFourSystemsUnderBothCatalogs) {
  const auto workload = [](const crashsim::GeneratorSpec& g) {
    return std::tie(g.seed, g.transactions, g.min_ops_per_txn, g.max_ops_per_txn, g.key_space, g.min_key_size,
                    g.max_key_size, g.min_value_size, g.max_value_size, g.put_weight, g.delete_weight, g.get_weight,
                    g.reopen_every, g.crash_reopen_every, g.checkpoint_every);
  };
  const std::vector<crashsim::ModelKind> power_loss = {crashsim::ModelKind::kLoseUnsynced,
                                                       crashsim::ModelKind::kReorder, crashsim::ModelKind::kTorn};
  std::optional<crashsim::GeneratorSpec> first;
  std::map<std::string, std::set<std::string>> catalogs;  // system with its settings -> "corrupt", "power-loss"
  for (const ScenarioSpec& s : catalog_.scenarios) {
    if (!s.file.ends_with("/reliability.json")) continue;
    ASSERT_TRUE(s.workload.generator.has_value()) << s.name;
    if (!first) first = s.workload.generator;
    EXPECT_EQ(workload(*s.workload.generator), workload(*first)) << s.name;
    std::vector<crashsim::ModelKind> models;
    for (const crashsim::ModelConfig& m : s.simulation.models) models.push_back(m.kind);
    const bool corrupt = models == std::vector<crashsim::ModelKind>{crashsim::ModelKind::kCorrupt};
    EXPECT_TRUE(corrupt || models == power_loss) << s.name;
    const std::string system = s.system + s.system_setup.settings.dump();
    EXPECT_TRUE(catalogs[system].insert(corrupt ? "corrupt" : "power-loss").second) << s.name;
    if (s.system == "engine") {
      EXPECT_EQ(s.engine.mutant, engine::Mutant::kNone) << s.name;
      EXPECT_FALSE(s.expect.violation.has_value()) << s.name;
    }
  }
  EXPECT_EQ(catalogs.size(), 4u);
  for (const auto& [system, both] : catalogs) EXPECT_EQ(both.size(), 2u) << system;
}

}  // namespace
}  // namespace catalog
