// WalWriter: puts bytes into the WAL. It writes a header when a generation
// starts and the frames of a group of transactions with a single write_at, so
// that one group commit is one write followed by one sync (the caller's,
// after this returns).
// It keeps no position of its own: the pager says which slot comes next.
//
// It does keep the file's size, to grow the WAL ahead of its frames: when a
// transaction's frames would run past the end of the file, zeros are first
// written past where they will end, as many slots as the file will then
// hold, at most kWalGrowthBytes; then the frames. The
// frames of later commits then overwrite blocks the file already has, and
// on ext4 an fdatasync of an overwrite costs one device flush, while one of
// an append must also commit the journal for the new size (twice the time
// per commit until the WAL reaches its steady size). The zeros are synced by
// the same sync as the frames; a zeroed slot reads as empty, never as a
// frame. Everything past a transaction's last frame is dead (recovery stops
// at the first slot that does not continue the log), so zeroing it is safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "engine/page.h"
#include "engine/wal_format.h"
#include "vfs/vfs.h"

namespace engine {

// The most a single growth adds to the WAL.
inline constexpr uint64_t kWalGrowthBytes = 1 << 20;

class WalWriter {
 public:
  // `file_size`: the size of `file` now.
  WalWriter(vfs::File& file, uint32_t page_size, uint64_t db_id, Mutant mutant, uint64_t file_size);

  // Writes the header of `generation` at offset 0. Not synced.
  Status write_header(uint64_t generation);

  // One transaction of a write: its sealed pages, the meta page last.
  struct Txn {
    std::span<const Page* const> pages;
    uint64_t txn_seq = 0;
  };
  // Writes the transactions' pages (at most kMaxTxnsPerWrite transactions)
  // as consecutive frames from `first_slot`, in order, each frame tagged with
  // its transaction's txn_seq, `generation` and nonce_of(nonce, its index
  // in the write); the last frame of each transaction carries the commit
  // field, its page count. `nonce` is fresh for every write: recovery tells
  // the transactions of one write by it and by the index
  // (docs/file-formats.md). One write_at, after one
  // of zeros when the frames would grow the file (see above); nothing is
  // written for no pages, no frames when the zeros fail.
  Status write_transactions(uint64_t first_slot, std::span<const Txn> txns, uint64_t generation, uint32_t nonce);

  // Cuts the file back to its header. Not synced. Only once the header of a
  // new generation is durable: every frame behind it is dead then.
  Status truncate_to_header();

  // The file's size as this writer last left it.
  uint64_t file_size() const { return file_size_; }

 private:
  // Zeros from slot `end_slot` (the first past the frames just written) on.
  Status grow_after(uint64_t end_slot);

  vfs::File& file_;
  const uint32_t page_size_;
  const uint64_t db_id_;
  const Mutant mutant_;
  // At most the file's size: it only grows when a write that reaches further
  // succeeds. The frames always end inside it (grow_after comes first).
  uint64_t file_size_;
  std::vector<uint8_t> buffer_;  // reused across commits: a commit allocates only when it outgrows it
};

}  // namespace engine
