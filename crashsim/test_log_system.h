// LogSystem: a tiny key-value store used as a test double for the simulator.
//
// It keeps its data in one append-only log file, "log": each commit appends
// one record [u32 payload length][u32 crc32 of payload][payload] with one
// write_at, then (when sync_on_commit) syncs the file before returning OK.
// Opening replays the intact records, cuts off a torn or damaged tail, and
// writes the records back over themselves and syncs the log, so that what it
// shows is durable even when it read records a crashed process had written
// but not synced, or that a failed sync had left clean in the page cache.
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
//   sync_recovered = false       recovery shows what it read without syncing it:
//                                after a process crash, a power loss then loses
//                                records the reopened store showed (only a mixed
//                                crash sequence sees it)
//   keep_torn_tail               recovery leaves a torn tail in place and appends
//                                new records after it, where the next recovery
//                                never reaches them
//   compact_on_close             a clean close rewrites the log from the state
//                                (a new file, synced, renamed over the old one),
//                                which hides any debris, as a checkpoint does
//   describe_records = true      describe_regions() names each record's header and
//                                payload ("log-record-header", "log-record-payload")
// Under media faults it is what SQLite's WAL is: the log ends at the first
// damaged record, so damage to any record but the last loses acknowledged
// records without an error (silent-loss), and damage to the last one drops
// it like a torn tail (tail-dropped).
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "crashsim/system_under_test.h"

namespace crashsim::testing {

struct LogOptions {
  bool sync_on_commit = true;
  bool sync_dir_on_create = true;
  bool unsafe_recovery_rewrite = false;
  std::string refuse_key = {};
  std::string verify_flags_key = {};
  bool sync_recovered = true;
  bool keep_torn_tail = false;
  bool compact_on_close = false;
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

// LogSystem with each session wrapped in `Session` (a ForwardingSession of
// crashsim/test_util.h that changes a call or two): a defective system.
template <class Session>
class WrappedLogSystem final : public SystemUnderTest {
 public:
  explicit WrappedLogSystem(std::string name) : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  vfs::Result<std::unique_ptr<SutSession>> open(vfs::Vfs& vfs) override {
    ASSIGN_OR_RETURN(std::unique_ptr<SutSession> inner, log_.open(vfs));
    return std::unique_ptr<SutSession>(std::make_unique<Session>(std::move(inner)));
  }

 private:
  std::string name_;
  LogSystem log_;
};

}  // namespace crashsim::testing
