#include "scenarios/systems.h"

#include <bit>
#include <mutex>

#include "scenarios/peer_systems.h"

namespace catalog {

namespace {

bool valid_kind_name(std::string_view s) {
  if (s.empty() || s.size() > 100) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '-' && c != '_'))) return false;
  }
  return true;
}

// Kinds never move once added (catalogs keep pointers to their settings'
// names), so the registry holds them by pointer.
struct Registry {
  Registry() {
    kinds.push_back(std::make_unique<const SystemKind>(sqlite_kind()));
    kinds.push_back(std::make_unique<const SystemKind>(leveldb_kind()));
  }
  std::mutex mu;
  std::vector<std::unique_ptr<const SystemKind>> kinds;
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

vfs::Status register_system(SystemKind kind) {
  const std::string who = "register system '" + kind.name + "'";
  if (!valid_kind_name(kind.name))
    return vfs::Status::invalid_argument(who + ": a name is 1 to 100 of a-z, 0-9, '_', '-', starting with a letter or digit");
  if (kind.name == "engine") return vfs::Status::invalid_argument(who + ": 'engine' is the catalog's own system");
  if (!kind.read) return vfs::Status::invalid_argument(who + ": no settings reader");
  for (const std::string& s : kind.settings)
    if (s == "system") return vfs::Status::invalid_argument(who + ": 'system' cannot be one of its settings");
  Registry& r = registry();
  const std::lock_guard lock(r.mu);
  for (const auto& k : r.kinds)
    if (k->name == kind.name) return vfs::Status::invalid_argument(who + ": the name is taken");
  r.kinds.push_back(std::make_unique<const SystemKind>(std::move(kind)));
  return vfs::Status();
}

const SystemKind* find_system(std::string_view name) {
  Registry& r = registry();
  const std::lock_guard lock(r.mu);
  for (const auto& k : r.kinds)
    if (k->name == name) return k.get();
  return nullptr;
}

std::vector<std::string> system_names() {
  Registry& r = registry();
  const std::lock_guard lock(r.mu);
  std::vector<std::string> names = {"engine"};
  for (const auto& k : r.kinds) names.push_back(k->name);
  return names;
}

bool read_power_of_two(const reports::ObjectReader& o, std::string_view key, uint32_t lo, uint32_t hi, uint32_t& out) {
  uint32_t value = 0;
  if (!o.read_uint(key, reports::Need::kOptional, 0, UINT32_MAX, value)) return false;
  if (value < lo || value > hi || !std::has_single_bit(value)) {
    o.member(key, reports::Need::kOptional)
        ->problem(std::string(key) + " " + std::to_string(value) + " is not a power of two in [" + std::to_string(lo) +
                  ", " + std::to_string(hi) + "]");
    return false;
  }
  out = value;
  return true;
}

}  // namespace catalog
