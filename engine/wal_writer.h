// WalWriter: puts bytes into the WAL. It writes a header when a generation
// starts and each transaction's frames with a single write_at, so that one
// commit is one write followed by one sync (the caller's, after this returns).
// It keeps no position of its own: the pager says which slot comes next.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "engine/page.h"
#include "engine/wal_format.h"
#include "vfs/vfs.h"

namespace engine {

class WalWriter {
 public:
  WalWriter(vfs::File& file, uint32_t page_size, uint64_t db_id, Mutant mutant);

  // Writes the header of `generation` at offset 0. Not synced.
  Status write_header(uint64_t generation);

  // Writes `pages` (already sealed) as consecutive frames from `first_slot`,
  // all tagged `txn_seq`, `generation` and `nonce` (fresh for every write);
  // the last frame carries the commit field, pages.size(). One write_at;
  // nothing is written for no pages.
  Status write_transaction(uint64_t first_slot, std::span<const Page* const> pages, uint64_t txn_seq,
                           uint64_t generation, uint32_t nonce);

 private:
  vfs::File& file_;
  const uint32_t page_size_;
  const uint64_t db_id_;
  const Mutant mutant_;
  std::vector<uint8_t> buffer_;  // reused across commits: a commit allocates only when it outgrows it
};

}  // namespace engine
