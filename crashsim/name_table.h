// Stable names for the simulator's enums (models, op kinds, step kinds, ...),
// which traces, catalogs and reports spell out. Each enum keeps one constexpr
// table of (value, name) pairs; these two lookups read it in either direction,
// so a name is written once and both directions always agree.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace crashsim {

template <class E, size_t N>
using NameTable = std::array<std::pair<E, std::string_view>, N>;

// The name of `value`, or nullopt when the table has none.
template <class E, size_t N>
constexpr std::optional<std::string_view> name_in(const NameTable<E, N>& table, E value) {
  for (const auto& [v, name] : table)
    if (v == value) return name;
  return std::nullopt;
}

// The value named `name`, or nullopt for an unknown name.
template <class E, size_t N>
constexpr std::optional<E> value_in(const NameTable<E, N>& table, std::string_view name) {
  for (const auto& [v, n] : table)
    if (n == name) return v;
  return std::nullopt;
}

}  // namespace crashsim
