// LevelDB as a system under test.
//
// The store is a LevelDB database whose directory is the root of the
// simulator's Vfs (CURRENT, MANIFEST-*, *.log, *.ldb, LOCK), reached through
// VfsEnv (leveldb_env.h), which runs LevelDB's background compactions on the
// calling thread after each call returns. A batch is one leveldb::WriteBatch
// written with WriteOptions::sync as configured; OK means Write() returned OK.
//
// open() opens with create_if_missing, the configured paranoid_checks and
// write_buffer_size, and an info log kept in memory (never a file).
// checkpoint(): kNotSupported. LevelDB has no checkpoint; CompactRange()
// would wait for a background thread that VfsEnv runs only between calls.
// get() and scan_all() read with ReadOptions::verify_checksums as configured
// (LevelDB's default: false).
// verify(): a full scan with verify_checksums = true (LevelDB has no other
// integrity check); a checksum or format error is a "structure" finding.
// recovery_paths(), from the info log lines of the open:
//   database-created    "Creating DB ... since it was missing"
//   log-replayed        "Recovering log #N"
//   log-bytes-dropped   "... dropping N bytes ...": the log reader skipped a
//                       damaged record (and, paranoid_checks off, went on)
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "crashsim/system_under_test.h"

namespace crashsim::peers {

struct LeveldbOptions {
  // LevelDB's own defaults.
  bool sync = false;                         // WriteOptions::sync
  bool paranoid_checks = false;              // Options::paranoid_checks
  bool verify_checksums = false;             // ReadOptions::verify_checksums for get and scan
  size_t write_buffer_size = 4 * 1024 * 1024;  // Options::write_buffer_size (LevelDB clamps it to [64 KiB, 1 GiB])
};

class LeveldbSystem final : public SystemUnderTest {
 public:
  explicit LeveldbSystem(LeveldbOptions options = {}) : options_(options) {}

  // "leveldb[sync]" or "leveldb[no-sync]", then ",paranoid", ",verify-checksums" and
  // ",write_buffer_size=N" when set away from LevelDB's defaults.
  std::string name() const override;
  vfs::Result<std::unique_ptr<SutSession>> open(vfs::Vfs& vfs) override;
  // LevelDB's log and table formats, parsed without opening the database (leveldb_regions.h).
  std::vector<FileRegion> describe_regions(const DiskImage& image) const override;

 private:
  LeveldbOptions options_;
};

}  // namespace crashsim::peers
