// Reading the WAL back: its header, single page images, and the log its
// frames form, as recovery needs it. Nothing here writes.
//
// The log of generation H is the longest run of frames from slot 0 that
// verify, carry generation H and consecutive transaction sequence numbers,
// cut after the last complete transaction (frames of one sequence number and
// one nonce, the last of which has a commit field equal to their count).
// What lies past the end is then examined: a complete transaction of
// generation H there, or any frame of H with a later sequence number than
// the transaction at the break, means a frame in the middle of the log was
// damaged (a transaction is written only after the previous one's sync
// returned, so it cannot outlive it by accident), and that is reported as
// corruption rather than read as a torn tail.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "engine/page.h"
#include "engine/wal_format.h"
#include "vfs/vfs.h"

namespace engine {

// The WAL's header: kCorruption when it is short, torn or not a WAL header
// at all (recovery rule 3 decides what that means); other codes are I/O errors.
Result<WalHeader> read_wal_header(vfs::File& wal, Mutant mutant);

// The page image held by the frame in `slot`, checked against its page
// checksum (which folds in `pgno`, so a frame of another page fails).
Result<PageRef> read_wal_page(vfs::File& wal, uint64_t slot, PageNo pgno, uint32_t page_size, Mutant mutant);

struct WalScanParams {
  uint32_t page_size = 0;
  uint64_t db_id = 0;       // folded into every frame checksum
  uint64_t generation = 0;  // the generation the log is at
  // Sequence number the first transaction must carry, when the data file
  // tells (it was checkpointed at the end of the previous generation).
  std::optional<uint64_t> first_txn_seq;
  Mutant mutant = Mutant::kNone;
  // Off (Options::cross_checks): what follows the end of the log is not
  // examined, so damage in the middle of the log reads as a torn tail.
  bool cross_checks = true;
};

struct WalLog {
  uint64_t txn_count = 0;       // committed transactions in the log
  uint64_t first_txn_seq = 0;   // of the first and last of them, when txn_count > 0
  uint64_t last_txn_seq = 0;
  std::unordered_map<PageNo, uint64_t> index;  // page -> slot of its latest committed frame
  uint64_t end_slot = 0;        // the slot after the log: where the next transaction goes
  // The first slot of the last write's committed transactions: the
  // trailing run of committed transactions that share the last one's nonce
  // (a group commit writes all its transactions with one nonce).
  uint64_t last_write_slot = 0;
  // One past the last intact frame of a later transaction of the write the
  // log broke in (a torn group commit), else 0. The next commit, if shorter
  // than the transaction it replaces, could leave such a frame next in
  // sequence behind its own: the pager zeroes them first.
  uint64_t later_debris_end = 0;
  bool torn_tail = false;       // the log ended at a damaged or partial frame
  bool uncommitted_frames = false;  // intact frames of a transaction that never committed
  bool stale_frames = false;    // intact frames of an older generation at or after the end
};

// Reads every slot of the WAL and returns the log of params.generation, or
// kCorruption (naming the WAL and the offset of the damaged frame) when a
// complete transaction of that generation, or any frame of that generation
// with a later sequence number than the transaction at the break, follows
// the end of the log, or when a frame carries a newer generation than the
// log's (these three are cross-checks: off, the log just ends at the break).
Result<WalLog> scan_wal_log(vfs::File& wal, const WalScanParams& params);

// The newest generation among the WAL's frames that verify for `db_id`
// (laid out for `page_size`); 0 when none does.
Result<uint64_t> newest_frame_generation(vfs::File& wal, uint32_t page_size, uint64_t db_id, Mutant mutant);

// For a WAL whose header is unreadable: the header its frames were written
// under, or nullopt when no meta frame verifies. A meta frame describes
// itself (its image holds the page size and db_id that its frame checksum
// folds in), and a generation's frames are written only after its header is
// durable, so the header said the newest generation of any frame.
Result<std::optional<WalHeader>> header_from_meta_frames(vfs::File& wal, Mutant mutant);

}  // namespace engine
