// The open_db target's oracle: what the engine may answer when handed
// damaged files. Opening ends in an error or a database, and each read in an
// answer or an error; "did not crash" is not enough, so the answers are
// judged:
//   * against the seed's history (plain inputs only: resealed files are
//     valid files of other content): every answer must be the key's value
//     in one state p of the history, the same p for every key and for the
//     scan, and p may not be below what the seed's data file held. A silent
//     wrong value, a silently missing key or a mix of states is a finding;
//     an error never is.
//   * reads against verify(): when verify() reports a broken overflow chain
//     or a tree page of the wrong type, some read must have failed too (a
//     full scan reads every chain and every tree page), or a read returned
//     what verify calls broken.
//   * the meta page against the files: a database that opens claims no more
//     pages than its data file and WAL can hold between them.
//   * a sound database (verify() finds nothing and every read answered)
//     against itself: the scan ascends, a get of each scanned key returns the
//     scanned value, and the meta page's key count is the number of keys.
//   * writes: a write that succeeds on a sound database leaves it sound and
//     holding the write; and a write that allocates more pages than the file
//     has (so that it empties the free list) must fail when verify() found
//     the free-list count disagreeing with the chain.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/db.h"
#include "fuzz/seed_history.h"

namespace fuzz {

// What one open of a database, and everything read through it, showed.
struct Observation {
  vfs::Status open;          // OK when the database opened
  bool read_failed = false;  // a get, the scan or stats returned an error
  // Keys whose get answered: the value, or nullopt for kNotFound.
  std::map<std::string, std::optional<std::string>> answers;
  bool scan_complete = false;
  std::vector<std::pair<std::string, std::string>> scanned;
  std::optional<engine::VerifyReport> report;  // when verify() ran
  std::optional<engine::Stats> stats;

  bool sound() const { return open.ok() && !read_failed && scan_complete && report && report->ok(); }
};

// Opens "db" on `vfs` (never creating it) and, when it opens, gets each of
// `keys` and each key the scan lists, scans, takes the stats and verifies.
// The database stays open in *db for the caller's write.
Observation observe(vfs::Vfs& vfs, const std::vector<std::string>& keys, std::unique_ptr<engine::Db>* db);

// The probe write: a key after every seed key, and a value needing one
// overflow page more than the file's page count, so that it takes every
// page of any free list the file can hold.
struct ProbeWrite {
  std::string key;
  std::string value;
};
ProbeWrite probe_write(const engine::Stats& stats);

class Oracle {
 public:
  // `seed`: the history the files come from, or null (no value is judged).
  Oracle(const Seed* seed, bool resealed);

  // The keys to read: the history's, or none.
  std::vector<std::string> keys() const;

  // What is wrong with the first open of `files`; "" when nothing is.
  std::string judge_first(const Observation& first, const DbFiles& files);
  // What is wrong with a reopen after the probe write, which returned `written`.
  std::string judge_after_write(const Observation& before, const vfs::Status& written, const ProbeWrite& write,
                                const Observation& after);

 private:
  // Keeps the states still consistent with `o` (plus `write` when given);
  // "" while one is left, else what rules the last one out.
  std::string narrow_states(const Observation& o, const ProbeWrite* write);
  bool consistent(const Observation& o, uint64_t p, const ProbeWrite* write, std::string* why) const;

  const Seed* seed_;  // null when no history applies
  std::vector<uint64_t> states_;  // states p still possible
};

}  // namespace fuzz
