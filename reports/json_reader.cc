#include "reports/json_reader.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <set>
#include <utility>

namespace reports {
namespace {

using nlohmann::json;

// Short rendering of a value for "got ..." in messages: long strings and
// containers are cut so that a message stays one readable line.
std::string describe(const json& v) {
  constexpr size_t kMax = 40;
  std::string kind;
  if (v.is_number_integer()) kind = "integer";
  else if (v.is_number()) kind = "number";
  else kind = v.type_name();
  if (v.is_object() || v.is_array()) return kind;
  std::string text = v.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  return kind + " " + text;
}

// Tracks where the parser is, as a JSON pointer, so that a repeated key can
// be reported at the object that holds it. nlohmann/json's parse callback
// sees events, not positions; this replays them onto a stack.
class DuplicateKeyFinder {
 public:
  explicit DuplicateKeyFinder(std::vector<JsonProblem>& problems) : problems_(problems) {}

  bool on_event(nlohmann::json::parse_event_t event, const json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        stack_.push_back(Frame{event == Event::array_start, 0, {}, {}});
        break;
      case Event::key: {
        Frame& top = stack_.back();
        top.key = parsed.get_ref<const std::string&>();
        if (!top.seen.insert(top.key).second)
          problems_.push_back({container_pointer(), "duplicate key '" + top.key + "'"});
        break;
      }
      case Event::object_end:
      case Event::array_end:
        stack_.pop_back();
        finished_value();
        break;
      case Event::value:
        finished_value();
        break;
    }
    return true;
  }

 private:
  struct Frame {
    bool is_array;
    size_t index;          // of the element being read, for arrays
    std::string key;       // of the member being read, for objects
    std::set<std::string> seen;
  };

  void finished_value() {
    if (!stack_.empty() && stack_.back().is_array) ++stack_.back().index;
  }

  // Pointer of the innermost open container.
  std::string container_pointer() const {
    std::string pointer;
    for (size_t i = 0; i + 1 < stack_.size(); ++i)
      pointer = stack_[i].is_array ? pointer_append(pointer, stack_[i].index) : pointer_append(pointer, stack_[i].key);
    return pointer;
  }

  std::vector<JsonProblem>& problems_;
  std::vector<Frame> stack_;
};

// nlohmann's what() reads "[json.exception.parse_error.101] parse error at
// line 2, column 9: syntax error while parsing ...": keep what follows the
// position, since the position is reported in our own form.
std::string parser_explanation(const std::string& what) {
  size_t at = what.find("parse error");
  if (at == std::string::npos) return what;
  size_t colon = what.find(": ", at);
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

}  // namespace

TextPosition text_position(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  TextPosition pos;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++pos.line;
      line_start = i + 1;
    }
  }
  pos.column = offset - line_start + 1;
  return pos;
}

vfs::Result<json> parse_json(std::string_view text, std::string_view source, std::vector<JsonProblem>& problems) {
  DuplicateKeyFinder finder(problems);
  try {
    return json::parse(text, [&finder](int, json::parse_event_t event, json& parsed) {
      return finder.on_event(event, parsed);
    });
  } catch (const json::parse_error& e) {
    // e.byte is the 1-based index of the last character read.
    TextPosition pos = text_position(text, e.byte == 0 ? 0 : e.byte - 1);
    return vfs::Status::invalid_argument(std::string(source) + ":" + std::to_string(pos.line) + ":" +
                                         std::to_string(pos.column) +
                                         ": malformed JSON: " + parser_explanation(e.what()));
  } catch (const json::exception& e) {
    return vfs::Status::invalid_argument(std::string(source) + ": malformed JSON: " + e.what());
  }
}

std::string pointer_append(std::string_view pointer, std::string_view key) {
  std::string out(pointer);
  out += '/';
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string pointer_append(std::string_view pointer, size_t index) {
  return std::string(pointer) + "/" + std::to_string(index);
}

std::string format_problems(std::string_view source, std::span<const JsonProblem> problems) {
  std::string out;
  for (const JsonProblem& p : problems) {
    if (!out.empty()) out += '\n';
    out += std::string(source) + " (" + (p.pointer.empty() ? "/" : p.pointer) + "): " + p.message;
  }
  return out;
}

std::string join_names(std::span<const std::string_view> names) {
  std::string out;
  for (std::string_view n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

void JsonValue::problem(std::string message) const { problems_->push_back({pointer_, std::move(message)}); }

void JsonValue::wrong_type(std::string_view expected) const {
  problem("expected " + std::string(expected) + ", got " + describe(*value_));
}

std::optional<std::string> JsonValue::as_string() const {
  if (!value_->is_string()) {
    wrong_type("a string");
    return std::nullopt;
  }
  return value_->get<std::string>();
}

std::optional<bool> JsonValue::as_bool() const {
  if (!value_->is_boolean()) {
    wrong_type("a boolean");
    return std::nullopt;
  }
  return value_->get<bool>();
}

std::optional<uint64_t> JsonValue::as_uint(uint64_t min, uint64_t max) const {
  std::string range = "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  if (!value_->is_number_integer()) {
    wrong_type(range);
    return std::nullopt;
  }
  bool negative = !value_->is_number_unsigned() && value_->get<int64_t>() < 0;
  uint64_t n = negative ? 0 : value_->get<uint64_t>();
  if (negative || n < min || n > max) {
    problem(value_->dump() + " is out of range (expected " + range + ")");
    return std::nullopt;
  }
  return n;
}

std::optional<double> JsonValue::as_number(double min, double max) const {
  auto bound = [](double d) { return nlohmann::json(d).dump(); };
  std::string range = "a number in [" + bound(min) + ", " + bound(max) + "]";
  if (!value_->is_number()) {
    wrong_type(range);
    return std::nullopt;
  }
  double d = value_->get<double>();
  if (!(d >= min && d <= max)) {
    problem(value_->dump() + " is out of range (expected " + range + ")");
    return std::nullopt;
  }
  return d;
}

std::optional<size_t> JsonValue::as_name(std::span<const std::string_view> names, std::string_view what) const {
  std::string expected = "(expected one of: " + join_names(names) + ")";
  if (!value_->is_string()) {
    problem("expected a " + std::string(what) + " name " + expected + ", got " + describe(*value_));
    return std::nullopt;
  }
  const std::string& s = value_->get_ref<const std::string&>();
  auto it = std::find(names.begin(), names.end(), s);
  if (it == names.end()) {
    problem("unknown " + std::string(what) + " '" + s + "' " + expected);
    return std::nullopt;
  }
  return static_cast<size_t>(it - names.begin());
}

std::optional<std::vector<JsonValue>> JsonValue::as_array() const {
  if (!value_->is_array()) {
    wrong_type("an array");
    return std::nullopt;
  }
  std::vector<JsonValue> out;
  out.reserve(value_->size());
  for (size_t i = 0; i < value_->size(); ++i) out.push_back(related((*value_)[i], pointer_append(pointer_, i)));
  return out;
}

std::optional<std::vector<std::string>> JsonValue::as_string_set(std::string_view what) const {
  std::optional<std::vector<JsonValue>> items = as_array();
  if (!items) return std::nullopt;
  std::vector<std::string> out;
  bool ok = true;
  for (const JsonValue& item : *items) {
    std::optional<std::string> s = item.as_string();
    if (!s) {
      ok = false;
    } else if (std::find(out.begin(), out.end(), *s) != out.end()) {
      item.problem("duplicate " + std::string(what) + " '" + *s + "'");
      ok = false;
    } else {
      out.push_back(std::move(*s));
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

ObjectReader::ObjectReader(const JsonValue& object, std::initializer_list<std::string_view> allowed_keys)
    : ObjectReader(object, std::span<const std::string_view>(allowed_keys.begin(), allowed_keys.size())) {}

ObjectReader::ObjectReader(const JsonValue& object, std::span<const std::string_view> allowed_keys)
    : object_(object), allowed_(allowed_keys.begin(), allowed_keys.end()), valid_(object.json().is_object()) {
  if (!valid_) {
    object_.problem("expected an object, got " + describe(object_.json()));
    return;
  }
  for (const auto& [key, value] : object_.json().items()) {
    if (std::find(allowed_.begin(), allowed_.end(), key) == allowed_.end())
      object_.related(value, pointer_append(object_.pointer(), key))
          .problem("unknown field '" + key + "' (expected one of: " + join_names(allowed_) + ")");
  }
}

bool ObjectReader::has(std::string_view key) const {
  return valid_ && object_.json().contains(key);
}

std::optional<JsonValue> ObjectReader::member(std::string_view key, Need need) const {
  // Asking for a key the reader was not told about is a bug in the caller:
  // that key would be rejected as unknown by the constructor.
  assert(std::find(allowed_.begin(), allowed_.end(), key) != allowed_.end());
  if (!valid_) return std::nullopt;
  auto it = object_.json().find(key);
  if (it == object_.json().end()) {
    if (need == Need::kRequired)
      object_.related(object_.json(), pointer_append(object_.pointer(), key))
          .problem("missing required field '" + std::string(key) + "'");
    return std::nullopt;
  }
  return object_.related(*it, pointer_append(object_.pointer(), key));
}

bool ObjectReader::read_string(std::string_view key, Need need, std::string& out) const {
  std::optional<JsonValue> v = member(key, need);
  if (!v) return false;
  std::optional<std::string> s = v->as_string();
  if (!s) return false;
  out = std::move(*s);
  return true;
}

bool ObjectReader::read_bool(std::string_view key, Need need, bool& out) const {
  std::optional<JsonValue> v = member(key, need);
  if (!v) return false;
  std::optional<bool> b = v->as_bool();
  if (!b) return false;
  out = *b;
  return true;
}

bool ObjectReader::read_number(std::string_view key, Need need, double min, double max, double& out) const {
  std::optional<JsonValue> v = member(key, need);
  if (!v) return false;
  std::optional<double> d = v->as_number(min, max);
  if (!d) return false;
  out = *d;
  return true;
}

}  // namespace reports
