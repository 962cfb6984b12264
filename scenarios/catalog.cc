#include "scenarios/catalog.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <utility>

#include "crashsim/check/invariants.h"
#include "crashsim/engine_adapter.h"
#include "reports/json_reader.h"
#include "reports/text_file.h"

namespace catalog {
namespace {

using nlohmann::json;
using reports::JsonProblem;
using reports::JsonValue;
using reports::Need;
using reports::ObjectReader;
using reports::pointer_append;

constexpr std::array<std::string_view, 14> kInvariantNames = {
    crashsim::invariant::kRecovery,           crashsim::invariant::kDurability,
    crashsim::invariant::kAtomicity,          crashsim::invariant::kOrdering,
    crashsim::invariant::kStructure,          crashsim::invariant::kLeak,
    crashsim::invariant::kIdempotentRecovery, crashsim::invariant::kSilentCorruption,
    crashsim::invariant::kSilentLoss,
    crashsim::invariant::kWritableAfterRecovery, crashsim::invariant::kWorkloadRead,
    crashsim::invariant::kErrorDiscipline,    crashsim::invariant::kWorkload,
    crashsim::invariant::kSnapshotIsolation};
constexpr std::array<crashsim::ModelKind, 5> kModels = {
    crashsim::ModelKind::kProcessCrash, crashsim::ModelKind::kLoseUnsynced, crashsim::ModelKind::kReorder,
    crashsim::ModelKind::kTorn, crashsim::ModelKind::kCorrupt};
constexpr std::array<crashsim::StepKind, 12> kStepKinds = {
    crashsim::StepKind::kPut,          crashsim::StepKind::kDelete,      crashsim::StepKind::kGet,
    crashsim::StepKind::kCommit,       crashsim::StepKind::kCheckpoint,  crashsim::StepKind::kReopen,
    crashsim::StepKind::kCrashReopen,  crashsim::StepKind::kQueueCommit, crashsim::StepKind::kSnapshot,
    crashsim::StepKind::kSnapshotGet,  crashsim::StepKind::kSnapshotScan, crashsim::StepKind::kRelease};
constexpr std::array<std::string_view, 2> kVerdictNames = {"pass", "violation"};
constexpr std::array<std::string_view, 2> kPointNames = {"all", "syncs"};
constexpr std::array<std::string_view, 4> kErrnoNames = {"EIO", "ENOSPC", "EDQUOT", "EROFS"};
constexpr std::array<crashsim::AfterFailedSync, 2> kProfiles = {crashsim::AfterFailedSync::kDrop,
                                                                crashsim::AfterFailedSync::kKeep};

// Upper bounds that keep a scenario runnable; docs/catalog.md lists them.
constexpr uint64_t kMaxTransactions = 1'000'000;
constexpr uint64_t kMaxOpsPerTxn = 10'000;
constexpr uint64_t kMaxKeySpace = 1'000'000'000;
constexpr uint64_t kMaxStates = 100'000'000;
constexpr uint32_t kMaxContinuationCommits = 16;
// Nested states per parent unless the scenario says otherwise: every one would
// multiply a catalog's run time by the length of the store's run on a state.
constexpr uint32_t kDefaultNestedPerState = 8;
constexpr uint64_t kMaxCachePages = 1u << 24;
// The values of a script's puts are built in memory when the catalog loads
// (a value_size becomes that many bytes of filler): a catalog may not ask
// for more than this in all of one script's values.
constexpr uint64_t kMaxScriptValueBytes = 256ull << 20;
constexpr uint32_t kMinSectorSize = 512;
constexpr uint32_t kMaxSectorSize = 65536;
constexpr double kMixTolerance = 1e-9;
// The generator takes integer weights: a mix weight w becomes w * kMixScale.
constexpr double kMixScale = 1'000'000;

// A name appears in replay commands and file names: keep it shell-safe.
bool valid_name(std::string_view s, bool allow_dot) {
  if (s.empty() || s.size() > 100) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    const bool punct = c == '-' || c == '_' || (allow_dot && c == '.');
    if (!alnum && (i == 0 || !punct)) return false;
  }
  return true;
}

template <class Kind, size_t N, class NameOf>
std::vector<std::string_view> names_of(const std::array<Kind, N>& kinds, NameOf name_of) {
  std::vector<std::string_view> names;
  for (Kind k : kinds) names.push_back(name_of(k));
  return names;
}

std::vector<std::string_view> mutant_names() {
  std::vector<std::string_view> names = {engine::mutant_name(engine::Mutant::kNone)};
  for (engine::Mutant m : engine::all_mutants()) names.push_back(engine::mutant_name(m));
  return names;
}

// [min, max] with lo <= min <= max <= hi, into two fields.
void read_range(const ObjectReader& o, std::string_view key, uint64_t lo, uint64_t hi, uint32_t& min_out,
                uint32_t& max_out) {
  std::optional<JsonValue> v = o.member(key, Need::kOptional);
  std::optional<std::vector<JsonValue>> items = v ? v->as_array() : std::nullopt;
  if (!items) return;
  if (items->size() != 2) {
    v->problem("expected [min, max], got an array of " + std::to_string(items->size()));
    return;
  }
  hi = std::min<uint64_t>(hi, UINT32_MAX);
  std::optional<uint64_t> min = (*items)[0].as_uint(lo, hi);
  std::optional<uint64_t> max = (*items)[1].as_uint(lo, hi);
  if (!min || !max) return;
  if (*min > *max) {
    v->problem("min " + std::to_string(*min) + " is greater than max " + std::to_string(*max));
    return;
  }
  min_out = static_cast<uint32_t>(*min);
  max_out = static_cast<uint32_t>(*max);
}

// The longest key a scenario's system takes, and what sets it (for messages).
struct KeyLimit {
  uint32_t bytes = 0;
  std::string set_by;  // "page_size 4096", "system sqlite"
};

// The engine's own settings (system "engine"; becomes engine::Options).
engine::Options read_engine(const ObjectReader& o) {
  engine::Options e;
  e.page_size = engine::kDefaultPageSize;
  read_power_of_two(o, "page_size", engine::kMinPageSize, engine::kMaxPageSize, e.page_size);
  o.read_uint("checkpoint_every", Need::kOptional, 0, UINT32_MAX, e.checkpoint_every_commits);
  o.read_uint("cache_pages", Need::kOptional, 0, kMaxCachePages, e.cache_pages);
  if (std::optional<JsonValue> m = o.member("mutant", Need::kOptional); m && !m->json().is_null()) {
    const std::vector<std::string_view> names = mutant_names();
    if (std::optional<size_t> i = m->as_name(names, "mutant")) e.mutant = *engine::mutant_from_name(names[*i]);
  }
  o.read_bool("cross_checks", Need::kOptional, e.cross_checks);
  return e;
}

}  // namespace

SystemSetup engine_setup(const engine::Options& e) {
  SystemSetup setup;
  setup.make = [e] { return std::make_unique<crashsim::EngineSystem>(e); };
  setup.settings = {{"page_size", e.page_size},
                    {"checkpoint_every", e.checkpoint_every_commits},
                    {"cache_pages", e.cache_pages},
                    {"mutant", e.mutant == engine::Mutant::kNone ? nlohmann::ordered_json(nullptr)
                                                                 : nlohmann::ordered_json(engine::mutant_name(e.mutant))},
                    {"cross_checks", e.cross_checks}};
  return setup;
}

namespace {

// Reads the engine block: which system ("system", default "engine") and its
// settings, into spec.system, spec.engine and spec.system_setup.
KeyLimit read_system(const std::optional<JsonValue>& v, ScenarioSpec& spec) {
  spec.engine.page_size = engine::kDefaultPageSize;
  if (v && v->json().is_object() && v->json().contains("system")) {
    const std::vector<std::string> names = system_names();
    const std::vector<std::string_view> views(names.begin(), names.end());
    const JsonValue system = v->related(*v->json().find("system"), pointer_append(v->pointer(), "system"));
    std::optional<size_t> i = system.as_name(views, "system");
    if (!i) return {engine::max_key_size(spec.engine.page_size), "page_size " + std::to_string(spec.engine.page_size)};
    spec.system = names[*i];
  }
  if (spec.system == "engine") {
    if (v) spec.engine = read_engine(ObjectReader(*v, {"page_size", "checkpoint_every", "cache_pages", "mutant", "cross_checks", "system"}));
    spec.system_setup = engine_setup(spec.engine);
    return {engine::max_key_size(spec.engine.page_size), "page_size " + std::to_string(spec.engine.page_size)};
  }
  const SystemKind* kind = find_system(spec.system);
  std::vector<std::string_view> keys(kind->settings.begin(), kind->settings.end());
  keys.emplace_back("system");
  spec.system_setup = kind->read(ObjectReader(*v, keys));
  return {kind->max_key_size, "system " + spec.system};
}

void read_mix(const JsonValue& v, crashsim::GeneratorSpec& g) {
  ObjectReader o(v, {"put", "delete", "get"});
  if (!o.valid()) return;
  double put = 0, del = 0, get = 0;
  bool ok = true;
  auto weight = [&](std::string_view key, double& out) {
    if (o.has(key)) ok = o.read_number(key, Need::kOptional, 0, 1, out) && ok;
  };
  weight("put", put);
  weight("delete", del);
  weight("get", get);
  if (!ok) return;
  const double sum = put + del + get;
  if (std::fabs(sum - 1.0) > kMixTolerance) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", sum);
    v.problem(std::string("mix weights sum to ") + buf + ", expected 1");
    return;
  }
  g.put_weight = static_cast<uint32_t>(std::llround(put * kMixScale));
  g.delete_weight = static_cast<uint32_t>(std::llround(del * kMixScale));
  g.get_weight = static_cast<uint32_t>(std::llround(get * kMixScale));
}

crashsim::GeneratorSpec read_generator(const ObjectReader& o, const KeyLimit& keys) {
  crashsim::GeneratorSpec g;
  o.read_uint("seed", Need::kOptional, 0, UINT64_MAX, g.seed);
  o.read_uint("transactions", Need::kRequired, 1, kMaxTransactions, g.transactions);
  read_range(o, "ops_per_txn", 1, kMaxOpsPerTxn, g.min_ops_per_txn, g.max_ops_per_txn);
  o.read_uint("key_space", Need::kOptional, 1, kMaxKeySpace, g.key_space);
  read_range(o, "key_size", 1, keys.bytes, g.min_key_size, g.max_key_size);
  read_range(o, "value_size", 0, engine::kMaxValueSize, g.min_value_size, g.max_value_size);
  if (std::optional<JsonValue> mix = o.member("mix", Need::kOptional)) read_mix(*mix, g);
  o.read_uint("reopen_every", Need::kOptional, 0, kMaxTransactions, g.reopen_every);
  o.read_uint("crash_reopen_every", Need::kOptional, 0, kMaxTransactions, g.crash_reopen_every);
  o.read_uint("group_commits", Need::kOptional, 0, kMaxTransactions, g.group_commits);
  o.read_uint("checkpoint_every", Need::kOptional, 0, kMaxTransactions, g.checkpoint_every);
  o.read_uint("snapshot_every", Need::kOptional, 0, kMaxTransactions, g.snapshot_every);
  o.read_uint("snapshot_hold", Need::kOptional, 1, kMaxTransactions, g.snapshot_hold);
  o.read_uint("snapshot_reads", Need::kOptional, 0, kMaxOpsPerTxn, g.snapshot_reads);
  return g;
}

// `fillers`: build the filler of a value_size (off when the script asks for
// too much in all).
crashsim::Step read_step(const JsonValue& v, size_t index, const KeyLimit& keys, bool fillers) {
  crashsim::Step step;
  ObjectReader o(v, {"op", "key", "value", "value_size", "snapshot"});
  std::optional<JsonValue> op = o.member("op", Need::kRequired);
  const std::vector<std::string_view> names = names_of(kStepKinds, crashsim::step_kind_name);
  std::optional<size_t> which = op ? op->as_name(names, "script op") : std::nullopt;
  if (!which) return step;
  step.kind = kStepKinds[*which];
  const bool keyed = step.kind == crashsim::StepKind::kPut || step.kind == crashsim::StepKind::kDelete ||
                     step.kind == crashsim::StepKind::kGet || step.kind == crashsim::StepKind::kSnapshotGet;
  const bool put = step.kind == crashsim::StepKind::kPut;
  const bool numbered = crashsim::names_snapshot(step.kind);
  // Fields that mean nothing for this op are mistakes, not decoration.
  for (std::string_view key : {"key", "value", "value_size", "snapshot"}) {
    const bool used = key == "key" ? keyed : key == "snapshot" ? numbered : put;
    if (!used && o.has(key))
      o.member(key, Need::kOptional)
          ->problem("'" + std::string(key) + "' is not used by a '" + std::string(names[*which]) + "' step");
  }
  if (numbered) o.read_uint("snapshot", Need::kRequired, 0, UINT32_MAX, step.snapshot);
  if (keyed && o.read_string("key", Need::kRequired, step.key)) {
    if (step.key.empty() || step.key.size() > keys.bytes)
      o.member("key", Need::kOptional)
          ->problem("key of " + std::to_string(step.key.size()) + " bytes (expected 1 to " + std::to_string(keys.bytes) +
                    " bytes for " + keys.set_by + ")");
  }
  if (!put) return step;
  if (o.has("value") == o.has("value_size")) {
    v.problem("a put step has exactly one of 'value' and 'value_size'");
  } else if (o.has("value")) {
    o.read_string("value", Need::kOptional, step.value);
  } else {
    uint64_t size = 0;
    if (o.read_uint("value_size", Need::kOptional, 0, engine::kMaxValueSize, size) && fillers)
      step.value = filler_value(index, size);
  }
  return step;
}

// The bytes a script's puts would hold in memory, read before any filler is
// built; each step's own fields are checked after.
uint64_t script_value_bytes(const std::vector<JsonValue>& steps) {
  uint64_t total = 0;
  for (const JsonValue& step : steps) {
    const json& j = step.json();
    if (!j.is_object()) continue;
    if (const auto v = j.find("value"); v != j.end() && v->is_string()) total += v->get_ref<const std::string&>().size();
    if (const auto v = j.find("value_size"); v != j.end() && v->is_number_unsigned())
      total += std::min(v->get<uint64_t>(), engine::kMaxValueSize);
  }
  return total;
}

// Every put and delete reaches a commit (a queue-commit's through the
// commit after it); checkpoint and reopen never meet a half-built batch or a
// held one; a commit writes something.
void check_batches(const JsonValue& script, const std::vector<crashsim::Step>& steps) {
  size_t pending = 0;
  size_t queued = 0;
  auto at = [&](size_t i) { return script.related(script.json(), pointer_append(script.pointer(), i)); };
  for (size_t i = 0; i < steps.size(); ++i) {
    switch (steps[i].kind) {
      case crashsim::StepKind::kPut:
      case crashsim::StepKind::kDelete:
        ++pending;
        break;
      case crashsim::StepKind::kGet:
      case crashsim::StepKind::kSnapshot:
      case crashsim::StepKind::kSnapshotGet:
      case crashsim::StepKind::kSnapshotScan:
      case crashsim::StepKind::kRelease:
        break;
      case crashsim::StepKind::kCommit:
      case crashsim::StepKind::kQueueCommit:
        if (pending == 0)
          at(i).problem(std::string(crashsim::step_kind_name(steps[i].kind)) +
                        " with no put or del since the last commit writes nothing");
        pending = 0;
        queued = steps[i].kind == crashsim::StepKind::kQueueCommit ? queued + 1 : 0;
        break;
      case crashsim::StepKind::kCheckpoint:
      case crashsim::StepKind::kReopen:
      case crashsim::StepKind::kCrashReopen:
        if (pending > 0)
          at(i).problem(std::string(crashsim::step_kind_name(steps[i].kind)) + " with " + std::to_string(pending) +
                        " uncommitted step(s) before it: add a commit");
        if (queued > 0)
          at(i).problem(std::string(crashsim::step_kind_name(steps[i].kind)) + " with " + std::to_string(queued) +
                        " queue-commit transaction(s) held before it: add a commit");
        break;
    }
  }
  if (pending > 0)
    at(steps.size() - 1)
        .problem("the script ends with " + std::to_string(pending) + " uncommitted step(s): add a commit");
  if (queued > 0)
    at(steps.size() - 1)
        .problem("the script ends with " + std::to_string(queued) + " queue-commit transaction(s) held: add a commit");
}

crashsim::WorkloadSpec read_workload(const JsonValue& v, const KeyLimit& keys) {
  crashsim::WorkloadSpec w;
  // A workload is a generator or a script: the keys of both are allowed
  // here so that mixing them gets a message saying so, not "unknown field".
  ObjectReader o(v, {"script", "seed", "transactions", "ops_per_txn", "key_space", "key_size", "value_size", "mix",
                     "reopen_every", "crash_reopen_every", "group_commits", "checkpoint_every", "snapshot_every",
                     "snapshot_hold", "snapshot_reads", "verify_each_commit"});
  if (!o.valid()) return w;
  o.read_bool("verify_each_commit", Need::kOptional, w.verify_each_commit);
  if (!o.has("script")) {
    w.generator = read_generator(o, keys);
    return w;
  }
  for (const auto& [key, value] : v.json().items())
    if (key != "script" && key != "verify_each_commit")
      v.related(value, pointer_append(v.pointer(), key))
          .problem("generator field '" + key + "' cannot be combined with 'script'");
  std::optional<JsonValue> script = o.member("script", Need::kRequired);
  std::optional<std::vector<JsonValue>> items = script->as_array();
  if (!items) return w;
  if (items->empty()) {
    script->problem("a script has at least one step");
    return w;
  }
  const uint64_t value_bytes = script_value_bytes(*items);
  const bool fillers = value_bytes <= kMaxScriptValueBytes;
  if (!fillers)
    script->problem("the script's values add up to " + std::to_string(value_bytes) + " bytes, over the " +
                    std::to_string(kMaxScriptValueBytes) + " a script may hold");
  for (size_t i = 0; i < items->size(); ++i) w.script.push_back(read_step((*items)[i], i, keys, fillers));
  check_batches(*script, w.script);
  if (const vfs::Status held = crashsim::check_snapshot_steps(w.script); !held.ok()) script->problem(held.message());
  return w;
}

void read_points(const JsonValue& v, crashsim::SimulationOptions& sim) {
  if (v.json().is_string()) {
    if (std::optional<size_t> i = v.as_name(kPointNames, "points mode"))
      sim.points = *i == 0 ? crashsim::PointSelection::kAll : crashsim::PointSelection::kAroundSyncs;
    return;
  }
  if (!v.json().is_object()) {
    v.problem(std::string("expected \"all\", \"syncs\" or {\"sample\": N}, got ") + v.json().type_name());
    return;
  }
  ObjectReader o(v, {"sample"});
  if (o.read_uint("sample", Need::kRequired, 1, UINT32_MAX, sim.point_samples))
    sim.points = crashsim::PointSelection::kSample;
}

std::vector<crashsim::ModelKind> read_models(const JsonValue& v) {
  const std::vector<std::string_view> names = names_of(kModels, crashsim::model_name);
  std::vector<crashsim::ModelKind> out;
  auto one = [&](const JsonValue& item) {
    std::optional<size_t> i = item.as_name(names, "model");
    if (!i) return;
    if (std::find(out.begin(), out.end(), kModels[*i]) != out.end())
      item.problem("model '" + std::string(names[*i]) + "' listed twice");
    else
      out.push_back(kModels[*i]);
  };
  if (!v.json().is_array()) {
    one(v);
    return out;
  }
  std::optional<std::vector<JsonValue>> items = v.as_array();
  if (items->empty()) v.problem("expected at least one model");
  for (const JsonValue& item : *items) one(item);
  return out;
}

// One entry of "faults" (crashsim::FaultSpec; docs/catalog.md).
crashsim::FaultSpec read_fault(const JsonValue& v) {
  crashsim::FaultSpec f;
  ObjectReader o(v, {"point", "nth", "times", "probability", "seed", "errno", "file", "partial"});
  if (!o.valid()) return f;
  const std::vector<std::string_view> points(crashsim::fault_point::kAll.begin(), crashsim::fault_point::kAll.end());
  if (std::optional<JsonValue> p = o.member("point", Need::kRequired))
    if (std::optional<size_t> i = p->as_name(points, "fault point")) f.point = std::string(points[*i]);
  const bool splits = f.point == crashsim::fault_point::kShortWrite;
  // A field that means nothing for this fault is a mistake, not decoration.
  auto unused = [&](std::string_view key, const std::string& why) {
    if (o.has(key)) o.member(key, Need::kOptional)->problem("'" + std::string(key) + "' " + why);
  };
  if (o.has("nth") == o.has("probability")) v.problem("a fault has exactly one of 'nth' and 'probability'");
  if (o.has("nth")) {
    o.read_uint("nth", Need::kOptional, 1, UINT64_MAX, f.nth);
    o.read_uint("times", Need::kOptional, 0, UINT64_MAX, f.times);
    unused("seed", "is only used with 'probability'");
  } else if (o.has("probability")) {
    if (o.read_number("probability", Need::kOptional, 0, 1, f.probability) && f.probability == 0)
      o.member("probability", Need::kOptional)->problem("probability 0 never fails anything: use (0, 1]");
    o.read_uint("seed", Need::kOptional, 0, UINT64_MAX, f.seed);
    unused("times", "is only used with 'nth'");
  }
  if (splits) {
    unused("errno", "is not used by vfs/short_write, which does not fail");
  } else if (std::optional<JsonValue> e = o.member("errno", Need::kOptional)) {
    if (std::optional<size_t> i = e->as_name(kErrnoNames, "errno")) f.err = *crashsim::errno_from_name(kErrnoNames[*i]);
  }
  if (o.read_string("file", Need::kOptional, f.file) && f.file.empty())
    o.member("file", Need::kOptional)->problem("file is empty: name the path (\"db-wal\") or omit it for every file");
  if (o.read_bool("partial", Need::kOptional, f.partial) && f.partial && f.point != crashsim::fault_point::kWrite)
    o.member("partial", Need::kOptional)->problem("'partial' applies to vfs/write only");
  return f;
}

std::vector<crashsim::FaultSpec> read_faults(const JsonValue& v) {
  std::vector<crashsim::FaultSpec> out;
  std::optional<std::vector<JsonValue>> items = v.as_array();
  if (!items) return out;
  if (items->empty()) v.problem("a faults list has at least one fault (omit 'faults' for none)");
  for (const JsonValue& item : *items) out.push_back(read_fault(item));
  return out;
}

// Whether the workload checkpoints: an explicit step, or the engine's
// automatic checkpoint within the run's commits. Then the continuation after
// each recovery checkpoints too.
bool workload_checkpoints(const ScenarioSpec& spec) {
  uint64_t commits = 0;
  if (spec.workload.generator) {
    if (spec.workload.generator->checkpoint_every > 0) return true;
    commits = spec.workload.generator->transactions;
  }
  for (const crashsim::Step& step : spec.workload.script) {
    if (step.kind == crashsim::StepKind::kCheckpoint) return true;
    commits += step.kind == crashsim::StepKind::kCommit || step.kind == crashsim::StepKind::kQueueCommit;
  }
  const uint64_t every = spec.engine.checkpoint_every_commits;
  return every > 0 && every <= commits;
}

// "recovery_crashes": true (depth 1), false (depth 0), or an object (docs/catalog.md).
void read_recovery_crashes(const JsonValue& v, crashsim::SimulationOptions& sim) {
  if (v.json().is_boolean()) {
    sim.nesting.depth = v.json().get<bool>() ? 1 : 0;
    return;
  }
  if (!v.json().is_object()) {
    v.problem("expected true, false or an object with depth, models, commits, checkpoint, states_per_state");
    return;
  }
  ObjectReader o(v, {"depth", "models", "commits", "checkpoint", "states_per_state"});
  o.read_uint("depth", Need::kOptional, 0, crashsim::kMaxNestingDepth, sim.nesting.depth);
  if (std::optional<JsonValue> m = o.member("models", Need::kOptional)) {
    sim.nesting.models = read_models(*m);
    if (std::find(sim.nesting.models.begin(), sim.nesting.models.end(), crashsim::ModelKind::kCorrupt) !=
        sim.nesting.models.end())
      m->problem("nested crash states are never under 'corrupt' (a media fault is not a crash to recover from)");
  }
  o.read_uint("commits", Need::kOptional, 1, kMaxContinuationCommits, sim.continuation.commits);
  o.read_bool("checkpoint", Need::kOptional, sim.continuation.checkpoint);
  o.read_uint("states_per_state", Need::kOptional, 0, kMaxStates, sim.nesting.states_per_state);
}

// Fills `spec.simulation` and `spec.max_states`. Reads spec.faults, the
// workload and the engine options.
void read_crash(const JsonValue& v, ScenarioSpec& spec) {
  crashsim::SimulationOptions& sim = spec.simulation;
  sim.continuation.checkpoint = workload_checkpoints(spec);
  sim.nesting.states_per_state = kDefaultNestedPerState;
  ObjectReader o(v, {"model", "points", "max_states", "sector_size", "recovery_crashes", "seed", "after_failed_sync",
                     "creations_durable", "at_risk"});
  std::vector<crashsim::ModelKind> models;
  if (std::optional<JsonValue> m = o.member("model", Need::kRequired)) models = read_models(*m);
  if (std::optional<JsonValue> p = o.member("points", Need::kOptional)) read_points(*p, sim);
  o.read_uint("max_states", Need::kOptional, 1, kMaxStates, spec.max_states);
  uint32_t sector_size = crashsim::ModelConfig{}.sector_size;
  read_power_of_two(o, "sector_size", kMinSectorSize, kMaxSectorSize, sector_size);
  if (std::optional<JsonValue> r = o.member("recovery_crashes", Need::kOptional)) read_recovery_crashes(*r, sim);
  o.read_bool("creations_durable", Need::kOptional, sim.fs.creations_durable);
  o.read_bool("at_risk", Need::kOptional, sim.at_risk_check);
  uint64_t seed = 1;
  o.read_uint("seed", Need::kOptional, 0, UINT64_MAX, seed);
  sim.point_seed = seed;
  if (std::optional<JsonValue> p = o.member("after_failed_sync", Need::kOptional)) {
    const std::vector<std::string_view> names = names_of(kProfiles, crashsim::after_failed_sync_name);
    if (std::optional<size_t> i = p->as_name(names, "after_failed_sync profile")) {
      sim.fs.after_failed_sync = kProfiles[*i];
      if (spec.faults.empty()) p->problem("after_failed_sync means nothing without 'faults' (no sync ever fails)");
    }
  }
  sim.models.clear();
  for (crashsim::ModelKind kind : models) {
    crashsim::ModelConfig config;
    config.kind = kind;
    config.sector_size = sector_size;
    config.seed = seed;
    sim.models.push_back(config);
  }
}

Expectation read_expect(const JsonValue& v, const crashsim::SimulationOptions& sim) {
  Expectation e;
  ObjectReader o(v, {"verdict", "invariant", "allow_no_states"});
  o.read_bool("allow_no_states", Need::kOptional, e.allow_no_states);
  std::optional<JsonValue> verdict = o.member("verdict", Need::kRequired);
  std::optional<size_t> which = verdict ? verdict->as_name(kVerdictNames, "verdict") : std::nullopt;
  if (!which) return e;
  if (*which == 0) {
    if (o.has("invariant"))
      o.member("invariant", Need::kOptional)->problem("'invariant' is only allowed with verdict 'violation'");
    return e;
  }
  std::optional<JsonValue> inv = o.member("invariant", Need::kRequired);
  std::optional<size_t> i = inv ? inv->as_name(kInvariantNames, "invariant") : std::nullopt;
  if (!i) return e;
  e.violation = std::string(kInvariantNames[*i]);
  // Claims that could never come true are refused now, not discovered as a
  // failed expectation after the run.
  if (*e.violation == crashsim::invariant::kIdempotentRecovery && sim.nesting.depth == 0)
    inv->problem("idempotent-recovery is only checked with recovery crashes (\"recovery_crashes\": depth 1 or more)");
  if (*e.violation == crashsim::invariant::kErrorDiscipline)
    inv->problem("error-discipline is judged on the recorded run, not by a model, and shows as the 'faults' check: "
                 "expect what the models find (durability, under \"after_failed_sync\": \"drop\")");
  if (*e.violation == crashsim::invariant::kWorkload)
    inv->problem("workload (a step that failed while recording) is judged on the recorded run, not by a model, and "
                 "shows as the 'workload' check: expect what the models find in the crash states before it");
  return e;
}

ScenarioSpec read_scenario(const JsonValue& v) {
  ScenarioSpec s;
  // One place lists a scenario's fields: a new one is added here, read
  // below, and described in the schema and docs/catalog.md.
  ObjectReader o(v, {"name", "description", "tags", "engine", "workload", "faults", "crash", "expect"});
  if (!o.valid()) return s;
  if (o.read_string("name", Need::kRequired, s.name) && !valid_name(s.name, true))
    o.member("name", Need::kOptional)
        ->problem("name '" + s.name + "' must be 1 to 100 of a-z, 0-9, '.', '_', '-', starting with a letter or digit");
  if (o.read_string("description", Need::kRequired, s.description) && s.description.empty())
    o.member("description", Need::kOptional)->problem("description is empty: say what the scenario checks and why");
  if (std::optional<JsonValue> tags = o.member("tags", Need::kOptional)) {
    if (std::optional<std::vector<std::string>> set = tags->as_string_set("tag")) {
      for (size_t i = 0; i < set->size(); ++i)
        if (!valid_name((*set)[i], false))
          tags->related(tags->json(), pointer_append(tags->pointer(), i))
              .problem("tag '" + (*set)[i] + "' must be 1 to 100 of a-z, 0-9, '_', '-', starting with a letter or digit");
      s.tags = std::move(*set);
    }
  }
  const KeyLimit keys = read_system(o.member("engine", Need::kOptional), s);
  if (std::optional<JsonValue> w = o.member("workload", Need::kRequired)) s.workload = read_workload(*w, keys);
  // A mutant scenario always verifies after every commit, so its report names
  // the first commit after which the planted defect shows.
  if (s.engine.mutant != engine::Mutant::kNone) s.workload.verify_each_commit = true;
  if (std::optional<JsonValue> f = o.member("faults", Need::kOptional)) s.faults = read_faults(*f);
  if (std::optional<JsonValue> c = o.member("crash", Need::kRequired)) read_crash(*c, s);
  if (std::optional<JsonValue> x = o.member("expect", Need::kRequired)) s.expect = read_expect(*x, s.simulation);
  return s;
}

// "FILE: scenario 'NAME' (POINTER): MESSAGE"; "scenario #K" when the name is unusable.
std::string scenario_problem(const std::string& file, const json& scenario, size_t index, const JsonProblem& p) {
  std::string who = "scenario #" + std::to_string(index);
  if (scenario.is_object()) {
    auto it = scenario.find("name");
    if (it != scenario.end() && it->is_string() && !it->get_ref<const std::string&>().empty())
      who = "scenario '" + it->get<std::string>() + "'";
  }
  return file + ": " + who + " (" + p.pointer + "): " + p.message;
}

// The scenario a pointer such as "/scenarios/3/crash" lies in.
std::optional<size_t> scenario_of(const std::string& pointer) {
  constexpr std::string_view kPrefix = "/scenarios/";
  if (pointer.compare(0, kPrefix.size(), kPrefix) != 0) return std::nullopt;
  size_t index = 0, i = kPrefix.size();
  if (i == pointer.size() || pointer[i] < '0' || pointer[i] > '9') return std::nullopt;
  for (; i < pointer.size() && pointer[i] >= '0' && pointer[i] <= '9'; ++i) index = index * 10 + size_t(pointer[i] - '0');
  return index;
}

}  // namespace

std::span<const std::string_view> invariant_names() { return kInvariantNames; }

crashsim::Scenario ScenarioSpec::scenario() const {
  crashsim::Scenario s;
  s.name = name;
  s.workload = workload;
  s.options = simulation;
  s.faults = faults;
  return s;
}

std::string filler_value(size_t step_index, uint64_t size) {
  std::string value(size, 'a');
  for (uint64_t i = 0; i < size; ++i) value[i] = static_cast<char>('a' + (step_index + i) % 26);
  return value;
}

vfs::Result<std::vector<ScenarioSpec>> parse_catalog(std::string_view text, const std::string& file) {
  std::vector<JsonProblem> problems;
  ASSIGN_OR_RETURN(json doc, reports::parse_json(text, file, problems));

  ObjectReader top(JsonValue(doc, "", problems), {"$schema", "version", "scenarios"});
  std::string schema_ref;
  top.read_string("$schema", Need::kOptional, schema_ref);
  if (std::optional<JsonValue> v = top.member("version", Need::kRequired))
    if (std::optional<uint64_t> n = v->as_uint(0, UINT32_MAX); n && *n != kCatalogVersion)
      v->problem("catalog version " + std::to_string(*n) + " is not supported (this build reads version " +
                 std::to_string(kCatalogVersion) + ")");
  std::optional<JsonValue> list = top.member("scenarios", Need::kRequired);
  std::optional<std::vector<JsonValue>> items = list ? list->as_array() : std::nullopt;
  if (items && items->empty()) list->problem("a catalog file has at least one scenario");

  std::vector<ScenarioSpec> specs;
  std::map<std::string, size_t> first_index;
  for (size_t i = 0; items && i < items->size(); ++i) {
    const JsonValue& item = (*items)[i];
    ScenarioSpec spec = read_scenario(item);
    spec.file = file;
    spec.index = i;
    if (!spec.name.empty()) {
      auto [it, fresh] = first_index.emplace(spec.name, i);
      if (!fresh)
        item.related(item.json(), pointer_append(item.pointer(), "name"))
            .problem("duplicate scenario name (also /scenarios/" + std::to_string(it->second) + ")");
    }
    specs.push_back(std::move(spec));
  }
  if (problems.empty()) return specs;

  // Problems inside a scenario name it; the rest name the file only.
  std::string message;
  for (const JsonProblem& p : problems) {
    std::optional<size_t> index = scenario_of(p.pointer);
    std::string line = index && items && *index < items->size()
                           ? scenario_problem(file, (*items)[*index].json(), *index, p)
                           : reports::format_problems(file, std::span(&p, 1));
    message += (message.empty() ? "" : "\n") + line;
  }
  return vfs::Status::invalid_argument(message);
}

vfs::Result<Catalog> load_catalog(vfs::Vfs& vfs, std::span<const std::string> paths) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    // A directory lists; a file does not (ENOTDIR): then it is a catalog file.
    vfs::Result<std::vector<std::string>> entries = vfs.list_dir(path);
    if (!entries.ok()) {
      if (entries.status().is_not_found()) return entries.status().with("load catalog");
      files.push_back(path);
      continue;
    }
    for (const std::string& name : *entries) {
      auto ends_with = [&](std::string_view suffix) {
        return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
      };
      if (ends_with(".json") && !ends_with(".schema.json")) files.push_back(path + "/" + name);
    }
  }
  if (files.empty()) return vfs::Status::invalid_argument("load catalog: no catalog files found");

  Catalog catalog;
  std::string problems;
  auto add_problem = [&](const std::string& line) { problems += (problems.empty() ? "" : "\n") + line; };
  uLong crc = ::crc32(0, nullptr, 0);
  std::map<std::string, std::string> owner;  // scenario name -> file
  for (const std::string& file : files) {
    vfs::Result<std::string> text = reports::read_text_file(vfs, file);
    if (!text.ok()) return text.status().with("load catalog");
    crc = ::crc32(crc, reinterpret_cast<const Bytef*>(text->data()), static_cast<uInt>(text->size()));
    vfs::Result<std::vector<ScenarioSpec>> specs = parse_catalog(*text, file);
    catalog.files.push_back(file);
    if (!specs.ok()) {
      add_problem(specs.status().message());
      continue;
    }
    for (ScenarioSpec& spec : *specs) {
      auto [it, fresh] = owner.emplace(spec.name, file);
      if (!fresh) {
        add_problem(file + ": scenario '" + spec.name + "' (/scenarios/" + std::to_string(spec.index) +
                    "/name): duplicate scenario name (also in " + it->second + ")");
        continue;
      }
      catalog.scenarios.push_back(std::move(spec));
    }
  }
  if (!problems.empty()) return vfs::Status::invalid_argument(problems);
  char digest[24];
  std::snprintf(digest, sizeof digest, "crc32:%08lx", crc);
  catalog.digest = digest;
  return catalog;
}

vfs::Result<Catalog> load_catalog(vfs::Vfs& vfs, const std::string& path) {
  return load_catalog(vfs, std::span<const std::string>(&path, 1));
}

}  // namespace catalog
