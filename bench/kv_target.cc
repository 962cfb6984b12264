#include "bench/kv_target.h"

#include <utility>

namespace bench {
namespace {

std::map<std::string, TargetInfo>& registry() {
  static std::map<std::string, TargetInfo> targets;
  return targets;
}

}  // namespace

bool register_target(std::string name, TargetInfo info) {
  return registry().emplace(std::move(name), std::move(info)).second;
}

const std::map<std::string, TargetInfo>& registered_targets() { return registry(); }

}  // namespace bench
