// btree dump's verdict on WAL frames: "completed_by_commit" must say what
// recovery will replay, or an engineer reading a crash state is misled.
#include "engine/btree_dump.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "engine/db.h"
#include "engine/wal_format.h"
#include "vfs/mem_vfs.h"

namespace engine {
namespace {

// The intact frames of the current generation, by transaction sequence:
// whether every one of them is marked completed by a commit.
std::map<uint64_t, bool> completed_by_sequence(const nlohmann::json& dump) {
  std::map<uint64_t, bool> out;
  for (const nlohmann::json& frame : dump["wal"]["frames"]) {
    if (!frame["complete"].get<bool>() || frame["empty"].get<bool>()) continue;
    if (!frame["checksum_ok"].get<bool>() || !frame["current_generation"].get<bool>()) continue;
    const uint64_t seq = frame["sequence"];
    const bool completed = frame["completed_by_commit"];
    out.emplace(seq, true).first->second &= completed;
  }
  return out;
}

// A group's earlier transactions end with a commit frame of their own but
// commit only with the meta frame of the group's last one (WAL format 3):
// with that meta frame torn, recovery drops the whole group, and the dump
// must not call the earlier ones completed.
TEST(BtreeDumpTest, AGroupsEarlierTransactionsAreCompletedOnlyByItsMetaFrame) {
  vfs::MemVfs mem;
  Options options;
  options.page_size = 512;
  options.checkpoint_every_commits = 0;
  options.checkpoint_wal_bytes = 0;
  auto db = Db::open(mem, "db", options);
  ASSERT_TRUE(db.ok()) << db.status().to_string();
  ASSERT_TRUE((*db)->put("base", "x").ok());
  ASSERT_TRUE((*db)->checkpoint().ok());
  std::vector<WriteBatch> group(3);
  group[0].put("a", "1");
  group[1].put("b", "2");
  group[2].put("c", "3");
  ASSERT_TRUE((*db)->write_group(group).ok());
  const uint64_t group_end = (*db)->stats()->wal_bytes;
  const auto files = mem.snapshot();

  for (const bool torn : {false, true}) {
    DumpFiles dump{"db", "db-wal", *files.at("db"), *files.at("db-wal")};
    if (torn) (*dump.wal)[group_end - wal_slot_size(512) + 100] ^= 0x5a;
    const std::map<uint64_t, bool> completed = completed_by_sequence(dump_json(dump));
    ASSERT_EQ(completed.size(), 3u) << "the last transaction keeps its intact leaf frame";
    for (const auto& [seq, done] : completed) EXPECT_EQ(done, !torn) << "txn " << seq << (torn ? ", torn" : "");
  }
}

}  // namespace
}  // namespace engine
