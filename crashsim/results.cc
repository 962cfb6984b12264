#include "crashsim/results.h"

namespace crashsim {

std::string_view op_fate_name(OpFate fate) {
  switch (fate) {
    case OpFate::kPersisted: return "persisted";
    case OpFate::kDropped: return "dropped";
    case OpFate::kTorn: return "torn";
    case OpFate::kBarrier: return "barrier";
    case OpFate::kMarker: return "marker";
    case OpFate::kNotIssued: return "not-issued";
  }
  return "unknown";
}

std::string_view cause_name(Cause cause) {
  switch (cause) {
    case Cause::kLogicError: return "logic-error";
    case Cause::kMissingSync: return "missing-sync";
    case Cause::kMediaFault: return "media-fault";
    case Cause::kUnknown: return "unknown";
  }
  return "unknown";
}

}  // namespace crashsim
