// SnapshotStore: a small key-value store that is not part of btreekv.
//
// It keeps its whole state in one file, "data": every commit writes the new
// state to "data.tmp", syncs it, renames it over "data", and (unless
// `sync_dir` is off) syncs the directory, so that the rename itself survives
// a power loss. The file is
//   [u32 entry count] then per entry [u32 key size][key][u32 value size][value]
//   then [u64 FNV-1a hash of everything before it]
// all little-endian. Every read decodes "data" again (an absent file is an
// empty store); opening refuses a file whose hash does not match.
//
// With sync_dir off the store acknowledges commits whose rename a power loss
// can undo: the crashsim catalog next to this file expects exactly that.
#pragma once

#include <memory>
#include <string>

#include "crashsim/system_under_test.h"

namespace snapshot {

struct Options {
  bool sync_dir = true;
};

class SnapshotSystem final : public crashsim::SystemUnderTest {
 public:
  explicit SnapshotSystem(Options options) : options_(options) {}
  std::string name() const override { return options_.sync_dir ? "snapshot" : "snapshot[no-sync-dir]"; }
  vfs::Result<std::unique_ptr<crashsim::SutSession>> open(vfs::Vfs& vfs) override;

 private:
  Options options_;
};

}  // namespace snapshot
