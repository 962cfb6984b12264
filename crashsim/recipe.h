// A crash state before it is built: which trace, which point, which choice,
// and what it must show. The simulator's unit of work (simulator.cc), and
// what nesting.h derives from a checked state.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "crashsim/model/persistence_model.h"
#include "crashsim/model/timeline.h"
#include "crashsim/record/oracle.h"
#include "crashsim/record/trace.h"

namespace crashsim {

// A trace with its durable_at() table: the workload's, or the store's run on
// a crash state (continued from the workload's trace after a process crash).
// The table is built the first time it is asked for (only a violation's
// entries need it), once, from any thread.
class TraceContext {
 private:
  std::optional<Trace> owned_;  // declared first: `trace` may refer to it

 public:
  struct Borrowed {};
  // Owns `trace` (a nested run's, built for it).
  TraceContext(Trace trace, FsRules rules) : owned_(std::move(trace)), trace(*owned_), rules_(rules) {}
  // Refers to `trace`, which outlives the context: a workload's trace is
  // never copied (it holds every payload the workload wrote).
  TraceContext(const Trace& trace, FsRules rules, Borrowed) : trace(trace), rules_(rules) {}
  const std::vector<uint64_t>& durable() const;

  const Trace& trace;

 private:
  const FsRules rules_;
  mutable std::once_flag built_;
  mutable std::vector<uint64_t> durable_;
};

std::shared_ptr<const TraceContext> make_trace_context(Trace trace, FsRules rules);
// A context of `trace` that refers to it, not a copy: the caller keeps
// `trace` alive as long as the context (a recording, during a simulation).
std::shared_ptr<const TraceContext> borrow_trace_context(const Trace& trace, FsRules rules);

struct Recipe {
  std::shared_ptr<const TraceContext> tc;
  std::shared_ptr<const Frontier> frontier;  // at the crash point, in tc's trace
  Choice choice;
  ModelKind kind = ModelKind::kLoseUnsynced;  // the model of the id's last segment
  Expectation expect;
  // The oracle `expect` refers to: null for the workload's, else a
  // continuation's (continuation.h), named by oracle_id (0: the workload's).
  std::shared_ptr<const Oracle> oracle;
  uint64_t oracle_id = 0;
  std::string id;
  uint64_t top_point = 0;  // the crash point of the id's first segment
  uint32_t depth = 0;      // segments after the first: 0 for a state of the workload's trace
  bool after_new_writes = false;  // nested, and the crash came after recovery returned
};

}  // namespace crashsim
