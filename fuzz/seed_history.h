// What each seed database of the open_db corpus committed: the oracle's
// reference for judging what a damaged copy of it returns.
//
// Seed NAME is fuzz/corpus/open_db/NAME (an input, fuzz/db_files.h) and its
// history is fuzz/corpus/load_script/NAME.load: the batches it committed, in
// order, as a `btree load` script with one `commit` line per transaction
// (batch i, from 1, is transaction i + 1: transaction 1 created the
// database). fuzz/make_seeds.cc writes both; the histories are also the
// load_script target's corpus.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fuzz/db_files.h"
#include "vfs/status.h"

namespace fuzz {

class History {
 public:
  // The batches `script` (a `btree load` script) commits.
  static vfs::Result<History> parse(const std::string& script, const std::string& name, uint32_t page_size);

  const std::string& name() const { return name_; }
  // Batches committed in all; state p is the database after the first p.
  uint64_t batches() const { return batches_; }
  // Every key some batch wrote or deleted, in key order.
  std::vector<std::string> keys() const;
  // Value of `key` in state p; nullopt when absent.
  std::optional<std::string> value_in(const std::string& key, uint64_t p) const;
  // Every key present in state p, with its value, in key order.
  std::map<std::string, std::string> state(uint64_t p) const;

 private:
  struct Change {
    uint64_t state;                    // the first state showing it
    std::optional<std::string> value;  // nullopt: deleted
  };
  std::string name_;
  uint64_t batches_ = 0;
  std::map<std::string, std::vector<Change>> changes_;  // per key, by state
};

// A seed of the open_db corpus with what it committed.
struct Seed {
  DbFiles files;
  History history;
  // The lowest state the database may silently recover to: what its data
  // file holds (the WAL may lose its tail without a trace, the data file
  // may not).
  uint64_t checkpointed = 0;
};

class SeedTable {
 public:
  // Reads every plain seed of `fuzz_dir`/corpus/open_db (not the resealed
  // twins) and its history; a seed whose WAL names no db_id, or whose
  // history is missing, is an error.
  static vfs::Result<SeedTable> load(const std::string& fuzz_dir);

  // The seed whose database carries `db_id`, or null.
  const Seed* find(uint64_t db_id) const;
  const std::map<uint64_t, Seed>& seeds() const { return by_db_id_; }

 private:
  std::map<uint64_t, Seed> by_db_id_;
};

}  // namespace fuzz
