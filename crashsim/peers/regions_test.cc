// The peers' describe_regions: at every crash point of a run, the regions tile
// every file of the durable state exactly, and every kind of region SQLite's
// and LevelDB's formats have shows up somewhere.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "crashsim/peers/leveldb_system.h"
#include "crashsim/peers/sqlite_system.h"
#include "crashsim/simulator.h"

namespace crashsim::peers {
namespace {

// The kinds seen across the lose-unsynced states of every crash point of
// `sut` running `spec`, after checking that each state's regions tile it.
std::set<std::string> kinds_over_a_run(SystemUnderTest& sut, const GeneratorSpec& spec) {
  Scenario s;
  s.name = "regions";
  s.workload.generator = spec;
  const Simulator sim(sut);
  vfs::Result<Recording> recording = sim.record(s);
  EXPECT_TRUE(recording.ok()) << recording.status().to_string();
  if (!recording.ok()) return {};
  std::set<std::string> kinds;
  for (uint64_t p : select_points(recording->trace, s.options)) {
    vfs::Result<DiskImage> image = sim.build_state(*recording, s.options, std::to_string(p) + ":lose-unsynced");
    EXPECT_TRUE(image.ok()) << image.status().to_string();
    if (!image.ok()) continue;
    std::map<std::string, uint64_t> covered;  // path -> end of its last region
    for (const FileRegion& r : sut.describe_regions(*image)) {
      EXPECT_TRUE(image->files.contains(r.path)) << r.path;
      EXPECT_EQ(r.offset, covered[r.path]) << "point " << p << ": " << r.kind << " in " << r.path;
      EXPECT_GT(r.length, 0u);
      covered[r.path] = r.offset + r.length;
      kinds.insert(r.kind);
    }
    for (const auto& [path, bytes] : image->files) EXPECT_EQ(covered[path], bytes.size()) << "point " << p << ": " << path;
  }
  return kinds;
}

GeneratorSpec churn(uint32_t transactions, uint32_t max_value) {
  return GeneratorSpec{.seed = 3, .transactions = transactions, .key_space = 60, .min_value_size = 8,
                       .max_value_size = max_value, .put_weight = 60, .delete_weight = 40, .reopen_every = 8};
}

TEST(Regions, SqliteTilesItsDatabaseJournalAndWal) {
  std::set<std::string> kinds;
  for (SqliteOptions::JournalMode mode : {SqliteOptions::JournalMode::kWal, SqliteOptions::JournalMode::kDelete}) {
    SqliteOptions o;
    o.journal_mode = mode;
    o.wal_autocheckpoint = 8;
    SqliteSystem sut(o);
    kinds.merge(kinds_over_a_run(sut, churn(40, 2000)));
  }
  for (const char* kind : {"db-header", "btree-table-leaf", "btree-index-interior", "btree-index-leaf",
                           "overflow-or-unused", "freelist-trunk", "wal-header", "wal-frame-header",
                           "wal-commit-frame-header", "wal-frame-page", "journal-header", "journal-record"}) {
    EXPECT_TRUE(kinds.contains(kind)) << kind;
  }
  EXPECT_FALSE(kinds.contains("db-unrecognised"));
}

TEST(Regions, LeveldbTilesItsLogsManifestsAndTables) {
  LeveldbSystem sut(LeveldbOptions{.sync = true, .write_buffer_size = 64 * 1024});
  const std::set<std::string> kinds = kinds_over_a_run(sut, churn(300, 600));
  for (const char* kind : {"current", "log-record-header", "log-record", "manifest-record-header", "manifest-record",
                           "table-data-block", "table-block-trailer", "table-metaindex-block", "table-index-block",
                           "table-footer"}) {
    EXPECT_TRUE(kinds.contains(kind)) << kind;
  }
  // A durable table is a whole table: every one parses.
  EXPECT_FALSE(kinds.contains("table-unreadable"));
}

}  // namespace
}  // namespace crashsim::peers
