#include "engine/mutant.h"

#include <array>
#include <utility>

namespace engine {
namespace {

constexpr std::array<std::pair<Mutant, std::string_view>, 10> kNames{{
    {Mutant::kNone, "none"},
    {Mutant::kNoDataFsync, "no-data-fsync"},
    {Mutant::kTruncateBeforeDataFsync, "truncate-before-data-fsync"},
    {Mutant::kMetaBypassesWal, "meta-bypasses-wal"},
    {Mutant::kAdditiveChecksum, "additive-checksum"},
    {Mutant::kLeakEmptyLeaves, "leak-empty-leaves"},
    {Mutant::kStaleMetaInPut, "stale-meta-in-put"},
    {Mutant::kNoCommitRecord, "no-commit-record"},
    {Mutant::kNoWalSalt, "no-wal-salt"},
    {Mutant::kRetryFailedFsync, "retry-failed-fsync"},
}};

constexpr std::array<Mutant, kNames.size() - 1> kAll = [] {
  std::array<Mutant, kNames.size() - 1> all{};
  for (size_t i = 1; i < kNames.size(); ++i) all[i - 1] = kNames[i].first;
  return all;
}();

}  // namespace

std::string_view mutant_name(Mutant m) {
  for (const auto& [mutant, name] : kNames)
    if (mutant == m) return name;
  return "unknown";
}

std::optional<Mutant> mutant_from_name(std::string_view name) {
  for (const auto& [mutant, n] : kNames)
    if (n == name) return mutant;
  return std::nullopt;
}

std::span<const Mutant> all_mutants() { return kAll; }

}  // namespace engine
