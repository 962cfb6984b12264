#include "fuzz/db_oracle.h"

#include <algorithm>

#include "engine/overflow.h"
#include "engine/wal_format.h"

namespace fuzz {
namespace {

using engine::Violation;

// A value for a message: printable, and short.
std::string shown(const std::optional<std::string>& value) {
  if (!value) return "(absent)";
  constexpr size_t kShown = 40;
  std::string out = "\"";
  for (size_t i = 0; i < std::min(value->size(), kShown); ++i) {
    const unsigned char c = static_cast<unsigned char>((*value)[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += char(c);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  out += value->size() > kShown ? "\"... (" + std::to_string(value->size()) + " bytes)" : "\"";
  return out;
}

bool reported(const Observation& o, Violation::Kind kind) {
  return o.report && std::any_of(o.report->violations.begin(), o.report->violations.end(),
                                 [&](const Violation& v) { return v.kind == kind; });
}

// What verify() said of the free-list count disagreeing with the chain, or
// "". It words this in engine/verify.cc (check_free_list).
std::string free_list_count_violation(const Observation& o) {
  if (!o.report) return "";
  for (const Violation& v : o.report->violations)
    if (v.kind == Violation::Kind::kMeta && v.message.find("freelist_count") != std::string::npos) return v.message;
  return "";
}

std::string first_violation(const Observation& o) {
  if (!o.open.ok()) return "open failed: " + o.open.to_string();
  if (o.read_failed) return "a read failed";
  if (!o.report) return "verify failed";
  if (!o.report->ok()) return "verify: " + o.report->violations.front().message;
  return "";
}

// The rules a sound database must keep with itself.
std::string judge_sound(const Observation& o) {
  for (size_t i = 1; i < o.scanned.size(); ++i)
    if (!(o.scanned[i - 1].first < o.scanned[i].first))
      return "verify() finds the database sound but the scan lists " + shown(o.scanned[i].first) + " after " +
             shown(o.scanned[i - 1].first);
  for (const auto& [key, value] : o.scanned) {
    const auto it = o.answers.find(key);
    if (it != o.answers.end() && it->second != value)
      return "verify() finds the database sound but get " + shown(key) + " answers " + shown(it->second) +
             " where the scan lists " + shown(value);
  }
  if (o.stats && o.stats->key_count != o.scanned.size())
    return "verify() finds the database sound but the meta key count " + std::to_string(o.stats->key_count) +
           " differs from the " + std::to_string(o.scanned.size()) + " keys the scan lists";
  return "";
}

// Reads are as strict as verify() about what they read.
std::string judge_reads_against_verify(const Observation& o) {
  if (o.read_failed || !o.scan_complete) return "";
  for (const Violation::Kind kind : {Violation::Kind::kOverflowChain, Violation::Kind::kPageType}) {
    if (!reported(o, kind)) continue;
    for (const Violation& v : o.report->violations)
      if (v.kind == kind)
        return "every get and the full scan answered, but verify() reports " +
               std::string(engine::violation_kind_name(kind)) + " page " + std::to_string(v.page) + ": " + v.message;
  }
  return "";
}

// Every page exists in the data file or in a WAL frame.
std::string judge_page_count(const Observation& o, const DbFiles& files) {
  if (!o.stats) return "";
  const uint32_t page_size = o.stats->page_size;
  const uint64_t data_pages = files.data.size() / page_size;
  const uint64_t wal_frames = files.wal.size() < engine::kWalHeaderSize
                                  ? 0
                                  : (files.wal.size() - engine::kWalHeaderSize) / engine::wal_slot_size(page_size);
  if (o.stats->page_count <= data_pages + wal_frames) return "";
  return "the database opened with page_count " + std::to_string(o.stats->page_count) + ", more pages than its " +
         std::to_string(data_pages) + " data pages and " + std::to_string(wal_frames) + " WAL frames can hold";
}

}  // namespace

Observation observe(vfs::Vfs& vfs, const std::vector<std::string>& keys, std::unique_ptr<engine::Db>* db) {
  Observation o;
  engine::Options options;
  options.create_if_missing = false;
  // A few pages only, so that reads go to the files again and again.
  options.cache_pages = 4;
  auto opened = engine::Db::open(vfs, "db", options);
  if (!opened.ok()) {
    o.open = opened.status();
    return o;
  }
  *db = std::move(opened).value();
  engine::Db& d = **db;

  auto cursor = d.new_cursor();
  if (cursor.ok()) {
    for ((*cursor)->seek_to_first(); (*cursor)->valid(); (*cursor)->next())
      o.scanned.emplace_back((*cursor)->key(), (*cursor)->value());
    o.scan_complete = (*cursor)->status().ok();
  }
  o.read_failed = !o.scan_complete;

  auto ask = [&](const std::string& key) {
    if (o.answers.contains(key)) return;
    std::string value;
    const vfs::Status s = d.get(key, &value);
    if (s.ok()) {
      o.answers.emplace(key, std::move(value));
    } else if (s.is_not_found()) {
      o.answers.emplace(key, std::nullopt);
    } else {
      o.read_failed = true;
    }
  };
  for (const std::string& key : keys) ask(key);
  for (const auto& entry : o.scanned) ask(entry.first);

  auto stats = d.stats();
  if (stats.ok()) {
    o.stats = *stats;
  } else {
    o.read_failed = true;
  }
  auto report = d.verify();
  if (report.ok()) o.report = std::move(report).value();
  return o;
}

ProbeWrite probe_write(const engine::Stats& stats) {
  const uint64_t pages = stats.page_count + 1;
  const uint64_t size = std::min(pages * engine::overflow_capacity(stats.page_size), engine::kMaxValueSize);
  ProbeWrite w;
  w.key = "\xff\xff probe";
  w.value = std::string(size, 'w');
  return w;
}

Oracle::Oracle(const Seed* seed, bool resealed) : seed_(resealed ? nullptr : seed) {
  if (!seed_) return;
  for (uint64_t p = seed_->checkpointed; p <= seed_->history.batches(); ++p) states_.push_back(p);
}

std::vector<std::string> Oracle::keys() const {
  return seed_ ? seed_->history.keys() : std::vector<std::string>();
}

bool Oracle::consistent(const Observation& o, uint64_t p, const ProbeWrite* write, std::string* why) const {
  const History& h = seed_->history;
  auto expected = [&](const std::string& key) {
    return write && key == write->key ? std::optional(write->value) : h.value_in(key, p);
  };
  for (const auto& [key, answer] : o.answers) {
    if (answer != expected(key)) {
      *why = "get " + shown(key) + " answers " + shown(answer) + " but its value in state " + std::to_string(p) +
             " of " + h.name() + " is " + shown(expected(key));
      return false;
    }
  }
  if (!o.scan_complete) return true;
  std::map<std::string, std::string> state = h.state(p);
  if (write) state[write->key] = write->value;
  for (const auto& [key, value] : o.scanned) {
    if (!state.contains(key)) {
      *why = "the scan lists " + shown(key) + ", absent from state " + std::to_string(p) + " of " + h.name();
      return false;
    }
    state.erase(key);
  }
  if (!state.empty()) {
    *why = "the scan misses " + shown(state.begin()->first) + " of state " + std::to_string(p) + " of " + h.name();
    return false;
  }
  return true;
}

std::string Oracle::narrow_states(const Observation& o, const ProbeWrite* write) {
  if (!seed_ || !o.open.ok()) return "";
  std::vector<uint64_t> kept;
  std::string why;
  for (const uint64_t p : states_)
    if (consistent(o, p, write, &why)) kept.push_back(p);
  if (kept.empty() && !states_.empty()) {
    return "silent wrong answer: no state of the history from " + std::to_string(seed_->checkpointed) +
           " (what the data file held) to " + std::to_string(seed_->history.batches()) +
           " matches every answer; for the last one tried: " + why;
  }
  states_ = std::move(kept);
  return "";
}

std::string Oracle::judge_first(const Observation& first, const DbFiles& files) {
  if (!first.open.ok()) return "";
  if (std::string problem = judge_page_count(first, files); !problem.empty()) return problem;
  if (std::string problem = narrow_states(first, nullptr); !problem.empty()) return problem;
  if (std::string problem = judge_reads_against_verify(first); !problem.empty()) return problem;
  return first.sound() ? judge_sound(first) : "";
}

std::string Oracle::judge_after_write(const Observation& before, const vfs::Status& written, const ProbeWrite& write,
                                      const Observation& after) {
  if (const std::string count = free_list_count_violation(before); written.ok() && !count.empty())
    return "a write that empties the free list succeeded although verify() reported: " + count;
  if (written.ok() && before.sound() && !after.sound())
    return "a write succeeded on a sound database and left it unsound: " + first_violation(after);
  if (!after.open.ok()) return "";
  if (std::string problem = narrow_states(after, written.ok() ? &write : nullptr); !problem.empty())
    return "after the probe write: " + problem;
  if (std::string problem = judge_reads_against_verify(after); !problem.empty())
    return "after the probe write: " + problem;
  if (written.ok() && after.sound()) {
    const auto it = after.answers.find(write.key);
    if (it == after.answers.end() || it->second != write.value)
      return "the probe write succeeded but a reopen reads " +
             (it == after.answers.end() ? std::string("no answer") : shown(it->second)) + " for its key";
  }
  return after.sound() ? judge_sound(after) : "";
}

}  // namespace fuzz
