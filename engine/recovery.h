// Recovery: deciding, from what is on disk, what the database's committed
// state is. The rules, and why each holds, are in docs/file-formats.md
// ("Recovery rules"); in short:
//   1. the data file's meta page may be absent (a new database) or torn (a
//      checkpoint died writing it: repaired from the WAL);
//   2. a valid WAL header of generation H gives the log of generation H;
//      its db_id and generation must agree with the data file's meta;
//   3. an unreadable WAL header means a reset (or a creation) was
//      interrupted, unless frames written under a later header exist:
//      then that header was damaged, and it is rebuilt from the frames
//      (every meta frame carries the page size and db_id);
//   4. the committed transactions form the WAL index and the meta;
//   5. anything replayed, or a header to rewrite, is checkpointed before
//      open returns (the caller does it). Debris of generation H past the
//      end of the log is left alone: frame nonces make it inert.
// This module only reads. It never writes either file, so running it twice
// over the same files gives the same answer.
#pragma once

#include <cstdint>
#include <unordered_map>

#include "engine/pager.h"
#include "vfs/vfs.h"

namespace engine {

struct RecoveredState {
  // Neither file holds a committed meta page: a creation that never
  // finished. The caller creates the database afresh (or refuses).
  bool nothing_committed = false;
  Meta meta;  // the committed meta; wal_generation is the generation the WAL is at
  std::unordered_map<PageNo, uint64_t> wal_index;  // page -> WAL slot of its latest committed image
  uint64_t wal_tail = 0;                           // the slot the next transaction is written to
  uint64_t last_write_slot = 0;                    // the first slot of the last write's transactions (WalLog)
  uint64_t later_debris_end = 0;                   // WalLog::later_debris_end
  // The WAL must be checkpointed (and so moved to a fresh generation)
  // before the database is used: replayed transactions, or a header to
  // rewrite (torn, missing, or one generation behind).
  bool needs_checkpoint = false;
  // The WAL header was unreadable and has been rebuilt from the frames: it
  // must be written back (with meta.wal_generation) before anything else,
  // unless the checkpoint does it.
  bool rewrite_wal_header = false;
  RecoveryInfo info;  // checkpoint_redone is the caller's to set
};

// `requested_page_size` is Options::page_size (0: whatever the file says);
// `cross_checks` is Options::cross_checks (off: the refusals it lists are skipped).
Result<RecoveredState> recover(vfs::File& data, vfs::File& wal, uint32_t requested_page_size, Mutant mutant,
                               bool cross_checks = true);

}  // namespace engine
