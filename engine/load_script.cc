#include "engine/load_script.h"

#include <vector>

namespace engine {
namespace {

constexpr std::string_view kPutVerb = "put";
constexpr std::string_view kDeleteVerb = "del";
constexpr std::string_view kCommitVerb = "commit";

enum class LineRead : uint8_t { kLine, kEnd, kTooLong };

// Reads the next line of `in` into `line` (without its newline), refusing
// to hold more than `limit` bytes of it: a script is a file anyone can hand
// the tool, and one line must not size an allocation by itself.
LineRead read_line(std::istream& in, std::string& line, uint64_t limit) {
  line.clear();
  std::streambuf* buffer = in.rdbuf();
  for (;;) {
    const int c = buffer->sbumpc();
    if (c == std::char_traits<char>::eof()) {
      in.setstate(std::ios::eofbit);
      return line.empty() ? LineRead::kEnd : LineRead::kLine;
    }
    if (c == '\n') return LineRead::kLine;
    if (line.size() == limit) return LineRead::kTooLong;
    line.push_back(static_cast<char>(c));
  }
}

}  // namespace

uint64_t max_load_line(uint32_t key_limit) {
  return kPutVerb.size() + 1 + key_limit + 1 + kMaxValueSize;
}

Result<std::optional<LoadStep>> parse_load_line(std::string_view line, uint32_t key_limit) {
  if (line.empty()) return std::optional<LoadStep>();
  const size_t tab1 = line.find('\t');
  const std::string_view verb = line.substr(0, tab1);
  if (verb == kCommitVerb && tab1 == std::string_view::npos) return std::optional(LoadStep{});
  if (tab1 == std::string_view::npos || (verb != kPutVerb && verb != kDeleteVerb))
    return Status::invalid_argument("expected put<TAB>KEY<TAB>VALUE, del<TAB>KEY or commit");
  const std::string_view rest = line.substr(tab1 + 1);
  const size_t tab2 = rest.find('\t');
  LoadStep step;
  step.kind = verb == kPutVerb ? LoadStep::Kind::kPut : LoadStep::Kind::kDelete;
  step.key = rest.substr(0, tab2);
  if (step.kind == LoadStep::Kind::kDelete && tab2 != std::string_view::npos)
    return Status::invalid_argument("del takes one field, KEY");
  if (step.kind == LoadStep::Kind::kPut && tab2 == std::string_view::npos)
    return Status::invalid_argument("put needs KEY<TAB>VALUE");
  if (step.key.size() > key_limit)
    return Status::invalid_argument("key of " + std::to_string(step.key.size()) + " bytes exceeds the limit of " +
                                    std::to_string(key_limit));
  if (step.kind == LoadStep::Kind::kPut) {
    step.value = rest.substr(tab2 + 1);
    if (step.value.size() > kMaxValueSize)
      return Status::invalid_argument("value of " + std::to_string(step.value.size()) +
                                      " bytes exceeds the limit of " + std::to_string(kMaxValueSize));
  }
  return std::optional(step);
}

Status apply_load_script(std::istream& in, const std::string& name, const OpenForLoad& open) {
  // Lines are parsed against the largest key any page size allows; the
  // database's own limit is known once it is open, and checked at commit.
  const uint64_t line_limit = max_load_line(max_key_size(kMaxPageSize));
  Db* db = nullptr;

  WriteBatch batch;
  std::vector<uint64_t> batch_lines;  // the line of each operation of `batch`
  auto malformed = [&](uint64_t line_no, const std::string& why) {
    return Status::invalid_argument(name + ":" + std::to_string(line_no) + ": " + why +
                                    "; nothing after the last commit was applied");
  };
  auto commit = [&](uint64_t line_no) -> Status {
    if (db == nullptr) {
      ASSIGN_OR_RETURN(db, open());
    }
    ASSIGN_OR_RETURN(const Stats stats, db->stats());
    const uint32_t key_limit = max_key_size(stats.page_size);
    for (size_t i = 0; i < batch.size(); ++i) {
      const size_t key_size = batch.ops()[i].key.size();
      if (key_size > key_limit)
        return malformed(batch_lines[i], "key of " + std::to_string(key_size) + " bytes exceeds the limit of " +
                                             std::to_string(key_limit));
    }
    const Status s = db->write(batch);
    batch.clear();
    batch_lines.clear();
    if (s.ok()) return s;
    return s.with(name + ": batch ending at line " + std::to_string(line_no));
  };

  std::string line;
  uint64_t line_no = 0;
  for (;;) {
    const LineRead read = read_line(in, line, line_limit);
    if (read == LineRead::kEnd) break;
    ++line_no;
    if (read == LineRead::kTooLong)
      return malformed(line_no, "line longer than " + std::to_string(line_limit) +
                                    " bytes, the longest put of a key and a value within the limits");
    Result<std::optional<LoadStep>> step = parse_load_line(line, max_key_size(kMaxPageSize));
    if (!step.ok()) return malformed(line_no, step.status().message());
    if (!*step) continue;
    switch ((*step)->kind) {
      case LoadStep::Kind::kCommit:
        RETURN_IF_ERROR(commit(line_no));
        continue;
      case LoadStep::Kind::kPut:
        batch.put((*step)->key, (*step)->value);
        break;
      case LoadStep::Kind::kDelete:
        batch.del((*step)->key);
        break;
    }
    batch_lines.push_back(line_no);
  }
  if (in.bad()) return Status::io_error("load: read error in " + name + " after line " + std::to_string(line_no));
  return commit(line_no);
}

}  // namespace engine
