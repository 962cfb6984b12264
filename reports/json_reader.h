// Strict, exception-free reading of JSON documents.
//
// The scenario catalog and the crash reports are JSON written by people and
// by other programs. Both are read the same way: every problem is recorded
// with the JSON pointer (RFC 6901) of the value at fault and reading carries
// on, so that one pass reports every problem instead of the first. Nothing
// here throws: nlohmann/json's exceptions stop at parse_json().
//
// Typical use, one object of a document:
//   std::vector<JsonProblem> problems;
//   ObjectReader o(JsonValue(doc, "", problems), {"name", "size"});  // any other key is a problem
//   o.read_string("name", Need::kRequired, spec.name);
//   o.read_uint("size", Need::kOptional, 1, 100, spec.size);          // keeps the default when absent
//   if (!problems.empty()) ... format_problems("file.json", problems) ...
#pragma once

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "vfs/status.h"

namespace reports {

struct JsonProblem {
  std::string pointer;  // "" is the whole document
  std::string message;
};

// Parses `text`. A syntax error is the returned Status (kInvalidArgument),
// reading "SOURCE:LINE:COLUMN: malformed JSON: <what the parser expected>".
// A key repeated within one object is not a syntax error for nlohmann/json,
// which keeps the last one; it is recorded in `problems` instead, because a
// hand-edited file with two "mix" members almost always holds a mistake.
vfs::Result<nlohmann::json> parse_json(std::string_view text, std::string_view source,
                                       std::vector<JsonProblem>& problems);

// 1-based line and column of a 0-based byte offset into `text`.
struct TextPosition {
  size_t line = 1;
  size_t column = 1;
};
TextPosition text_position(std::string_view text, size_t offset);

// RFC 6901 pointer of a member or an element of the value at `pointer`.
std::string pointer_append(std::string_view pointer, std::string_view key);
std::string pointer_append(std::string_view pointer, size_t index);

// One line per problem: "SOURCE (POINTER): MESSAGE".
std::string format_problems(std::string_view source, std::span<const JsonProblem> problems);

// "a, b, c": the list offered in "expected one of" messages.
std::string join_names(std::span<const std::string_view> names);

enum class Need : uint8_t { kOptional, kRequired };

// A value of a document being read: where it is, and where problems go.
class JsonValue {
 public:
  JsonValue(const nlohmann::json& value, std::string pointer, std::vector<JsonProblem>& problems)
      : value_(&value), pointer_(std::move(pointer)), problems_(&problems) {}

  const nlohmann::json& json() const { return *value_; }
  const std::string& pointer() const { return pointer_; }

  // Records a problem at this value's pointer.
  void problem(std::string message) const;

  // Another value of the same document, reporting to the same problem list.
  JsonValue related(const nlohmann::json& value, std::string pointer) const {
    return JsonValue(value, std::move(pointer), *problems_);
  }

  // Each accessor returns nullopt after recording "expected ..., got ..."
  // (or an out-of-range message) when the value does not fit.
  std::optional<std::string> as_string() const;
  std::optional<bool> as_bool() const;
  std::optional<uint64_t> as_uint(uint64_t min, uint64_t max) const;
  std::optional<double> as_number(double min, double max) const;
  // The index in `names` of a string value; for anything else records
  // "unknown WHAT 'x' (expected one of: ...)".
  std::optional<size_t> as_name(std::span<const std::string_view> names, std::string_view what) const;
  std::optional<std::vector<JsonValue>> as_array() const;
  // Strings, each unique; `what` names them in the duplicate message.
  std::optional<std::vector<std::string>> as_string_set(std::string_view what) const;

 private:
  void wrong_type(std::string_view expected) const;

  const nlohmann::json* value_;
  std::string pointer_;
  std::vector<JsonProblem>* problems_;
};

// The members of one JSON object, checked against the set of keys it may
// have. Keys outside the set are recorded as unknown fields as soon as the
// reader is built, so a misspelt optional field never goes unnoticed.
class ObjectReader {
 public:
  ObjectReader(const JsonValue& object, std::initializer_list<std::string_view> allowed_keys);
  // The same, for a set of keys known only at run time (the views must outlive the reader).
  ObjectReader(const JsonValue& object, std::span<const std::string_view> allowed_keys);

  // False when the value is not an object (already recorded as a problem).
  bool valid() const { return valid_; }
  bool has(std::string_view key) const;

  // The member, or nullopt when absent (recorded as missing when required).
  std::optional<JsonValue> member(std::string_view key, Need need) const;

  // Typed reads that leave `out` untouched when the member is absent or bad.
  // They return whether `out` was set.
  bool read_string(std::string_view key, Need need, std::string& out) const;
  bool read_bool(std::string_view key, Need need, bool& out) const;
  bool read_number(std::string_view key, Need need, double min, double max, double& out) const;
  template <std::unsigned_integral T>
  bool read_uint(std::string_view key, Need need, uint64_t min, uint64_t max, T& out) const {
    std::optional<JsonValue> v = member(key, need);
    if (!v) return false;
    std::optional<uint64_t> n = v->as_uint(min, std::min<uint64_t>(max, std::numeric_limits<T>::max()));
    if (!n) return false;
    out = static_cast<T>(*n);
    return true;
  }

 private:
  JsonValue object_;
  std::vector<std::string_view> allowed_;
  bool valid_;
};

}  // namespace reports
