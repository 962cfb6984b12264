// Helpers for the fault-injection tests (engine/fault_*_test.cc), which run
// the engine on real files through PosixVfs and make its calls fail with
// libfiu (test-only; not part of the library).
//
// ScopedFailpoint enables one of PosixVfs's failpoints (vfs/posix_vfs.h) and
// disables it when it goes out of scope, so a failing assertion never leaves
// a point enabled for the next test. Model is the expected contents of the
// database: every write the engine acknowledged, in order, and nothing else.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/db.h"
#include "engine/tree_test_util.h"
#include "vfs/posix_vfs.h"

namespace engine::testing {

class ScopedFailpoint {
 public:
  // Every call through `point` fails with `err`.
  static ScopedFailpoint always(const char* point, int err);
  // Only the next call through `point` fails (FIU_ONETIME).
  static ScopedFailpoint once(const char* point, int err);
  // The n-th call from now (1-based) fails; the calls before and after it
  // go through. Counted by a libfiu external callback.
  static ScopedFailpoint nth(const char* point, uint64_t n, int err);
  // Each call fails with `probability`, drawn from libfiu's generator after
  // seeding it with `seed` (fiu_set_prng_seed), so a run replays exactly.
  static ScopedFailpoint random(const char* point, float probability, unsigned seed, int err);
  // Enables a point that does not fail its call but changes how it is made
  // (vfs/posix/short_io, vfs/posix/eintr).
  static ScopedFailpoint behaviour(const char* point);

  ScopedFailpoint(ScopedFailpoint&& other) noexcept;
  ScopedFailpoint& operator=(ScopedFailpoint&&) = delete;
  ~ScopedFailpoint();

  // Disables the point now (idempotent).
  void disable();
  // Calls the point has seen since it was enabled (nth points only).
  uint64_t calls() const;

 private:
  explicit ScopedFailpoint(std::string point) : point_(std::move(point)) {}
  std::string point_;
};

// `count` puts of keys NumberedKey(first ..), values `value_size` bytes of a
// pattern derived from the key and `round` (so a rewrite is visible).
WriteBatch numbered_puts(int first, int count, size_t value_size, int round = 0);

// The database's contents equal `model` (by scan, and key by key with get)
// and verify() finds nothing wrong.
void expect_holds_exactly(Db& db, const Model& model);

// The database holds `before`, or `before` with `batch` applied: a write
// that was not acknowledged may or may not have reached the disk, but never
// in part.
void expect_holds_one_of(Db& db, const Model& before, const WriteBatch& batch);

// A fresh temporary directory with a database path in it, and options with
// automatic checkpoints off (so a test decides when the data file is written)
// and a small page size and cache (so pages are read back from disk).
class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override;
  static Options quiet_options();
  std::unique_ptr<Db> open_db(const Options& options = quiet_options());
  // Closes `db` (reporting an error) and opens it again, running recovery.
  std::unique_ptr<Db> reopen(std::unique_ptr<Db> db, const Options& options = quiet_options());
  // Writes `batch` and, when acknowledged, records it in `model_`.
  Status write(Db& db, const WriteBatch& batch);

  vfs::PosixVfs vfs_;
  TempDir dir_;
  std::string path_;
  Model model_;
};

}  // namespace engine::testing
