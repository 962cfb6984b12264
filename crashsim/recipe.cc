#include "crashsim/recipe.h"

namespace crashsim {

const std::vector<uint64_t>& TraceContext::durable() const {
  std::call_once(built_, [this] { durable_ = durable_at(trace, rules_); });
  return durable_;
}

std::shared_ptr<const TraceContext> make_trace_context(Trace trace, FsRules rules) {
  return std::make_shared<const TraceContext>(std::move(trace), rules);
}

std::shared_ptr<const TraceContext> borrow_trace_context(const Trace& trace, FsRules rules) {
  return std::make_shared<const TraceContext>(trace, rules, TraceContext::Borrowed{});
}

}  // namespace crashsim
