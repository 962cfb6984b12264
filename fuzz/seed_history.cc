#include "fuzz/seed_history.h"

#include <sstream>

#include "engine/load_script.h"
#include "reports/text_file.h"
#include "vfs/posix_vfs.h"

namespace fuzz {

vfs::Result<History> History::parse(const std::string& script, const std::string& name, uint32_t page_size) {
  History h;
  h.name_ = name;
  std::istringstream in(script);
  std::string line;
  uint64_t line_no = 0;
  // Changes of the batch being read, applied when its commit line comes.
  std::map<std::string, std::optional<std::string>> pending;
  while (std::getline(in, line)) {
    ++line_no;
    auto step = engine::parse_load_line(line, engine::max_key_size(page_size));
    if (!step.ok()) return step.status().with(name + ":" + std::to_string(line_no));
    if (!*step) continue;
    const engine::LoadStep& s = **step;
    if (s.kind == engine::LoadStep::Kind::kCommit) {
      if (pending.empty()) return vfs::Status::invalid_argument(name + ":" + std::to_string(line_no) + ": empty batch");
      ++h.batches_;
      for (auto& [key, value] : pending) h.changes_[key].push_back({h.batches_, std::move(value)});
      pending.clear();
      continue;
    }
    pending[std::string(s.key)] =
        s.kind == engine::LoadStep::Kind::kPut ? std::optional(std::string(s.value)) : std::nullopt;
  }
  if (!pending.empty())
    return vfs::Status::invalid_argument(name + ": the history ends without a commit line");
  return h;
}

std::vector<std::string> History::keys() const {
  std::vector<std::string> out;
  for (const auto& [key, changes] : changes_) out.push_back(key);
  return out;
}

std::optional<std::string> History::value_in(const std::string& key, uint64_t p) const {
  const auto it = changes_.find(key);
  if (it == changes_.end()) return std::nullopt;
  std::optional<std::string> value;
  for (const Change& c : it->second) {
    if (c.state > p) break;
    value = c.value;
  }
  return value;
}

std::map<std::string, std::string> History::state(uint64_t p) const {
  std::map<std::string, std::string> out;
  for (const auto& [key, changes] : changes_)
    if (std::optional<std::string> value = value_in(key, p)) out.emplace(key, std::move(*value));
  return out;
}

vfs::Result<SeedTable> SeedTable::load(const std::string& fuzz_dir) {
  vfs::Vfs& fs = vfs::default_vfs();
  const std::string seed_dir = fuzz_dir + "/corpus/open_db";
  const std::string history_dir = fuzz_dir + "/corpus/load_script";
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs.list_dir(seed_dir));
  SeedTable table;
  for (const std::string& name : names) {
    ASSIGN_OR_RETURN(const std::string input, reports::read_text_file(fs, seed_dir + "/" + name));
    Seed seed;
    seed.files = decode_db_files(std::span(reinterpret_cast<const uint8_t*>(input.data()), input.size()));
    // A resealed input is judged by no history; its plain twin is the seed.
    if (seed.files.reseal) continue;
    const std::optional<engine::WalHeader> header = wal_header(seed.files.wal);
    if (!header) return vfs::Status::invalid_argument("seed " + seed_dir + "/" + name + " has no valid WAL header");
    const std::optional<engine::Meta> meta = data_file_meta(seed.files.data);
    seed.checkpointed = meta ? meta->txn_seq - 1 : 0;
    ASSIGN_OR_RETURN(const std::string script, reports::read_text_file(fs, history_dir + "/" + name + ".load"));
    ASSIGN_OR_RETURN(seed.history, History::parse(script, name, header->page_size));
    const uint64_t db_id = header->db_id;
    if (!table.by_db_id_.emplace(db_id, std::move(seed)).second)
      return vfs::Status::invalid_argument("seed " + name + " has the db_id of another seed");
  }
  return table;
}

const Seed* SeedTable::find(uint64_t db_id) const {
  const auto it = by_db_id_.find(db_id);
  return it == by_db_id_.end() ? nullptr : &it->second;
}

}  // namespace fuzz
