#include "crashsim/simulator.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <utility>

#include "crashsim/at_risk.h"
#include "crashsim/error_discipline.h"
#include "crashsim/fault_footprint.h"
#include "crashsim/image_io.h"
#include "crashsim/name_table.h"
#include "crashsim/op_fates.h"
#include "crashsim/parallel.h"
#include "crashsim/recording_vfs.h"
#include "crashsim/rng.h"
#include "crashsim/state_id.h"
#include "crashsim/state_set.h"
#include "vfs/mem_vfs.h"

namespace crashsim {

using vfs::Result;
using vfs::Status;

namespace {

// Crash states are built, deduplicated and checked this many at a time, which
// bounds the images held in memory at once.
constexpr size_t kChunk = 256;
// Salt for the sample of crash points the corrupt model damages.
constexpr uint64_t kCorruptPointStream = 0x636f7272;
// Salts for the max_states sample and for sharding, so that the two are independent.
constexpr uint64_t kSampleStream = 0x73616d70;
constexpr uint64_t kShardStream = 0x73686172;
constexpr uint64_t kShardPointStream = 0x73687074;

constexpr NameTable<PointSelection, 3> kSelectionNames = {{
    {PointSelection::kAll, "all"},
    {PointSelection::kAroundSyncs, "around-syncs"},
    {PointSelection::kSample, "sample"},
}};

// A trace with its durable_at() table: the workload's, or a recovery's.
struct TraceContext {
  Trace trace;
  std::vector<uint64_t> durable;
};

std::shared_ptr<const TraceContext> make_trace_context(Trace trace, FsRules rules) {
  auto tc = std::make_shared<TraceContext>();
  tc->durable = durable_at(trace, rules);
  tc->trace = std::move(trace);
  return tc;
}

// One crash state to build and check.
struct Recipe {
  std::shared_ptr<const TraceContext> tc;
  std::shared_ptr<const Frontier> frontier;
  Choice choice;
  Expectation expect;  // from the workload's markers at the top-level crash point
  std::string id;
  uint64_t top_point = 0;
  bool nested = false;  // a crash inside recovery
};

// Images each StateSet of a model run keeps for exact comparison before it
// falls back to rebuilding states from their ids (state_set.h).
constexpr uint64_t kDedupBudgetBytes = uint64_t{128} << 20;

std::string child_id(const std::string& parent, uint64_t point, ModelKind kind, const Choice& choice) {
  const std::string segment = format_segment({point, kind, encode_choice(kind, choice)});
  return parent.empty() ? segment : parent + ">" + segment;
}

// What check_state needs to know about the media fault of a corrupt state.
std::optional<MediaFaultCheck> media_fault_check(ModelKind kind, const TraceContext& tc, const Frontier& frontier,
                                                 const Choice& choice, const DiskImage& image) {
  if (kind != ModelKind::kCorrupt || !choice.fault) return std::nullopt;
  const auto file = image.files.find(choice.fault->path);
  MediaFaultCheck check;
  check.footprint =
      fault_footprint(*choice.fault, choice.sector_size, file == image.files.end() ? 0 : file->second->size());
  check.droppable = droppable_commit(tc.trace, tc.durable, frontier, check.footprint);
  return check;
}

// The coverage row a corrupt state counts in.
std::string fault_region(const Choice& choice) {
  return !choice.fault || choice.fault->region.empty() ? std::string("uniform") : choice.fault->region;
}

void tally(FaultTally& t, FaultOutcome outcome) {
  switch (outcome) {
    case FaultOutcome::kRefused: t.refused++; break;
    case FaultOutcome::kRecovered: t.recovered++; break;
    case FaultOutcome::kHarmless: t.harmless++; break;
    case FaultOutcome::kTailDropped: t.tail_dropped++; break;
    case FaultOutcome::kSilent: t.silent++; break;
    case FaultOutcome::kMisreported: t.misreported++; break;
  }
}

bool has_mutating_op(const Trace& trace) {
  return std::any_of(trace.ops.begin(), trace.ops.end(), [](const Op& op) { return is_mutating(op.kind); });
}

// What every check of one scenario shares.
struct Context {
  const std::string& scenario;
  const Recording& recording;
  const SimulationOptions& options;
  SystemUnderTest& sut;
  unsigned jobs;
  std::shared_ptr<const TraceContext> main;
};

Context make_context(const std::string& scenario, const Recording& recording, const SimulationOptions& options,
                     SystemUnderTest& sut) {
  return Context{scenario, recording, options, sut, options.jobs == 0 ? default_jobs() : options.jobs,
                 make_trace_context(recording.trace, options.fs)};
}

// The image of the state `id` names (from scratch: the trace is replayed).
Result<DiskImage> rebuild_state(const Context& ctx, const std::string& id);

StateSet make_state_set(const Context& ctx) {
  return StateSet(kDedupBudgetBytes, [&ctx](const std::string& id) { return rebuild_state(ctx, id); });
}

Violation decorate(const Context& ctx, ModelKind kind, const Recipe& r, const Finding& f) {
  Violation v;
  v.scenario = ctx.scenario;
  v.model = std::string(model_name(kind));
  v.state_id = r.id;
  v.crash_point = r.top_point;
  v.expected = f.expected;
  v.observed = f.observed;
  v.keys = f.keys;
  if (r.nested) {
    v.invariant = invariant::kIdempotentRecovery;
    v.message = "after a crash inside the recovery of state " + r.id.substr(0, r.id.rfind('>')) + ", then a reopen: [" +
                f.invariant + "] " + f.message;
  } else {
    v.invariant = f.invariant;
    v.message = f.message;
  }
  if (kind == ModelKind::kProcessCrash) {
    v.cause = Cause::kLogicError;
    v.cause_note = "no data was lost (process crash), so the fault is in the logic";
  } else if (kind == ModelKind::kCorrupt) {
    v.cause = Cause::kMediaFault;
    v.cause_note = "durable data was damaged and the system did not notice";
  }
  v.ops = ops_around(r.tc->trace, r.tc->durable, *r.frontier, kind, r.choice, ctx.options.context_ops);
  return v;
}

// Runs one model over a set of crash points.
//
// Crash points are visited in order by one walk over the trace; their states
// are built, deduplicated and checked a batch at a time, each batch followed
// by the crash states inside the recoveries it ran, so memory stays bounded
// by a batch whatever the length of the trace.
//
// With max_states or a shard, a first walk builds and deduplicates every
// state without checking any (exactly as the checking walk would), picks the
// distinct states to check, and the second walk builds and checks only those.
class ModelRun {
 public:
  // `limited`: apply the options' max_states, shard and progress (a model the
  // scenario lists); false for the process-crash run that classifies causes,
  // which must see every state at its points.
  ModelRun(const Context& ctx, const ModelConfig& config, bool limited)
      : ctx_(ctx),
        config_(config),
        cap_(limited ? ctx.options.max_states : 0),
        shard_(limited ? ctx.options.shard : Shard{}),
        progress_(limited ? ctx.options.progress : nullptr),
        seen_top_(make_state_set(ctx)),
        seen_nested_(make_state_set(ctx)) {
    result_.model = std::string(model_name(config.kind));
  }

  Status run(const std::vector<uint64_t>& points) {
    uint64_t generated = 0;
    RETURN_IF_ERROR(for_each_state(points, nullptr, [&generated](uint64_t, Recipe) {
      ++generated;
      return Status();
    }));
    std::optional<std::vector<uint64_t>> selected;
    if (shard_.count > 1 || (cap_ > 0 && generated > cap_)) {
      ASSIGN_OR_RETURN(selected, plan(points, generated));
    }
    total_ = selected ? selected->size() : generated;
    report_progress(false, 0, total_);
    const Trace& trace = ctx_.main->trace;
    Coverage& c = result_.coverage;
    auto at_point = [&](const Frontier& f) {
      if (shard_.owns_point(f.point)) c.crash_points++;
      c.states_allowed += allowed_states(config_, trace, f);
      c.sampled = c.sampled || samples_at(config_, trace, f);
    };
    size_t next_selected = 0;
    std::vector<Recipe> batch;
    RETURN_IF_ERROR(for_each_state(points, at_point, [&](uint64_t seq, Recipe r) -> Status {
      if (shard_.owns(r.id)) {
        c.states_generated++;
        if (config_.kind == ModelKind::kCorrupt) {
          c.faults.drawn++;
          c.fault_regions[fault_region(r.choice)].drawn++;
        }
      }
      if (selected) {
        if (next_selected == selected->size() || (*selected)[next_selected] != seq) return Status();
        ++next_selected;
      }
      batch.push_back(std::move(r));
      if (batch.size() < kChunk) return Status();
      const Status s = process_batch(batch);
      batch.clear();
      return s;
    }));
    RETURN_IF_ERROR(process_batch(batch));
    std::sort(result_.violations.begin(), result_.violations.end(), [](const Violation& a, const Violation& b) {
      return std::tie(a.crash_point, a.state_id, a.invariant, a.message) <
             std::tie(b.crash_point, b.state_id, b.invariant, b.message);
    });
    return Status();
  }

  ModelResult take() { return std::move(result_); }
  // Every state the model generated was considered: no max_states sample, no shard.
  bool complete() const { return shard_.count <= 1 && !capped_; }

 private:
  using StateFn = std::function<Status(uint64_t seq, Recipe recipe)>;

  // Calls at_point (when set) at each crash point, then on_state for each
  // state the model generates there, numbered in this fixed order.
  Status for_each_state(const std::vector<uint64_t>& points, const std::function<void(const Frontier&)>& at_point,
                        const StateFn& on_state) const {
    const Trace& trace = ctx_.main->trace;
    TimelineWalker walker(trace, ctx_.options.fs);
    uint64_t seq = 0;
    for (uint64_t p : points) {
      walker.advance_to(p);
      const auto f = std::make_shared<const Frontier>(walker.frontier());
      if (at_point) at_point(*f);
      FaultTargets targets;
      if (config_.kind == ModelKind::kCorrupt) {
        targets.regions = ctx_.sut.describe_regions(f->durable_image());
        targets.durable = &ctx_.main->durable;
      }
      for (Choice& choice : choices_at(config_, trace, *f, targets)) {
        std::string id = child_id({}, p, config_.kind, choice);
        RETURN_IF_ERROR(on_state(seq++, Recipe{ctx_.main, f, std::move(choice), f->expect, std::move(id), p, false}));
      }
    }
    return Status();
  }

  // The sequence numbers (ascending) of the states to check: every distinct
  // state when they number at most max_states, else the max_states whose ids
  // rank first under a stable hash; then those this shard owns. Counts the
  // duplicates this shard owns.
  Result<std::vector<uint64_t>> plan(const std::vector<uint64_t>& points, uint64_t generated) {
    struct Fresh {
      uint64_t rank;
      uint64_t seq;
      bool owned;
    };
    std::vector<Fresh> fresh;
    StateSet seen = make_state_set(ctx_);
    std::vector<Recipe> batch;
    std::vector<uint64_t> seqs;
    auto flush = [&]() -> Status {
      if (batch.empty()) return Status();
      std::vector<std::optional<DiskImage>> images;
      std::vector<uint64_t> hashes;
      RETURN_IF_ERROR(build_images(batch, images, hashes));
      for (size_t k = 0; k < batch.size(); ++k) {
        const bool owned = shard_.owns(batch[k].id);
        ASSIGN_OR_RETURN(const bool distinct, seen.insert(*images[k], hashes[k], batch[k].expect, batch[k].id));
        if (distinct) {
          fresh.push_back({mix64(text_hash(batch[k].id) ^ kSampleStream), seqs[k], owned});
        } else if (owned) {
          result_.coverage.duplicates_skipped++;
        }
      }
      report_progress(true, seqs.back() + 1, generated);
      batch.clear();
      seqs.clear();
      return Status();
    };
    RETURN_IF_ERROR(for_each_state(points, nullptr, [&](uint64_t seq, Recipe r) -> Status {
      batch.push_back(std::move(r));
      seqs.push_back(seq);
      return batch.size() < kChunk ? Status() : flush();
    }));
    RETURN_IF_ERROR(flush());
    if (cap_ > 0 && fresh.size() > cap_) {
      const auto by_rank = [](const Fresh& a, const Fresh& b) {
        return std::tie(a.rank, a.seq) < std::tie(b.rank, b.seq);
      };
      std::nth_element(fresh.begin(), fresh.begin() + static_cast<std::ptrdiff_t>(cap_), fresh.end(), by_rank);
      fresh.resize(cap_);
      capped_ = true;
      result_.coverage.sampled = true;
    }
    std::vector<uint64_t> out;
    for (const Fresh& f : fresh) {
      if (f.owned) out.push_back(f.seq);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  Status process_batch(const std::vector<Recipe>& batch) {
    RETURN_IF_ERROR(process(batch));
    const std::vector<Recipe> nested = std::move(nested_);
    nested_.clear();
    result_.coverage.recovery_states_generated += nested.size();
    RETURN_IF_ERROR(process(nested));
    done_ += batch.size();
    report_progress(false, done_, total_);
    return Status();
  }

  void report_progress(bool deduplicating, uint64_t done, uint64_t total) const {
    if (!progress_) return;
    progress_(Progress{result_.model, deduplicating, done, total, result_.coverage.recovery_states_checked,
                       static_cast<uint64_t>(result_.violations.size())});
  }

  // Builds the crash state of each recipe and its hash, on the worker threads.
  Status build_images(std::span<const Recipe> recipes, std::vector<std::optional<DiskImage>>& images,
                      std::vector<uint64_t>& hashes) const {
    const size_t n = recipes.size();
    images.assign(n, std::nullopt);
    hashes.assign(n, 0);
    std::vector<Status> errors(n);
    HashCache cache;  // per chunk, so it holds at most one chunk's buffers
    parallel_for(n, ctx_.jobs, [&](size_t k) {
      const Recipe& r = recipes[k];
      auto image = build_image(config_.kind, r.tc->trace, *r.frontier, r.choice);
      if (!image.ok()) {
        errors[k] = image.status();
        return;
      }
      hashes[k] = image_hash(*image, &cache);
      images[k] = std::move(image).value();
    });
    for (size_t k = 0; k < n; ++k) {
      if (!errors[k].ok()) return errors[k].with("build crash state " + recipes[k].id);
    }
    return Status();
  }

  Status process(const std::vector<Recipe>& recipes) {
    for (size_t start = 0; start < recipes.size(); start += kChunk) {
      const size_t n = std::min(kChunk, recipes.size() - start);
      std::vector<std::optional<DiskImage>> images;
      std::vector<uint64_t> hashes;
      RETURN_IF_ERROR(build_images(std::span(recipes).subspan(start, n), images, hashes));
      std::vector<size_t> fresh;
      for (size_t k = 0; k < n; ++k) {
        const Recipe& r = recipes[start + k];
        // A check of a top-level state includes the crashes inside its
        // recovery, so a state inside recovery may be skipped when an equal
        // top-level state was checked, but not the other way round.
        const DiskImage& image = *images[k];
        bool fresh_state = false;
        if (r.nested) {
          ASSIGN_OR_RETURN(const bool seen_on_top, seen_top_.contains(image, hashes[k], r.expect));
          if (!seen_on_top) {
            ASSIGN_OR_RETURN(fresh_state, seen_nested_.insert(image, hashes[k], r.expect, r.id));
          }
        } else {
          ASSIGN_OR_RETURN(fresh_state, seen_top_.insert(image, hashes[k], r.expect, r.id));
        }
        if (fresh_state) {
          fresh.push_back(k);
        } else {
          (r.nested ? result_.coverage.recovery_duplicates_skipped : result_.coverage.duplicates_skipped)++;
        }
      }
      std::vector<StateOutcome> outcomes(fresh.size());
      std::vector<std::vector<Recipe>> inside_recovery(fresh.size());
      parallel_for(fresh.size(), ctx_.jobs, [&](size_t q) {
        const Recipe& r = recipes[start + fresh[q]];
        const DiskImage& image = *images[fresh[q]];
        CheckOptions options;
        options.media_fault = media_fault_check(config_.kind, *r.tc, *r.frontier, r.choice, image);
        options.post_recovery_write = ctx_.options.post_recovery_write;
        options.record_recovery = ctx_.options.idempotent_recovery && !r.nested && !options.media_fault;
        outcomes[q] = check_state(ctx_.sut, ctx_.recording.oracle, image, r.expect, options);
        if (outcomes[q].recovery_trace && has_mutating_op(*outcomes[q].recovery_trace)) {
          inside_recovery[q] = recipes_inside_recovery(r, std::move(*outcomes[q].recovery_trace));
        }
      });
      for (size_t q = 0; q < fresh.size(); ++q) {
        absorb(recipes[start + fresh[q]], outcomes[q]);
        for (Recipe& nested : inside_recovery[q]) nested_.push_back(std::move(nested));
      }
    }
    return Status();
  }

  void absorb(const Recipe& r, const StateOutcome& outcome) {
    Coverage& c = result_.coverage;
    (r.nested ? c.recovery_states_checked : c.states_checked)++;
    for (const std::string& path : outcome.recovery_paths) c.recovery_paths[path]++;
    if (outcome.fault_outcome) {
      tally(c.faults, *outcome.fault_outcome);
      tally(c.fault_regions[fault_region(r.choice)], *outcome.fault_outcome);
    }
    for (const Finding& f : outcome.findings) result_.violations.push_back(decorate(ctx_, config_.kind, r, f));
  }

  // Crash states of the recovery trace of `parent`, under the same model: all
  // of them, or a seeded reservoir sample of recovery_states_per_state (so a
  // long recovery never holds more than that many states in memory). A pure
  // function of its arguments, run on the worker that checked the parent.
  std::vector<Recipe> recipes_inside_recovery(const Recipe& parent, Trace recovery) const {
    const auto tc = make_trace_context(std::move(recovery), ctx_.options.fs);
    const uint32_t cap = ctx_.options.recovery_states_per_state;
    Rng rng = Rng::derive({config_.seed, text_hash(parent.id)});
    struct Kept {
      uint64_t order;
      std::shared_ptr<const Frontier> frontier;
      Choice choice;
    };
    std::vector<Kept> kept;
    uint64_t seen = 0;
    TimelineWalker walker(tc->trace, ctx_.options.fs);
    for (uint64_t p : tc->trace.canonical_points()) {
      walker.advance_to(p);
      const auto f = std::make_shared<const Frontier>(walker.frontier());
      for (Choice& c : choices_at(config_, tc->trace, *f)) {
        if (cap == 0 || kept.size() < cap) {
          kept.push_back({seen, f, std::move(c)});
        } else if (const uint64_t j = rng.below(seen + 1); j < cap) {
          kept[j] = {seen, f, std::move(c)};
        }
        ++seen;
      }
    }
    std::sort(kept.begin(), kept.end(), [](const Kept& a, const Kept& b) { return a.order < b.order; });
    std::vector<Recipe> out;
    out.reserve(kept.size());
    for (Kept& k : kept) {
      std::string id = child_id(parent.id, k.frontier->point, config_.kind, k.choice);
      out.push_back({tc, k.frontier, std::move(k.choice), parent.expect, std::move(id), parent.top_point, true});
    }
    return out;
  }

  const Context& ctx_;
  const ModelConfig& config_;
  const uint64_t cap_;
  const Shard shard_;
  const std::function<void(const Progress&)> progress_;
  ModelResult result_;
  uint64_t total_ = 0;  // states of the workload's trace this run considers
  uint64_t done_ = 0;
  bool capped_ = false;  // max_states left distinct states unchecked
  StateSet seen_top_;
  StateSet seen_nested_;
  std::vector<Recipe> nested_;
};

// The invariants that fail under process-crash at each point of `points`.
Result<std::map<uint64_t, std::set<std::string>>> process_crash_failures(const Context& ctx,
                                                                          const std::vector<uint64_t>& points) {
  const ModelConfig config{.kind = ModelKind::kProcessCrash};
  ModelRun run(ctx, config, false);
  RETURN_IF_ERROR(run.run(points));
  std::map<uint64_t, std::set<std::string>> out;
  for (const Violation& v : run.take().violations) out[v.crash_point].insert(v.invariant);
  return out;
}

void classify(std::vector<Violation>& violations, const std::map<uint64_t, std::set<std::string>>& process_crash) {
  for (Violation& v : violations) {
    const auto it = process_crash.find(v.crash_point);
    const bool also = it != process_crash.end() && it->second.contains(v.invariant);
    if (also) {
      v.cause = Cause::kLogicError;
      v.cause_note = "also fails under process-crash at point " + std::to_string(v.crash_point) +
                     ", where no data is lost: a logic error";
    } else {
      v.cause = Cause::kMissingSync;
      v.cause_note = "holds under process-crash at point " + std::to_string(v.crash_point) +
                     "; only losing unsynced data breaks it: look for a missing or misplaced sync among the dropped ops";
    }
  }
}

// Classifies the violations of every power-loss model. The process-crash
// model's own results are used when that run considered every state.
Status classify_causes(const Context& ctx, std::vector<ModelResult>& models, bool process_crash_complete) {
  std::set<uint64_t> points;
  const ModelResult* process_crash = nullptr;
  for (const ModelResult& m : models) {
    if (m.model == model_name(ModelKind::kProcessCrash)) process_crash = &m;
    const std::optional<ModelKind> kind = model_from_name(m.model);
    if (!kind || !is_power_loss(*kind)) continue;
    for (const Violation& v : m.violations) points.insert(v.crash_point);
  }
  if (points.empty()) return Status();
  std::map<uint64_t, std::set<std::string>> failures;
  if (process_crash != nullptr && process_crash_complete) {
    for (const Violation& v : process_crash->violations) failures[v.crash_point].insert(v.invariant);
  } else {
    ASSIGN_OR_RETURN(failures, process_crash_failures(ctx, std::vector<uint64_t>(points.begin(), points.end())));
  }
  for (ModelResult& m : models) {
    const std::optional<ModelKind> kind = model_from_name(m.model);
    if (kind && is_power_loss(*kind)) classify(m.violations, failures);
  }
  return Status();
}

std::vector<uint64_t> corrupt_points(const std::vector<uint64_t>& points, const ModelConfig& config) {
  if (points.size() <= config.corrupt_points) return points;
  if (config.corrupt_points == 0) return {};
  std::vector<uint64_t> pool(points.begin(), points.end() - 1);
  Rng rng = Rng::derive({config.seed, kCorruptPointStream});
  for (size_t i = 0; i + 1 < config.corrupt_points; ++i) std::swap(pool[i], pool[i + rng.below(pool.size() - i)]);
  pool.resize(config.corrupt_points - 1);
  pool.push_back(points.back());
  std::sort(pool.begin(), pool.end());
  return pool;
}

// Places a violation found in the recorded run itself, before any crash
// state, at the first crash point from `from` on: its state is `kind`'s state
// there, and its ops the entries around it. The walker only moves forward.
void place(const Context& ctx, TimelineWalker& walker, uint64_t from, ModelKind kind, Violation& v) {
  const Trace& trace = ctx.main->trace;
  uint64_t p = std::min<uint64_t>(from, trace.ops.size());
  while (!trace.is_canonical_point(p)) ++p;
  walker.advance_to(p);
  const Frontier f = walker.frontier();
  v.scenario = ctx.scenario;
  v.state_id = format_segment({p, kind, {}});
  v.crash_point = p;
  v.ops = ops_around(trace, ctx.main->durable, f, kind, Choice{}, ctx.options.context_ops);
}

// The lose-unsynced state right after trace entry `index`: what a power loss
// just then would leave.
Violation violation_after(const Context& ctx, TimelineWalker& walker, uint64_t index) {
  Violation v;
  place(ctx, walker, index + 1, ModelKind::kLoseUnsynced, v);
  return v;
}

// What the workload runner found, each at the process-crash state of the
// point where it was found (everything issued so far): the state its replay
// reopens and rechecks.
std::vector<Violation> workload_violations(const Context& ctx) {
  TimelineWalker walker(ctx.main->trace, ctx.options.fs);
  std::vector<Violation> out = ctx.recording.workload_violations;
  for (Violation& v : out) place(ctx, walker, v.crash_point, ModelKind::kProcessCrash, v);
  return out;
}

std::vector<Violation> at_risk_violations(const Context& ctx, const std::vector<AtRiskReport>& reports) {
  TimelineWalker walker(ctx.main->trace, ctx.options.fs);
  std::vector<Violation> out;
  for (const AtRiskReport& report : reports) {
    // The crash state that loses what was at risk: right after the acknowledgement.
    Violation v = violation_after(ctx, walker, report.ack_index);
    v.model = "at-risk";
    v.invariant = invariant::kDurability;
    v.expected = "everything transaction " + std::to_string(report.txn) + " depends on is durable when its commit returns";
    v.observed = std::to_string(report.items.size()) + " not durable, first: " + report.items.front().path + ": " +
                 report.items.front().what + " (op " + std::to_string(report.items.front().op_index) + ")";
    v.message = "transaction " + std::to_string(report.txn) + " was acknowledged at op " +
                std::to_string(report.ack_index) + " while data it depends on was not durable";
    v.cause = Cause::kMissingSync;
    v.cause_note = "a power loss right after the acknowledgement loses the listed ops";
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<Violation> error_discipline_violations(const Context& ctx) {
  const Trace& trace = ctx.main->trace;
  TimelineWalker walker(trace, ctx.options.fs);
  std::vector<Violation> out;
  for (const DisciplineFinding& finding : error_discipline_findings(trace)) {
    Violation v = violation_after(ctx, walker, finding.index);
    v.model = "faults";
    v.invariant = invariant::kErrorDiscipline;
    v.expected = "nothing acknowledged after the failed sync at op " + std::to_string(finding.failed_sync) +
                 " until the store is reopened";
    v.observed = describe_op(trace.ops[finding.index]) + " at op " + std::to_string(finding.index);
    v.message = finding.message;
    v.cause = Cause::kLogicError;
    v.cause_note = "the system went on after a failed sync instead of refusing writes until a reopen";
    out.push_back(std::move(v));
  }
  return out;
}

// A crash state located from its id: the last segment's trace, frontier and choice.
struct Located {
  std::shared_ptr<const TraceContext> tc;
  std::shared_ptr<const Frontier> frontier;
  Choice choice;
  ModelKind kind = ModelKind::kLoseUnsynced;
  DiskImage image;
  Expectation expect;
  uint64_t top_point = 0;
  bool nested = false;
};

// Recovery's own trace when the system opens `image`.
Result<Trace> recovery_trace(SystemUnderTest& sut, const DiskImage& image) {
  vfs::MemVfs mem;
  RETURN_IF_ERROR(install_image(image, mem));
  RecordingVfs rec(mem, image);
  auto session = sut.open(rec);
  if (!session.ok()) return session.status().with("the parent state does not open, so it has no recovery trace");
  return rec.trace();
}

Result<Located> locate(SystemUnderTest& sut, const Recording& recording, const SimulationOptions& options,
                       const std::string& text) {
  ASSIGN_OR_RETURN(const StateId id, StateId::parse(text));
  Located loc;
  loc.tc = make_trace_context(recording.trace, options.fs);
  for (size_t i = 0; i < id.segments.size(); ++i) {
    const StateIdSegment& seg = id.segments[i];
    if (i > 0) {
      if (seg.model != id.segments[0].model) {
        return Status::invalid_argument("state id " + text + ": a crash inside recovery uses its parent's model");
      }
      ASSIGN_OR_RETURN(Trace rt, recovery_trace(sut, loc.image));
      loc.tc = make_trace_context(std::move(rt), options.fs);
      loc.nested = true;
    }
    if (seg.point > loc.tc->trace.ops.size()) {
      return Status::invalid_argument("state id " + text + ": crash point " + std::to_string(seg.point) +
                                      " is past the end of its trace (" + std::to_string(loc.tc->trace.ops.size()) +
                                      " entries)");
    }
    loc.frontier = std::make_shared<const Frontier>(frontiers_at(loc.tc->trace, options.fs, {seg.point}).front());
    ASSIGN_OR_RETURN(loc.choice, decode_choice(seg.model, seg.choice, loc.tc->trace, *loc.frontier));
    ASSIGN_OR_RETURN(loc.image, build_image(seg.model, loc.tc->trace, *loc.frontier, loc.choice));
    loc.kind = seg.model;
    if (i == 0) {
      loc.expect = loc.frontier->expect;
      loc.top_point = seg.point;
    }
  }
  return loc;
}

Result<DiskImage> rebuild_state(const Context& ctx, const std::string& id) {
  ASSIGN_OR_RETURN(Located loc, locate(ctx.sut, ctx.recording, ctx.options, id));
  return std::move(loc.image);
}

uint64_t count_markers(const Trace& trace, OpKind kind) {
  return static_cast<uint64_t>(
      std::count_if(trace.ops.begin(), trace.ops.end(), [kind](const Op& op) { return op.kind == kind; }));
}

}  // namespace

std::string_view point_selection_name(PointSelection selection) {
  return name_in(kSelectionNames, selection).value_or("unknown");
}

std::optional<PointSelection> point_selection_from_name(std::string_view name) {
  return value_in(kSelectionNames, name);
}

std::vector<ModelConfig> all_models(uint64_t seed) {
  std::vector<ModelConfig> out;
  for (ModelKind kind : {ModelKind::kProcessCrash, ModelKind::kLoseUnsynced, ModelKind::kReorder, ModelKind::kTorn,
                         ModelKind::kCorrupt}) {
    out.push_back(ModelConfig{.kind = kind, .seed = seed});
  }
  return out;
}

Status validate(const SimulationOptions& options) {
  for (const ModelConfig& m : options.models) RETURN_IF_ERROR(validate(m));
  if (options.shard.count == 0 || options.shard.index >= options.shard.count) {
    return Status::invalid_argument("shard " + std::to_string(options.shard.index + 1) + "/" +
                                    std::to_string(options.shard.count) + ": expected I/N with 1 <= I <= N");
  }
  return Status();
}

bool Shard::owns(std::string_view state_id) const {
  return count <= 1 || mix64(text_hash(state_id) ^ kShardStream) % count == index;
}

bool Shard::owns_point(uint64_t point) const { return count <= 1 || mix64(point ^ kShardPointStream) % count == index; }

std::vector<uint64_t> select_points(const Trace& trace, const SimulationOptions& options) {
  const std::vector<uint64_t> canonical = trace.canonical_points();
  switch (options.points) {
    case PointSelection::kAll:
      return canonical;
    case PointSelection::kAroundSyncs: {
      auto is_barrier = [&trace](uint64_t i) {
        const OpKind kind = trace.ops[i].kind;
        return kind == OpKind::kSync || kind == OpKind::kSyncDir || kind == OpKind::kSyncFailed;
      };
      std::vector<uint64_t> out;
      for (size_t k = 0; k < canonical.size(); ++k) {
        const uint64_t p = canonical[k];
        const bool before = p < trace.ops.size() && is_barrier(p);
        const bool after = k > 0 && is_barrier(canonical[k - 1]);
        if (before || after || p == trace.ops.size()) out.push_back(p);
      }
      return out;
    }
    case PointSelection::kSample: {
      if (canonical.size() <= options.point_samples) return canonical;
      std::vector<uint64_t> pool = canonical;
      Rng rng = Rng::derive({options.point_seed});
      for (size_t i = 0; i < options.point_samples; ++i) std::swap(pool[i], pool[i + rng.below(pool.size() - i)]);
      pool.resize(options.point_samples);
      std::sort(pool.begin(), pool.end());
      return pool;
    }
  }
  return canonical;
}

Result<Recording> Simulator::record(const Scenario& scenario) const {
  ASSIGN_OR_RETURN(std::vector<Step> steps, expand_workload(scenario.workload));
  return record_workload(sut_, std::move(steps), scenario.name, scenario.faults,
                         scenario.workload.verify_each_commit);
}

ScenarioResult Simulator::run(const Scenario& scenario) const {
  auto recording = record(scenario);
  if (!recording.ok()) {
    ScenarioResult r;
    r.scenario = scenario.name;
    r.system = sut_.name();
    r.error = recording.status().to_string();
    return r;
  }
  return check(scenario.name, *recording, scenario.options);
}

ScenarioResult Simulator::check(const std::string& scenario, const Recording& recording,
                                const SimulationOptions& options) const {
  ScenarioResult result;
  result.scenario = scenario;
  result.system = sut_.name();
  result.trace_ops = recording.trace.ops.size();
  result.commits = count_markers(recording.trace, OpKind::kCommitCalled);
  result.acked = count_markers(recording.trace, OpKind::kCommitAcked);
  if (Status s = validate(options); !s.ok()) {
    result.error = s.to_string();
    return result;
  }
  const std::vector<uint64_t> points = select_points(recording.trace, options);
  const Context ctx = make_context(scenario, recording, options, sut_);
  result.violations = workload_violations(ctx);
  result.at_risk = at_risk_reports(recording.trace, options.fs);
  if (options.at_risk_check)
    for (Violation& v : at_risk_violations(ctx, result.at_risk)) result.violations.push_back(std::move(v));
  for (Violation& v : error_discipline_violations(ctx)) result.violations.push_back(std::move(v));
  bool process_crash_complete = true;
  for (const ModelConfig& config : options.models) {
    const auto start = std::chrono::steady_clock::now();
    ModelRun run(ctx, config, true);
    const Status s = run.run(config.kind == ModelKind::kCorrupt ? corrupt_points(points, config) : points);
    if (!s.ok()) {
      result.error = s.with("model " + std::string(model_name(config.kind))).to_string();
      return result;
    }
    if (config.kind == ModelKind::kProcessCrash) process_crash_complete = run.complete();
    ModelResult m = run.take();
    m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double states = static_cast<double>(m.coverage.states_generated + m.coverage.recovery_states_generated);
    m.states_per_second = m.seconds > 0 ? states / m.seconds : 0;
    result.models.push_back(std::move(m));
  }
  if (options.classify_causes) {
    if (Status s = classify_causes(ctx, result.models, process_crash_complete); !s.ok()) result.error = s.with("classify causes").to_string();
  }
  return result;
}

Result<DiskImage> Simulator::build_state(const Recording& recording, const SimulationOptions& options,
                                         const std::string& state_id) const {
  ASSIGN_OR_RETURN(Located loc, locate(sut_, recording, options, state_id));
  return std::move(loc.image);
}

Result<StateView> Simulator::view_state(const Recording& recording, const SimulationOptions& options,
                                        const std::string& state_id, uint32_t context) const {
  ASSIGN_OR_RETURN(Located loc, locate(sut_, recording, options, state_id));
  StateView view;
  view.ops = ops_around(loc.tc->trace, loc.tc->durable, *loc.frontier, loc.kind, loc.choice, context);
  view.image = std::move(loc.image);
  view.model = loc.kind;
  view.nested = loc.nested;
  view.crash_point = loc.frontier->point;
  view.expect = loc.expect;
  return view;
}

Result<std::vector<Violation>> Simulator::replay(const std::string& scenario, const Recording& recording,
                                                 const SimulationOptions& options, const std::string& state_id) const {
  ASSIGN_OR_RETURN(Located loc, locate(sut_, recording, options, state_id));
  CheckOptions check;
  check.media_fault = media_fault_check(loc.kind, *loc.tc, *loc.frontier, loc.choice, loc.image);
  check.post_recovery_write = options.post_recovery_write;
  const StateOutcome outcome = check_state(sut_, recording.oracle, loc.image, loc.expect, check);
  const Context ctx = make_context(scenario, recording, options, sut_);
  const Recipe recipe{loc.tc, loc.frontier, loc.choice, loc.expect, state_id, loc.top_point, loc.nested};
  std::vector<Violation> out;
  for (const Finding& f : outcome.findings) out.push_back(decorate(ctx, loc.kind, recipe, f));
  if (options.classify_causes && is_power_loss(loc.kind) && !out.empty()) {
    ASSIGN_OR_RETURN(const auto failures, process_crash_failures(ctx, {loc.top_point}));
    classify(out, failures);
  }
  return out;
}

}  // namespace crashsim
