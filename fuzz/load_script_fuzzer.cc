// Fuzz target load_script: a `btree load` script (engine/load_script.h)
// applied to a new database of 512-byte pages (deep trees and overflow
// chains from short inputs). Batches are all or nothing: whatever the load
// returns, the database (and a reopen of it) holds the state after some
// whole number of the script's batches, and all of them when the load
// succeeded.
#include <algorithm>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "engine/load_script.h"
#include "fuzz/fuzz_target.h"
#include "vfs/mem_vfs.h"

namespace {

constexpr uint32_t kPageSize = 512;

using State = std::map<std::string, std::string>;

// The state after each whole batch of `script`, from the empty one, up to
// the first malformed line.
std::vector<State> batch_states(const std::string& script) {
  std::vector<State> states(1);
  State current;
  std::istringstream in(script);
  std::string line;
  bool pending = false;
  while (std::getline(in, line)) {
    auto step = engine::parse_load_line(line, engine::max_key_size(kPageSize));
    if (!step.ok()) return states;
    if (!*step) continue;
    switch ((*step)->kind) {
      case engine::LoadStep::Kind::kCommit:
        states.push_back(current);
        pending = false;
        break;
      case engine::LoadStep::Kind::kPut:
        current[std::string((*step)->key)] = std::string((*step)->value);
        pending = true;
        break;
      case engine::LoadStep::Kind::kDelete:
        current.erase(std::string((*step)->key));
        pending = true;
        break;
    }
  }
  if (pending) states.push_back(current);
  return states;
}

vfs::Result<State> scan(engine::Db& db) {
  ASSIGN_OR_RETURN(auto cursor, db.new_cursor());
  State state;
  for (cursor->seek_to_first(); cursor->valid(); cursor->next()) state.emplace(cursor->key(), cursor->value());
  RETURN_IF_ERROR(cursor->status());
  return state;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string script(reinterpret_cast<const char*>(data), size);
  vfs::MemVfs vfs;
  engine::Options options;
  options.page_size = kPageSize;
  std::unique_ptr<engine::Db> db;
  std::istringstream in(script);
  const vfs::Status loaded = engine::apply_load_script(in, "script", [&]() -> vfs::Result<engine::Db*> {
    ASSIGN_OR_RETURN(db, engine::Db::open(vfs, "db", options));
    return db.get();
  });
  if (!db) {
    // The database is created by the first commit, so only a script
    // refused before it leaves none.
    if (loaded.code() != vfs::StatusCode::kInvalidArgument)
      fuzz::finding("no database after a load that ended with " + loaded.to_string());
    return 0;
  }
  if (!loaded.ok() && loaded.code() != vfs::StatusCode::kInvalidArgument)
    fuzz::finding("the load failed with " + loaded.to_string() + " on an in-memory database");

  const std::vector<State> states = batch_states(script);
  auto check = [&](engine::Db& d, const char* when) {
    auto state = scan(d);
    if (!state.ok()) fuzz::finding(std::string(when) + ": the scan failed: " + state.status().to_string());
    if (loaded.ok() && *state != states.back())
      fuzz::finding(std::string(when) + ": the load succeeded but the database does not hold its last batch");
    if (std::find(states.begin(), states.end(), *state) == states.end())
      fuzz::finding(std::string(when) + ": the database holds no whole number of the script's batches");
  };
  check(*db, "after the load");
  const vfs::Status closed = db->close();
  if (!closed.ok()) fuzz::finding("close failed: " + closed.to_string());
  options.create_if_missing = false;
  auto reopened = engine::Db::open(vfs, "db", options);
  if (!reopened.ok()) fuzz::finding("reopen failed: " + reopened.status().to_string());
  check(**reopened, "after a reopen");
  return 0;
}
