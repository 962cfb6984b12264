#include "crashsim/simulator.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <utility>

#include "crashsim/check/at_risk.h"
#include "crashsim/check/error_discipline.h"
#include "crashsim/check/fault_footprint.h"
#include "crashsim/check/image_io.h"
#include "crashsim/check/op_fates.h"
#include "crashsim/memory_bound.h"
#include "crashsim/model/rebuild_anchors.h"
#include "crashsim/model/state_id.h"
#include "crashsim/model/state_set.h"
#include "crashsim/name_table.h"
#include "crashsim/nesting.h"
#include "crashsim/parallel.h"
#include "crashsim/record/recording_vfs.h"
#include "crashsim/rng.h"
#include "vfs/mem_vfs.h"

namespace crashsim {

using vfs::Result;
using vfs::Status;

namespace {

// Crash states are built, deduplicated and checked this many at a time, which
// bounds the images held in memory at once.
constexpr size_t kChunk = 256;
// The memory bound is checked every this many crash points of a walk.
constexpr uint64_t kPointsPerMemoryCheck = 256;
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

// Where dedup_image() puts the files of a durable image.
constexpr char kDurablePrefix[] = "\x01durable:";

// Whether the part a misdirected write moved still lies at its target in
// `image`: a later write of the same bytes (the same run of a checkpoint
// writing the target page after it, say) leaves no misplaced image to read.
bool landed_at_target(const Trace& trace, const MediaFault& fault, const DiskImage& image) {
  const auto file = image.files.find(fault.path);
  if (file == image.files.end() || fault.op >= trace.ops.size()) return false;
  const Op& write = trace.ops[fault.op];
  if (!write.data || fault.offset < write.offset || fault.offset + fault.length > write.offset + write.data->size()) {
    return false;
  }
  std::vector<uint8_t> there(fault.length);
  if (file->second.read(fault.target, there) != there.size()) return false;
  const auto part = write.data->begin() + static_cast<std::ptrdiff_t>(fault.offset - write.offset);
  return std::equal(there.begin(), there.end(), part);
}

// What check_state needs to know about the media fault of a corrupt state.
std::optional<MediaFaultCheck> media_fault_check(ModelKind kind, const TraceContext& tc, const Frontier& frontier,
                                                 const Choice& choice, const DiskImage& image) {
  if (kind != ModelKind::kCorrupt || !choice.fault) return std::nullopt;
  const auto file = image.files.find(choice.fault->path);
  MediaFaultCheck check;
  check.footprint =
      fault_footprint(*choice.fault, choice.sector_size, file == image.files.end() ? 0 : file->second.size());
  check.droppable = droppable_commit(tc.trace, tc.durable(), frontier, check.footprint);
  check.stale_image = is_write_fault(choice.fault->kind);
  if (choice.fault->kind == FaultKind::kMisdirectedWrite && landed_at_target(tc.trace, *choice.fault, image)) {
    check.misplaced = check.footprint.back();
  }
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
    case FaultOutcome::kCaughtByVerify: t.caught_by_verify++; break;
    case FaultOutcome::kSilent: t.silent++; break;
    case FaultOutcome::kMisreported: t.misreported++; break;
  }
}


// Bases for the checks in flight: a check takes one, compares its state with
// it and leaves its own in it, so no two checks share one.
class BasisPool {
 public:
  std::unique_ptr<Basis> take() {
    const std::lock_guard lock(mu_);
    if (free_.empty()) return std::make_unique<Basis>();
    std::unique_ptr<Basis> basis = std::move(free_.back());
    free_.pop_back();
    return basis;
  }
  void give(std::unique_ptr<Basis> basis) {
    const std::lock_guard lock(mu_);
    free_.push_back(std::move(basis));
  }

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<Basis>> free_;
};

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
                 borrow_trace_context(recording.trace, options.fs)};
}

// The image of the state `id` names (from scratch: the trace is replayed
// from its start), as `key` makes it into what deduplication compares.
Result<DiskImage> rebuild_state(const Context& ctx, const std::string& id,
                                const std::function<DiskImage(const Recipe&, DiskImage)>& key);

bool has_mutating_op(const Trace& trace) {
  return std::any_of(trace.ops.begin(), trace.ops.end(), [](const Op& op) { return is_mutating(op.kind); });
}

// `image` and, under names no file has, the durable image of `r`'s frontier:
// what two process-crash states must share to have the same nested states
// under a power-loss model, which are cut from what is durable beneath them.
DiskImage with_durable_image(const Recipe& r, DiskImage image) {
  const DiskImage durable = r.frontier->durable_image();
  for (const std::string& dir : durable.dirs) image.dirs.insert(kDurablePrefix + dir);
  for (const auto& [path, contents] : durable.files) image.files.emplace(kDurablePrefix + path, contents);
  return image;
}

std::string parent_of(const std::string& id) { return id.substr(0, id.rfind('>')); }

// `case_kind` is the model of the case the violation is reported under.
Violation decorate(const Context& ctx, ModelKind case_kind, const Recipe& r, const Finding& f) {
  Violation v;
  v.scenario = ctx.scenario;
  v.model = std::string(model_name(case_kind));
  v.state_id = r.id;
  v.crash_point = r.top_point;
  v.expected = f.expected;
  v.observed = f.observed;
  v.invariant = f.invariant;
  v.message = f.message;
  v.keys = f.keys;
  if (r.after_new_writes) {
    v.message = "after state " + parent_of(r.id) + " was recovered and took new commits, a crash (" +
                std::string(model_name(r.kind)) + ") at point " + std::to_string(r.frontier->point) +
                " of that run, then a reopen: " + f.message;
  } else if (r.depth > 0) {
    v.invariant = invariant::kIdempotentRecovery;
    v.message = "after a crash (" + std::string(model_name(r.kind)) + ") inside the recovery of state " +
                parent_of(r.id) + ", then a reopen: [" + f.invariant + "] " + f.message;
  }
  if (r.kind == ModelKind::kProcessCrash) {
    v.cause = Cause::kLogicError;
    v.cause_note = "no data was lost (process crash), so the fault is in the logic";
  } else if (r.kind == ModelKind::kCorrupt) {
    v.cause = Cause::kMediaFault;
    v.cause_note = "durable data was damaged and the system did not notice";
  } else if (case_kind == ModelKind::kProcessCrash) {
    v.cause = Cause::kMissingSync;
    v.cause_note = "a power loss after a process crash and its recovery lost it: look for what recovery or the new "
                   "commits wrote and did not sync";
  }
  v.ops = ops_around(r.tc->trace, r.tc->durable(), *r.frontier, r.kind, r.choice, ctx.options.context_ops);
  return v;
}

// What the continuation commits after each recovery.
uint32_t new_commits(const SimulationOptions& options) {
  return options.post_recovery_write ? options.continuation.commits : 0;
}

// How to check the state of `r` whose image is `image`; `record`: return the
// store's run on it, for its nested states (never under a media fault).
CheckOptions check_options(const SimulationOptions& options, const Recipe& r, const DiskImage& image, bool record) {
  CheckOptions check;
  check.media_fault = media_fault_check(r.kind, *r.tc, *r.frontier, r.choice, image);
  check.post_recovery_write = options.post_recovery_write;
  check.continuation = options.continuation;
  check.record_recovery = record && !check.media_fault;
  return check;
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
  // `limited`: apply the options' max_states, shard, progress and nesting (a
  // model the scenario lists); false for the process-crash run that
  // classifies causes, which must see every state at its points, and only them.
  ModelRun(const Context& ctx, const ModelConfig& config, bool limited)
      : ctx_(ctx),
        config_(config),
        depth_(limited ? ctx.options.nesting.depth : 0),
        cap_(limited ? ctx.options.max_states : 0),
        stop_at_first_violation_(limited && ctx.options.stop_at_first_violation),
        shard_(limited ? ctx.options.shard : Shard{}),
        progress_(limited ? ctx.options.progress : nullptr),
        seen_(make_state_set()),
        pool_(ctx.jobs) {
    result_.model = std::string(model_name(config.kind));
  }

  Status run(const std::vector<uint64_t>& points) {
    uint64_t generated = 0;
    RETURN_IF_ERROR(for_each_state(points, nullptr, nullptr, [&generated](uint64_t, Recipe) {
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
    RETURN_IF_ERROR(for_each_state(points, &seen_, at_point, [&](uint64_t seq, Recipe r) -> Status {
      if (stopped()) return Status();
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
      drop_unneeded_anchors(seen_);
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
  // stop_at_first_violation, and a violation was found: no more states are checked.
  bool stopped() const { return stop_at_first_violation_ && !result_.violations.empty(); }
  // Every state the model generated was considered: no max_states sample, no shard.
  bool complete() const { return shard_.count <= 1 && !capped_; }

 private:
  using StateFn = std::function<Status(uint64_t seq, Recipe recipe)>;

  // Calls at_point (when set) at each crash point, then on_state for each
  // state the model generates there, numbered in this fixed order. `dedup`:
  // the set the walk's states go into, which may rebuild them from the
  // anchors the walk keeps; null for a walk that only counts states, which
  // keeps none. A walk drops the anchors of the one before: they share no
  // chunk with it.
  Status for_each_state(const std::vector<uint64_t>& points, const StateSet* dedup,
                        const std::function<void(const Frontier&)>& at_point, const StateFn& on_state) {
    anchors_.clear();
    const Trace& trace = ctx_.main->trace;
    TimelineWalker walker(trace, ctx_.options.fs);
    uint64_t seq = 0;
    for (size_t i = 0; i < points.size(); ++i) {
      const uint64_t p = points[i];
      if (i % kPointsPerMemoryCheck == 0) {
        RETURN_IF_ERROR(within_memory("at crash point " + std::to_string(i + 1) + " of " +
                                      std::to_string(points.size())));
      }
      walker.advance_to(p);
      const auto f = std::make_shared<const Frontier>(walker.frontier());
      if (dedup != nullptr) anchors_.visit(i, f);
      if (at_point) at_point(*f);
      FaultTargets targets;
      if (config_.kind == ModelKind::kCorrupt) {
        targets.regions = ctx_.sut.describe_regions(f->durable_image());
        targets.durable = &ctx_.main->durable();
      }
      for (Choice& choice : choices_at(config_, trace, *f, targets)) {
        Recipe r;
        r.tc = ctx_.main;
        r.frontier = f;
        r.kind = config_.kind;
        r.expect = f->expect;
        r.id = format_segment({p, config_.kind, encode_choice(config_.kind, choice)});
        r.choice = std::move(choice);
        r.top_point = p;
        RETURN_IF_ERROR(on_state(seq++, std::move(r)));
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
    StateSet seen = make_state_set();
    std::vector<Recipe> batch;
    std::vector<uint64_t> seqs;
    auto flush = [&]() -> Status {
      if (batch.empty()) return Status();
      std::vector<Built> built;
      RETURN_IF_ERROR(build_images(batch, built));
      for (size_t k = 0; k < batch.size(); ++k) {
        const bool owned = shard_.owns(batch[k].id);
        ASSIGN_OR_RETURN(const bool distinct, seen.insert(built[k].key(), built[k].hash, batch[k].expect, batch[k].id));
        if (distinct) {
          fresh.push_back({mix64(text_hash(batch[k].id) ^ kSampleStream), seqs[k], owned});
        } else if (owned) {
          result_.coverage.duplicates_skipped++;
        }
      }
      report_progress(true, seqs.back() + 1, generated);
      batch.clear();
      seqs.clear();
      drop_unneeded_anchors(seen);
      return Status();
    };
    RETURN_IF_ERROR(for_each_state(points, &seen, nullptr, [&](uint64_t seq, Recipe r) -> Status {
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
    RETURN_IF_ERROR(within_memory("after checking " + std::to_string(done_) + " of " + std::to_string(total_) +
                                  " states"));
    RETURN_IF_ERROR(process(batch));
    done_ += batch.size();
    report_progress(false, done_, total_);
    return Status();
  }

  // The memory bound, checked `where` in this model's run.
  Status within_memory(const std::string& where) const {
    return check_memory_bound(ctx_.options.max_memory_bytes, ctx_.scenario, where);
  }

  void report_progress(bool deduplicating, uint64_t done, uint64_t total) const {
    if (!progress_) return;
    progress_(Progress{result_.model, deduplicating, done, total, result_.coverage.recovery_states_checked,
                       static_cast<uint64_t>(result_.violations.size())});
  }

  // A crash state built: its image, and what deduplication compares.
  struct Built {
    std::optional<DiskImage> image;
    std::optional<DiskImage> with_durable;  // when cuts_power_loss_from() the recipe
    uint64_t hash = 0;                      // of key()
    const DiskImage& key() const { return with_durable ? *with_durable : *image; }
  };

  // Builds the crash state of each recipe and its hash, on the worker threads.
  // File contents carry their hashes (vfs/file_contents.h), so an image's
  // hash costs O(files) whatever their size.
  Status build_images(std::span<const Recipe> recipes, std::vector<Built>& built) const {
    const size_t n = recipes.size();
    built.assign(n, Built{});
    std::vector<Status> errors(n);
    pool_.run(n, [&](size_t k) {
      const Recipe& r = recipes[k];
      auto image = build_image(r.kind, r.tc->trace, *r.frontier, r.choice);
      if (!image.ok()) {
        errors[k] = image.status();
        return;
      }
      Built& b = built[k];
      b.image = std::move(image).value();
      if (cuts_power_loss_from(r)) b.with_durable = with_durable_image(r, *b.image);
      b.hash = image_hash(b.key());
    });
    for (size_t k = 0; k < n; ++k) {
      if (!errors[k].ok()) return errors[k].with("build crash state " + recipes[k].id);
    }
    return Status();
  }

  // Called once the walk's states so far are all in `dedup`. The anchors
  // kept every RebuildAnchors::kEvery points pin together every chunk the
  // walk wrote: while `dedup` holds the image of every state it holds, none
  // of them needs a rebuild, and every state still to come lies at or after
  // the newest anchor, so the older ones are dropped.
  void drop_unneeded_anchors(const StateSet& dedup) {
    if (dedup.holds_every_image()) anchors_.drop_all_but_newest();
  }

  // For StateSet, past its budget: the image `key` of the state `id`.
  StateSet make_state_set() const {
    return StateSet(ctx_.options.dedup_budget_bytes, [this](const std::string& id) { return rebuild(id); });
  }

  // The image `key` of the state `id`: a state of the workload's trace is
  // rebuilt from the nearest anchor at or before its point (the walk that
  // generated it keeps one for every state that may need it), a nested
  // state, or one no anchor precedes, from the start of the trace.
  Result<DiskImage> rebuild(const std::string& id) const {
    const auto key = [this](const Recipe& r, DiskImage image) {
      return cuts_power_loss_from(r) ? with_durable_image(r, std::move(image)) : std::move(image);
    };
    ASSIGN_OR_RETURN(const StateId parsed, StateId::parse(id));
    const StateIdSegment& seg = parsed.segments.front();
    std::optional<Frontier> frontier;
    if (parsed.segments.size() == 1) frontier = anchors_.frontier_at(ctx_.main->trace, seg.point);
    if (!frontier) return rebuild_state(ctx_, id, key);
    Recipe r;
    r.tc = ctx_.main;
    r.kind = seg.model;
    r.frontier = std::make_shared<const Frontier>(std::move(*frontier));
    ASSIGN_OR_RETURN(r.choice, decode_choice(seg.model, seg.choice, r.tc->trace, *r.frontier));
    ASSIGN_OR_RETURN(DiskImage image, build_image(seg.model, r.tc->trace, *r.frontier, r.choice));
    return key(r, std::move(image));
  }

  // True when nested states of `r` are cut from its durable image under a
  // power-loss model although `r` itself shows the page cache.
  bool cuts_power_loss_from(const Recipe& r) const {
    if (r.kind != ModelKind::kProcessCrash || !nests(r)) return false;
    const std::vector<ModelKind> kinds = nested_models(ctx_.options.nesting, r.kind);
    return std::any_of(kinds.begin(), kinds.end(), is_power_loss);
  }

  bool nests(const Recipe& r) const { return r.depth < depth_ && r.kind != ModelKind::kCorrupt; }

  // Checks the distinct states of `recipes` (all at one depth), each chunk
  // followed by the nested states of the states it checked, depth first, so
  // memory stays bounded by a chunk's nested states per level.
  //
  // A state is skipped when an equal one was checked at the same depth or a
  // smaller one: that check went at least as deep into nested states.
  Status process(const std::vector<Recipe>& recipes) {
    for (size_t start = 0; start < recipes.size(); start += kChunk) {
      const size_t n = std::min(kChunk, recipes.size() - start);
      std::vector<Built> built;
      RETURN_IF_ERROR(build_images(std::span(recipes).subspan(start, n), built));
      std::vector<size_t> fresh;
      for (size_t k = 0; k < n; ++k) {
        const Recipe& r = recipes[start + k];
        ASSIGN_OR_RETURN(const bool fresh_state,
                         seen_.insert(built[k].key(), built[k].hash, r.expect, r.id, r.oracle_id, r.depth));
        if (fresh_state) {
          fresh.push_back(k);
        } else if (r.depth == 0) {
          result_.coverage.duplicates_skipped++;
        } else {
          result_.coverage.recovery_duplicates_skipped++;
          nested_coverage(r.depth).duplicates_skipped++;
        }
      }
      std::vector<StateOutcome> outcomes(fresh.size());
      std::vector<Result<std::vector<Recipe>>> nested(fresh.size(), std::vector<Recipe>{});
      pool_.run(fresh.size(), [&](size_t q) {
        const Recipe& r = recipes[start + fresh[q]];
        const Oracle& oracle = r.oracle ? *r.oracle : ctx_.recording.oracle;
        const DiskImage& image = *built[fresh[q]].image;
        CheckOptions options = check_options(ctx_.options, r, image, nests(r));
        // Only the workload's oracle, which outlives the run: a basis never
        // names an oracle that is gone.
        std::unique_ptr<Basis> basis = r.oracle ? nullptr : bases_.take();
        options.basis = basis.get();
        outcomes[q] = check_state(ctx_.sut, oracle, image, r.expect, options);
        if (basis) bases_.give(std::move(basis));
        if (outcomes[q].after_recovery && has_mutating_op(outcomes[q].after_recovery->trace)) {
          nested[q] = nested_recipes(r, std::move(*outcomes[q].after_recovery), ctx_.recording.oracle, oracles_,
                                     config_, ctx_.options);
        }
      });
      std::vector<Recipe> next;
      for (size_t q = 0; q < fresh.size(); ++q) {
        const Recipe& r = recipes[start + fresh[q]];
        absorb(r, outcomes[q]);
        if (!nested[q].ok()) return nested[q].status().with("nested states of " + r.id);
        for (Recipe& child : *nested[q]) next.push_back(std::move(child));
      }
      if (next.empty()) continue;
      result_.coverage.recovery_states_generated += next.size();
      nested_coverage(next.front().depth).generated += next.size();
      RETURN_IF_ERROR(process(next));
    }
    return Status();
  }

  NestedCoverage& nested_coverage(uint32_t depth) {
    std::vector<NestedCoverage>& levels = result_.coverage.nested;
    if (levels.size() < depth) levels.resize(depth);
    return levels[depth - 1];
  }

  void absorb(const Recipe& r, const StateOutcome& outcome) {
    Coverage& c = result_.coverage;
    if (r.depth == 0) {
      c.states_checked++;
    } else {
      c.recovery_states_checked++;
      NestedCoverage& level = nested_coverage(r.depth);
      level.checked++;
      if (r.after_new_writes) level.after_new_writes++;
    }
    for (const std::string& path : outcome.recovery_paths) c.recovery_paths[path]++;
    c.oracle_seconds += outcome.oracle_seconds;
    c.verify_seconds += outcome.verify_seconds;
    if (outcome.fault_outcome) {
      tally(c.faults, *outcome.fault_outcome);
      tally(c.fault_regions[fault_region(r.choice)], *outcome.fault_outcome);
    }
    for (const Finding& f : outcome.findings) result_.violations.push_back(decorate(ctx_, config_.kind, r, f));
  }

  const Context& ctx_;
  const ModelConfig& config_;
  const uint32_t depth_;  // nesting depth
  const uint64_t cap_;
  const bool stop_at_first_violation_;
  const Shard shard_;
  const std::function<void(const Progress&)> progress_;
  ModelResult result_;
  uint64_t total_ = 0;  // states of the workload's trace this run considers
  uint64_t done_ = 0;
  bool capped_ = false;  // max_states left distinct states unchecked
  ContinuationOracles oracles_{new_commits(ctx_.options)};
  // One basis per check in flight (visible_state.h), each the last state a
  // check that held it judged: checks that follow one another on a worker
  // see nearly the same keys.
  BasisPool bases_;
  // Frontiers of the walk in progress of the workload's trace, for rebuilds.
  RebuildAnchors anchors_;
  // Every state checked so far, at the smallest depth it was checked at.
  StateSet seen_;
  // The run's worker threads; building images (const) uses them.
  mutable WorkerPool pool_;
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
    for (const Violation& v : process_crash->violations) {
      // A nested state's violation says nothing about the process crash at its top-level point alone.
      if (v.state_id.find('>') == std::string::npos) failures[v.crash_point].insert(v.invariant);
    }
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
  v.ops = ops_around(trace, ctx.main->durable(), f, kind, Choice{}, ctx.options.context_ops);
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

// A crash state located from its id: its recipe (the last segment's trace,
// frontier and choice) and its image.
struct Located {
  Recipe recipe;
  ModelKind case_kind = ModelKind::kLoseUnsynced;  // the first segment's model
  DiskImage image;
};

Result<Located> locate(SystemUnderTest& sut, const Recording& recording, const SimulationOptions& options,
                       const std::string& text) {
  ASSIGN_OR_RETURN(const StateId id, StateId::parse(text));
  Located loc;
  loc.case_kind = id.segments[0].model;
  Recipe& r = loc.recipe;
  r.tc = borrow_trace_context(recording.trace, options.fs);
  r.kind = loc.case_kind;
  r.top_point = id.segments[0].point;
  uint64_t base = 0;
  uint64_t length = r.tc->trace.ops.size();
  ContinuationOracles oracles(new_commits(options));
  for (size_t i = 0; i < id.segments.size(); ++i) {
    const StateIdSegment& seg = id.segments[i];
    const std::string where = "state id " + text + ": segment " + std::to_string(i + 1) + " (" + format_segment(seg) + ")";
    if (i > 0) {
      if (r.kind == ModelKind::kCorrupt || seg.model == ModelKind::kCorrupt) {
        return Status::invalid_argument(where + ": no crash state is nested in or under the corrupt model");
      }
      // The store's run on the parent state, recorded exactly as the check that found this state did.
      const Oracle& oracle = r.oracle ? *r.oracle : recording.oracle;
      StateOutcome outcome = check_state(sut, oracle, loc.image, r.expect, check_options(options, r, loc.image, true));
      if (!outcome.after_recovery) {
        return Status::failed_state(where + ": the parent state does not open and scan, so it has no run to crash in");
      }
      ASSIGN_OR_RETURN(const NestedTrace run,
                       nested_trace(r, std::move(*outcome.after_recovery), recording.oracle, oracles, options.fs));
      r = nested_recipe(Recipe{r}, run, seg.point, seg.model);
      base = run.base;
      length = run.length;
    }
    if (seg.point > length) {
      return Status::invalid_argument(where + ": crash point " + std::to_string(seg.point) +
                                      " is past the end of its trace (" + std::to_string(length) + " entries)");
    }
    r.frontier = std::make_shared<const Frontier>(frontiers_at(r.tc->trace, options.fs, {base + seg.point}).front());
    ASSIGN_OR_RETURN(r.choice, decode_choice(seg.model, seg.choice, r.tc->trace, *r.frontier));
    ASSIGN_OR_RETURN(loc.image, build_image(seg.model, r.tc->trace, *r.frontier, r.choice));
    r.kind = seg.model;
    if (i == 0) r.expect = r.frontier->expect;
  }
  r.id = text;
  return loc;
}

Result<DiskImage> rebuild_state(const Context& ctx, const std::string& id,
                                const std::function<DiskImage(const Recipe&, DiskImage)>& key) {
  ASSIGN_OR_RETURN(Located loc, locate(ctx.sut, ctx.recording, ctx.options, id));
  return key(loc.recipe, std::move(loc.image));
}

// Runs of the system's planted defect since `before` (an earlier reading of
// defect_fired_count); nullopt when it has none.
std::optional<uint64_t> defect_fired_since(const SystemUnderTest& sut, std::optional<uint64_t> before) {
  const std::optional<uint64_t> now = sut.defect_fired_count();
  if (!now || !before) return std::nullopt;
  return *now - *before;
}

Violation mutant_not_reached(const std::string& scenario, const SystemUnderTest& sut) {
  Violation v;
  v.scenario = scenario;
  v.model = "mutant";
  v.invariant = invariant::kMutantNotReached;
  v.expected = "the defect planted in " + sut.name() + " runs at least once";
  v.observed = "it never ran, neither while the workload was recorded nor while its crash states were checked";
  v.message = "the workload never reaches the planted defect, so nothing the scenario found can be credited to it";
  return v;
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
  const std::optional<uint64_t> fired_before = sut_.defect_fired_count();
  ASSIGN_OR_RETURN(std::vector<Step> steps, expand_workload(scenario.workload));
  ASSIGN_OR_RETURN(Recording recording, record_workload(sut_, std::move(steps), scenario.name, scenario.faults,
                                                       scenario.workload.verify_each_commit));
  recording.defect_fired = defect_fired_since(sut_, fired_before);
  return recording;
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
  const std::optional<uint64_t> fired_before = sut_.defect_fired_count();
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
  if (Status s = check_memory_bound(options.max_memory_bytes, scenario,
                                    "after recording the workload (" + std::to_string(result.trace_ops) +
                                        " trace entries)");
      !s.ok()) {
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
    if (options.stop_at_first_violation && result.violation_count() > 0) break;
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
  const std::optional<uint64_t> fired_checking = defect_fired_since(sut_, fired_before);
  if (fired_checking && recording.defect_fired) {
    result.defect_fired = *recording.defect_fired + *fired_checking;
    if (*result.defect_fired == 0) result.violations.push_back(mutant_not_reached(scenario, sut_));
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
  const Recipe& r = loc.recipe;
  StateView view;
  view.ops = ops_around(r.tc->trace, r.tc->durable(), *r.frontier, r.kind, r.choice, context);
  view.image = std::move(loc.image);
  view.model = r.kind;
  view.depth = r.depth;
  view.after_new_writes = r.after_new_writes;
  view.crash_point = r.frontier->point;
  view.expect = r.expect;
  return view;
}

Result<std::vector<Violation>> Simulator::replay(const std::string& scenario, const Recording& recording,
                                                 const SimulationOptions& options, const std::string& state_id) const {
  ASSIGN_OR_RETURN(Located loc, locate(sut_, recording, options, state_id));
  const Recipe& r = loc.recipe;
  const Oracle& oracle = r.oracle ? *r.oracle : recording.oracle;
  const StateOutcome outcome = check_state(sut_, oracle, loc.image, r.expect, check_options(options, r, loc.image, false));
  const Context ctx = make_context(scenario, recording, options, sut_);
  std::vector<Violation> out;
  for (const Finding& f : outcome.findings) out.push_back(decorate(ctx, loc.case_kind, r, f));
  if (options.classify_causes && is_power_loss(loc.case_kind) && !out.empty()) {
    ASSIGN_OR_RETURN(const auto failures, process_crash_failures(ctx, {r.top_point}));
    classify(out, failures);
  }
  return out;
}

}  // namespace crashsim
