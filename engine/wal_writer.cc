#include "engine/wal_writer.h"

namespace engine {

WalWriter::WalWriter(vfs::File& file, uint32_t page_size, uint64_t db_id, Mutant mutant)
    : file_(file), page_size_(page_size), db_id_(db_id), mutant_(mutant) {}

Status WalWriter::write_header(uint64_t generation) {
  const auto bytes = encode_wal_header({page_size_, db_id_, generation}, mutant_);
  return file_.write_at(0, bytes);
}

Status WalWriter::write_transaction(uint64_t first_slot, std::span<const Page* const> pages, uint64_t txn_seq,
                                    uint64_t generation, uint32_t nonce) {
  if (pages.empty()) return Status();
  const uint64_t slot_size = wal_slot_size(page_size_);
  buffer_.resize(pages.size() * slot_size);
  for (size_t i = 0; i < pages.size(); ++i) {
    FrameHeader header;
    header.pgno = pages[i]->pgno;
    header.commit = i + 1 == pages.size() ? static_cast<uint32_t>(pages.size()) : 0;
    header.txn_seq = txn_seq;
    header.generation = generation;
    header.nonce = nonce;
    encode_frame(header, db_id_, pages[i]->bytes, std::span(buffer_).subspan(i * slot_size, slot_size), mutant_);
  }
  return file_.write_at(wal_slot_offset(first_slot, page_size_), buffer_);
}

}  // namespace engine
