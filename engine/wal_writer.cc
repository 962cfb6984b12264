#include "engine/wal_writer.h"

#include <algorithm>
#include <string>

namespace engine {

WalWriter::WalWriter(vfs::File& file, uint32_t page_size, uint64_t db_id, Mutant mutant, uint64_t file_size)
    : file_(file), page_size_(page_size), db_id_(db_id), mutant_(mutant), file_size_(file_size) {}

Status WalWriter::write_header(uint64_t generation) {
  const auto bytes = encode_wal_header({page_size_, db_id_, generation}, mutant_);
  RETURN_IF_ERROR(file_.write_at(0, bytes));
  file_size_ = std::max<uint64_t>(file_size_, bytes.size());
  return Status();
}

Status WalWriter::write_transactions(uint64_t first_slot, std::span<const Txn> txns, uint64_t generation,
                                     uint32_t nonce) {
  if (txns.size() > kMaxTxnsPerWrite) {
    return Status::invalid_argument("write " + file_.path() + ": " + std::to_string(txns.size()) +
                                    " transactions in one write, at most " + std::to_string(kMaxTxnsPerWrite));
  }
  size_t frames = 0;
  for (const Txn& txn : txns) frames += txn.pages.size();
  if (frames == 0) return Status();
  const uint64_t slot_size = wal_slot_size(page_size_);
  buffer_.resize(frames * slot_size);
  size_t at = 0;
  for (size_t t = 0; t < txns.size(); ++t) {
    const Txn& txn = txns[t];
    for (size_t i = 0; i < txn.pages.size(); ++i, ++at) {
      FrameTrailer trailer;
      trailer.pgno = txn.pages[i]->pgno;
      trailer.commit = i + 1 == txn.pages.size() ? static_cast<uint32_t>(txn.pages.size()) : 0;
      trailer.txn_seq = txn.txn_seq;
      trailer.generation = generation;
      trailer.nonce = nonce_of(nonce, t);
      encode_frame(trailer, db_id_, txn.pages[i]->bytes, std::span(buffer_).subspan(at * slot_size, slot_size),
                   mutant_);
    }
  }
  // Zeros first: a failed write must leave no frames behind, or a crash
  // before the next commit would recover a transaction that was refused.
  const uint64_t end_slot = first_slot + frames;
  if (wal_slot_offset(end_slot, page_size_) > file_size_) RETURN_IF_ERROR(grow_after(end_slot));
  return file_.write_at(wal_slot_offset(first_slot, page_size_), buffer_);
}

Status WalWriter::truncate_to_header() {
  // A failed truncate may have cut the file or not: file_size_ keeps the old
  // size, so a later shrink tries again (an overstated size only skips
  // zeroing ahead, which the frames' own write makes up for).
  RETURN_IF_ERROR(file_.truncate(kWalHeaderSize));
  file_size_ = kWalHeaderSize;
  return Status();
}

Status WalWriter::grow_after(uint64_t end_slot) {
  const uint64_t slot_size = wal_slot_size(page_size_);
  const uint64_t slots = std::clamp<uint64_t>(end_slot, 1, std::max<uint64_t>(1, kWalGrowthBytes / slot_size));
  const uint64_t offset = wal_slot_offset(end_slot, page_size_);
  const std::vector<uint8_t> zeros(slots * slot_size, 0);
  Status written = file_.write_at(offset, zeros);
  if (!written.ok()) {
    return written.with("grow WAL " + file_.path() + " by " + std::to_string(zeros.size()) + " bytes at offset " +
                        std::to_string(offset));
  }
  file_size_ = offset + zeros.size();
  return Status();
}

}  // namespace engine
