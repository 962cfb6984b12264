#include "reports/sample_report.h"

#include <utility>

namespace reports::testing {
namespace {

TimelineOp op(uint64_t index, OpKind kind, std::string file, uint64_t offset, uint64_t length, Fate fate,
              std::string detail = {}) {
  return {index, kind, std::move(file), offset, length, fate, std::move(detail)};
}

TimelineOp marker(uint64_t index, std::string detail, Fate fate = Fate::kMarker) {
  return {index, OpKind::kMarker, {}, 0, 0, fate, std::move(detail)};
}

// A checkpoint interrupted after the WAL reset: the data pages it wrote are
// partly lost, one torn, while the commit before it was durable.
Timeline checkpoint_timeline() {
  Timeline t;
  t.files = {"db", "db-wal", "."};
  t.crash_point = 120;
  t.ops = {
      marker(104, "commit-called txn 11"),
      op(105, OpKind::kWrite, "db-wal", 45096, 12320, Fate::kPersisted, "write db-wal @45096 +12320"),
      op(106, OpKind::kSync, "db-wal", 0, 0, Fate::kBarrier, "sync db-wal"),
      marker(107, "commit-acked txn 11"),
      marker(108, "checkpoint-called"),
      op(109, OpKind::kWrite, "db", 0, 4096, Fate::kPersisted, "write db @0 +4096"),
      op(110, OpKind::kWrite, "db", 8192, 16384, Fate::kDropped, "write db @8192 +16384"),
      op(111, OpKind::kWrite, "db", 40960, 4096, Fate::kTorn, "write db @40960 +4096; sectors 0,1,5 of 8 on disk"),
      op(112, OpKind::kWrite, "db", 57344, 24, Fate::kDropped, "write db @57344 +24"),
      op(113, OpKind::kTruncate, "db", 65536, 0, Fate::kPersisted, "truncate db to 65536"),
      op(114, OpKind::kWrite, "db-wal", 0, 40, Fate::kPersisted, "write db-wal @0 +40 (header, generation 4)"),
      op(115, OpKind::kSync, "db-wal", 0, 0, Fate::kBarrier, "sync db-wal"),
      op(116, OpKind::kCreate, "db", 0, 0, Fate::kPersisted, "create db.tmp"),
      op(117, OpKind::kRename, "db", 0, 0, Fate::kPersisted, "rename db.tmp -> db.old"),
      op(118, OpKind::kRemove, "db", 0, 0, Fate::kDropped, "remove db.old"),
      op(119, OpKind::kSyncDir, ".", 0, 0, Fate::kBarrier, "sync-dir ."),
      op(120, OpKind::kSync, "db", 0, 0, Fate::kNotIssued, "sync db"),
      marker(121, "checkpoint-done", Fate::kNotIssued),
      op(122, OpKind::kWrite, "db-wal", 40, 4128, Fate::kNotIssued, "write db-wal @40 +4128"),
  };
  return t;
}

// A torn commit: the first frame whole, the rest torn.
Timeline torn_commit_timeline() {
  Timeline t;
  t.files = {"db", "db-wal"};
  t.crash_point = 31;
  t.ops = {
      op(26, OpKind::kWrite, "db-wal", 0, 40, Fate::kPersisted, "write db-wal @0 +40"),
      op(27, OpKind::kSync, "db-wal", 0, 0, Fate::kBarrier, "sync db-wal"),
      marker(28, "txn-begin txn 4"),
      marker(29, "commit-called txn 4"),
      op(30, OpKind::kWrite, "db-wal", 40, 1632, Fate::kTorn, "write db-wal @40 +1632; sectors 0,1 of 4 on disk"),
      op(31, OpKind::kSync, "db-wal", 0, 0, Fate::kNotIssued, "sync db-wal"),
  };
  return t;
}

ModelResult model(std::string name, double total, uint64_t checked, double seconds) {
  ModelResult m;
  m.model = std::move(name);
  m.crash_points = checked / 4 + 1;
  m.states_total = total;
  m.states_generated = checked + checked / 10;
  m.states_checked = checked;
  m.duplicates_skipped = checked / 10;
  m.seconds = seconds;
  m.oracle_seconds = seconds / 8;
  m.verify_seconds = seconds / 4;
  return m;
}

}  // namespace

Report sample_report() {
  Report r;
  r.run.tool_version = "0.1.0";
  r.run.started = "2024-05-01T10:00:00Z";
  r.run.duration_seconds = 95.2;
  r.run.jobs = 2;
  r.run.catalog_files = {"scenarios/ci.json", "scenarios/extended.json"};
  r.run.catalog_digest = "crc32:1234abcd";
  r.run.command = "crashsim run scenarios/ci.json --out report";

  ScenarioResult churn;
  churn.name = "churn-power-loss";
  churn.description = "puts and deletes over a small key set, power lost anywhere";
  churn.file = "scenarios/ci.json";
  churn.index = 2;
  churn.tags = {"ci", "durability"};
  churn.trace_ops = 612;
  churn.commits = 30;
  churn.acked = 30;
  churn.expect.allow_no_states = true;  // round-trips the optional field
  ModelResult reorder = model("reorder", 1.5e21, 3000, 12.5);
  reorder.sampled = true;
  reorder.recovery_states_checked = 8000;
  reorder.nested_checked_by_depth = {6500, 1500};
  reorder.nested_after_new_writes = 5200;
  reorder.recovery_paths = {{"torn-tail-discarded", 812}, {"uncommitted-txn-dropped", 640},
                            {"stale-frames-ignored", 75}, {"checkpoint-redone", 2101}};
  churn.models.push_back(reorder);
  r.scenarios.push_back(churn);

  ScenarioResult caught;
  caught.name = "mutant-no-commit-record";
  caught.description = "recovery replays intact frames of a transaction whose commit frame was torn away";
  caught.file = "scenarios/ci.json";
  caught.index = 3;
  caught.tags = {"ci", "mutant"};
  caught.system = "engine[no-commit-record]";
  caught.mutant = "no-commit-record";
  caught.expect = {true, "atomicity"};
  ModelResult torn = model("torn", 48, 48, 0.41);
  torn.recovery_paths = {{"torn-tail-discarded", 20}};
  torn.violation_counts = {{"atomicity", 3}};
  Violation partial;
  partial.state_id = "31:torn:512:3";
  partial.invariant = "atomicity";
  partial.expected = "txn 4 wholly visible or wholly absent";
  partial.observed = "key \"a00\" = \"txn 4 value\" but key \"a15\" = \"txn 3 value\"";
  partial.message = "a transaction is partly visible";
  partial.cause = "missing-sync";
  partial.power_loss_only = true;
  partial.replay = "crashsim replay scenarios/mutants.json --scenario mutant-no-commit-record --state 31:torn:512:3";
  partial.timeline = torn_commit_timeline();
  torn.violations.push_back(partial);
  caught.models.push_back(torn);
  r.scenarios.push_back(caught);

  ScenarioResult failing;
  failing.name = "checkpoint-then-crash";
  failing.description = "power lost during a checkpoint";
  failing.file = "scenarios/ci.json";
  failing.index = 6;
  failing.tags = {"ci", "script", "checkpoint"};
  ModelResult lose = model("lose-unsynced", 130, 130, 0.9);
  lose.recovery_paths = {{"checkpoint-redone", 44}, {"wal-header-rewritten", 3}};
  lose.violation_counts = {{"durability", 2}};
  for (int i = 0; i < 2; ++i) {
    Violation v;
    v.state_id = std::to_string(120 + i) + ":lose-unsynced";
    v.invariant = "durability";
    v.expected = "key \"apple\" = \"green\" (txn 11, acknowledged at op 107)";
    v.observed = "key \"apple\" = \"red\"";
    v.message = "an acknowledged transaction is missing after recovery";
    v.cause = "missing-sync";
    v.power_loss_only = true;
    v.replay = "crashsim replay scenarios/ci.json --scenario checkpoint-then-crash --state " + v.state_id;
    v.timeline = checkpoint_timeline();
    v.timeline->crash_point += static_cast<uint64_t>(i);
    lose.violations.push_back(v);
  }
  failing.models.push_back(lose);
  failing.models.push_back(model("reorder", 900, 900, 4.2));
  r.scenarios.push_back(failing);

  ScenarioResult missed;
  missed.name = "mutant-no-data-fsync";
  missed.description = "checkpoints never sync the data file";
  missed.file = "scenarios/ci.json";
  missed.index = 18;
  missed.tags = {"ci", "mutant"};
  missed.mutant = "no-data-fsync";
  missed.expect = {true, "recovery"};
  missed.models.push_back(model("lose-unsynced", 77, 77, 0.3));
  r.scenarios.push_back(missed);

  ScenarioResult hostile;
  hostile.name = std::string("hostile-") + kHostile;
  hostile.description = std::string("description ") + kHostile;
  hostile.file = "scenarios/extended.json";
  hostile.index = 0;
  hostile.tags = {"tag-<b>"};
  hostile.mutant = kHostile;
  hostile.expect = {true, std::string("inv") + kHostile};
  ModelResult broken = model(std::string("model") + kHostile, 10, 3, 0.01);
  broken.error = std::string("open failed: ") + kHostile;
  broken.fault_regions = {{"wal-header", {8, 4, 1, 0, 1, 1, 1, 0}}, {std::string("region") + kHostile, {3, 0, 0, 3, 0, 0, 0, 0}}};
  hostile.models.push_back(broken);
  ModelResult workload_check;
  workload_check.model = "workload";
  workload_check.violation_counts = {{"workload-read", 1}};
  Violation wrong_read;
  wrong_read.state_id = "0:process-crash";
  wrong_read.invariant = "workload-read";
  wrong_read.expected = std::string("expected ") + kHostile;
  wrong_read.observed = std::string("observed ") + kHostile;
  wrong_read.replay = std::string("crashsim replay '") + kHostile + "'";
  Timeline hostile_timeline;
  hostile_timeline.files = {kHostile};
  hostile_timeline.crash_point = 2;
  hostile_timeline.ops = {op(0, OpKind::kWrite, kHostile, 0, 100, Fate::kPersisted, kHostile),
                          op(1, OpKind::kSync, kHostile, 0, 0, Fate::kBarrier, kHostile),
                          marker(2, kHostile, Fate::kNotIssued)};
  wrong_read.timeline = hostile_timeline;
  workload_check.violations.push_back(wrong_read);
  hostile.checks.push_back(workload_check);
  hostile.at_risk.push_back({3, 9, {{5, kHostile, kHostile}}});
  r.scenarios.push_back(hostile);

  ScenarioResult error;
  error.name = "reopen-mid-run";
  error.description = "closes and reopens between commits";
  error.file = "scenarios/extended.json";
  error.index = 1;
  error.error = "workload step 4 (reopen): open db: Input/output error (EIO)";
  r.scenarios.push_back(error);
  return r;
}

}  // namespace reports::testing
