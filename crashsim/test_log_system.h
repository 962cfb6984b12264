// LogSystem: a tiny key-value store used as a test double for the simulator.
//
// It keeps its data in one append-only log file, "log": each commit appends
// one record [u32 payload length][u32 crc32 of payload][payload] with one
// write_at, then (when sync_on_commit) syncs the file before returning OK.
// Opening replays the intact records and cuts off a torn or damaged tail.
// Each knob removes one piece of the durability argument, so the tests can
// prove the simulator notices exactly that piece missing, independently of
// the real engine:
//   sync_on_commit = false       acknowledges commits that are not durable
//   sync_dir_on_create = false   never makes the log's directory entry durable
//   unsafe_recovery_rewrite      recovery rewrites the log in place (truncate to
//                                0, write back, sync): a crash in between loses
//                                acknowledged data, which only idempotent-recovery sees
//   refuse_key                   a commit writing this key fails with a corruption
//                                error, nothing written (a store that wrongly
//                                believes its data is damaged)
//   verify_flags_key             verify() reports a structure finding while the
//                                state holds this key
// Under media faults it is what SQLite's WAL is: the log ends at the first
// damaged record, so damage to any record but the last loses acknowledged
// records without an error (silent-loss), and damage to the last one drops
// it like a torn tail (tail-dropped).
//   describe_records = true      describe_regions() names each record's header and
//                                payload ("log-record-header", "log-record-payload")
#pragma once

#include <memory>
#include <string>

#include "crashsim/system_under_test.h"

namespace crashsim::testing {

struct LogOptions {
  bool sync_on_commit = true;
  bool sync_dir_on_create = true;
  bool unsafe_recovery_rewrite = false;
  std::string refuse_key = {};
  std::string verify_flags_key = {};
  bool describe_records = false;
};

class LogSystem final : public SystemUnderTest {
 public:
  explicit LogSystem(LogOptions options = {}) : options_(options) {}
  std::string name() const override;
  vfs::Result<std::unique_ptr<SutSession>> open(vfs::Vfs& vfs) override;
  std::vector<FileRegion> describe_regions(const DiskImage& image) const override;

 private:
  LogOptions options_;
};

}  // namespace crashsim::testing
