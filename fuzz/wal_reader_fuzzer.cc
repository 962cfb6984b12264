// Fuzz target wal_reader: a WAL image behind a flags byte, read the way
// recovery reads it (engine/wal_reader.h).
//   byte 0   flags; bit 0: reseal the header and every frame (fuzz/db_files.h);
//            bit 1: the log must start at txn 1 (as for a database never
//            checkpointed), else at any sequence number
//   bytes 1..  the WAL
// When the header decodes, the log of its generation is scanned, and what
// scan_wal_log returns must keep its contract: every frame the index names
// lies before the end of the log and reads back as a valid image of its
// page, and the transactions it counts carry consecutive sequence numbers.
#include <memory>

#include "engine/wal_reader.h"
#include "fuzz/db_files.h"
#include "fuzz/fuzz_target.h"
#include "vfs/mem_vfs.h"

namespace {

constexpr uint8_t kFirstTxnFlag = 0x02;

std::string check_log(const engine::WalLog& log, vfs::File& wal, const engine::WalHeader& header) {
  for (const auto& [pgno, slot] : log.index) {
    if (slot >= log.end_slot)
      return "the index maps page " + std::to_string(pgno) + " to slot " + std::to_string(slot) +
             ", at or past the end of the log (slot " + std::to_string(log.end_slot) + ")";
    auto page = engine::read_wal_page(wal, slot, pgno, header.page_size, engine::Mutant::kNone);
    if (!page.ok())
      return "the index maps page " + std::to_string(pgno) + " to slot " + std::to_string(slot) +
             ", which does not read back: " + page.status().to_string();
  }
  if (log.txn_count > 0 && log.last_txn_seq - log.first_txn_seq + 1 != log.txn_count)
    return std::to_string(log.txn_count) + " transactions counted from txn " + std::to_string(log.first_txn_seq) +
           " to txn " + std::to_string(log.last_txn_seq);
  if (log.txn_count == 0 && !log.index.empty()) return "an index without a committed transaction";
  return "";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  fuzz::DbFiles files;
  files.reseal = (data[0] & fuzz::kResealFlag) != 0;
  files.wal.assign(data + 1, data + size);
  if (files.reseal) fuzz::reseal_db_files(files);

  vfs::MemVfs vfs;
  vfs.install_file("db-wal", std::make_shared<const vfs::Bytes>(files.wal));
  auto wal = vfs.open("db-wal", vfs::OpenMode::kMustExist);
  if (!wal.ok()) fuzz::finding("cannot open the installed WAL: " + wal.status().to_string());
  auto header = engine::read_wal_header(**wal, engine::Mutant::kNone);
  if (!header.ok()) return 0;

  engine::WalScanParams params;
  params.page_size = header->page_size;
  params.db_id = header->db_id;
  params.generation = header->generation;
  if ((data[0] & kFirstTxnFlag) != 0) params.first_txn_seq = 1;
  auto log = engine::scan_wal_log(**wal, params);
  if (!log.ok()) return 0;
  if (std::string problem = check_log(*log, **wal, *header); !problem.empty()) fuzz::finding(problem);
  return 0;
}
