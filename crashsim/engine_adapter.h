// The engine as a system under test.
//
// Opens engine::Db at `path` on the simulator's Vfs with the given Options
// (including Options::mutant, which the scenario catalog uses to plant a
// known defect). verify() maps the engine's VerifyReport onto invariants:
// Violation::Kind kLeak and kDoubleReference -> "leak", every other kind ->
// "structure". Recovery paths come from Db::stats().recovery (RecoveryInfo):
//   wal-replayed, torn-tail-discarded, uncommitted-txn-dropped,
//   stale-frames-ignored, wal-header-rewritten, checkpoint-redone
#pragma once

#include <memory>
#include <string>

#include "crashsim/system_under_test.h"
#include "engine/db.h"

namespace crashsim {

class EngineSystem final : public SystemUnderTest {
 public:
  explicit EngineSystem(engine::Options options = {}, std::string path = "db");

  // "engine", or "engine[<mutant name>]".
  std::string name() const override;
  vfs::Result<std::unique_ptr<SutSession>> open(vfs::Vfs& vfs) override;

 private:
  engine::Options options_;
  std::string path_;
};

}  // namespace crashsim
