// The engine as a system under test.
//
// Opens engine::Db at `path` on the simulator's Vfs with the given Options
// (including Options::mutant, which the scenario catalog uses to plant a
// known defect). verify() maps the engine's VerifyReport onto invariants:
// Violation::Kind kLeak and kDoubleReference -> "leak", every other kind ->
// "structure". snapshot() is Db::snapshot() (its scan a cursor of it), bound
// by Options::snapshot_memory_limit. Recovery paths come from
// Db::stats().recovery (RecoveryInfo):
//   wal-replayed, torn-tail-discarded, uncommitted-txn-dropped,
//   stale-frames-ignored, wal-header-rewritten, checkpoint-redone
// Regions (describe_regions, from engine/file_layout.h), in NAME-wal:
//   wal-header            the 40-byte header
//   wal-commit-frame      a whole frame (image and trailer) of the header's
//                         generation whose trailer carries the commit marker
//   wal-page-<type>       the page image of any other frame of that generation
//                         (meta, leaf, internal, overflow, free)
//   wal-frame-trailer     the trailer of such a frame
//   wal-stale-frame       a whole valid frame of another generation (left by
//                         an earlier generation, overwritten slot by slot)
//   wal-empty-slot        a slot of zeros the WAL grew ahead with
//   wal-damaged-slot      a whole slot whose checksums fail (debris of a write
//                         that never completed), or a partial last slot
// and in NAME: data-meta (page 0), data-<type> for every other page whose
// checksum holds (leaf, internal, overflow, free), data-damaged otherwise.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "crashsim/system_under_test.h"
#include "engine/db.h"

namespace crashsim {

class EngineSystem final : public SystemUnderTest {
 public:
  explicit EngineSystem(engine::Options options = {}, std::string path = "db");

  // "engine", or "engine[<mutant name>]".
  std::string name() const override;
  vfs::Result<std::unique_ptr<SutSession>> open(vfs::Vfs& vfs) override;
  std::vector<FileRegion> describe_regions(const DiskImage& image) const override;
  // engine::mutant_fired_count of the planted mutant; nullopt without one.
  std::optional<uint64_t> defect_fired_count() const override;

 private:
  engine::Options options_;
  std::string path_;
};

}  // namespace crashsim
