#include "crashsim/nesting.h"

#include <algorithm>

#include "crashsim/model/state_id.h"
#include "crashsim/rng.h"

namespace crashsim {

using vfs::Result;

std::vector<ModelKind> nested_models(const NestingOptions& nesting, ModelKind parent) {
  if (!nesting.models.empty()) return nesting.models;
  if (parent == ModelKind::kProcessCrash) return {ModelKind::kProcessCrash, ModelKind::kLoseUnsynced};
  return {parent};
}

Result<NestedTrace> nested_trace(const Recipe& parent, AfterRecovery after, const Oracle& workload,
                                 ContinuationOracles& oracles, FsRules rules) {
  NestedTrace run;
  run.length = after.trace.ops.size();
  run.open_done = after.open_done;
  run.continuation =
      oracles.get(parent.oracle ? *parent.oracle : workload, parent.oracle_id, after.recovered, after.prefix);
  if (parent.kind == ModelKind::kProcessCrash) {
    ASSIGN_OR_RETURN(Trace continued, continue_trace(parent.tc->trace, *parent.frontier, after.trace));
    run.base = parent.frontier->point;
    run.tc = make_trace_context(std::move(continued), rules);
  } else {
    run.tc = make_trace_context(std::move(after.trace), rules);
  }
  return run;
}

Recipe nested_recipe(const Recipe& parent, const NestedTrace& run, uint64_t q, ModelKind kind) {
  Recipe r;
  r.tc = run.tc;
  r.kind = kind;
  r.top_point = parent.top_point;
  r.depth = parent.depth + 1;
  r.after_new_writes = q > run.open_done;
  if (r.after_new_writes) {
    r.expect = continuation_expectation(run.tc->trace, run.base + run.open_done, run.base + q, run.continuation.base);
    r.oracle = run.continuation.oracle;
    r.oracle_id = run.continuation.id;
  } else {
    r.expect = parent.expect;
    r.oracle = parent.oracle;
    r.oracle_id = parent.oracle_id;
  }
  return r;
}

Result<std::vector<Recipe>> nested_recipes(const Recipe& parent, AfterRecovery after, const Oracle& workload,
                                           ContinuationOracles& oracles, const ModelConfig& config,
                                           const SimulationOptions& options) {
  std::vector<uint64_t> points = after.trace.canonical_points();
  ASSIGN_OR_RETURN(const NestedTrace run, nested_trace(parent, std::move(after), workload, oracles, options.fs));
  const std::vector<ModelKind> kinds = nested_models(options.nesting, parent.kind);
  const uint32_t cap = options.nesting.states_per_state;
  Rng rng = Rng::derive({config.seed, text_hash(parent.id)});
  // A seeded reservoir sample when capped, so a long run never holds more
  // than `cap` nested states of one parent.
  struct Kept {
    uint64_t order;
    std::shared_ptr<const Frontier> frontier;
    ModelKind kind;
    Choice choice;
  };
  std::vector<Kept> kept;
  uint64_t seen = 0;
  TimelineWalker walker = run.base > 0 ? TimelineWalker(run.tc->trace, options.fs, *parent.frontier)
                                       : TimelineWalker(run.tc->trace, options.fs);
  for (uint64_t q : points) {
    walker.advance_to(run.base + q);
    const auto f = std::make_shared<const Frontier>(walker.frontier());
    for (ModelKind kind : kinds) {
      ModelConfig c = config;
      c.kind = kind;
      for (Choice& choice : choices_at(c, run.tc->trace, *f)) {
        if (cap == 0 || kept.size() < cap) {
          kept.push_back({seen, f, kind, std::move(choice)});
        } else if (const uint64_t j = rng.below(seen + 1); j < cap) {
          kept[j] = {seen, f, kind, std::move(choice)};
        }
        ++seen;
      }
    }
  }
  std::sort(kept.begin(), kept.end(), [](const Kept& a, const Kept& b) { return a.order < b.order; });
  std::vector<Recipe> out;
  out.reserve(kept.size());
  for (Kept& k : kept) {
    const uint64_t q = k.frontier->point - run.base;
    Recipe r = nested_recipe(parent, run, q, k.kind);
    r.id = parent.id + ">" + format_segment({q, k.kind, encode_choice(k.kind, k.choice)});
    r.frontier = std::move(k.frontier);
    r.choice = std::move(k.choice);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace crashsim
