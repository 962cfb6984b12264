#include "engine/page.h"

#include <isa-l/crc.h>

#include <string>

#include "engine/entropy.h"

namespace engine {

uint32_t checksum_extend(uint32_t running, std::span<const uint8_t> data, Mutant mutant) {
  if (mutant_active(mutant, Mutant::kAdditiveChecksum)) {
    // MUTANT additive-checksum: a byte sum cannot see a +1/-1 pair or swapped bytes.
    for (uint8_t b : data) running += b;
    return running;
  }
  // ISA-L's crc32_gzip_refl is the reflected IEEE CRC-32, bit for bit what
  // zlib's crc32 computes (and chains the same way), with PCLMULQDQ where
  // the CPU has it: about 15 times zlib's speed on a 4 KiB page, and every
  // page written or read is checksummed once.
  return crc32_gzip_refl(running, data.data(), data.size());
}

uint32_t page_checksum(PageNo pgno, std::span<const uint8_t> page, Mutant mutant) {
  uint8_t no[4];
  store_u32(no, pgno);
  uint32_t c = checksum_extend(0, no, mutant);
  return checksum_extend(c, page.subspan(4), mutant);
}

void seal_page(Page& page, Mutant mutant) {
  store_u32(page.bytes.data(), page_checksum(page.pgno, page.bytes, mutant));
}

vfs::Status check_page(const Page& page, const std::string& file, Mutant mutant) {
  const uint32_t stored = stored_checksum(page);
  const uint32_t computed = page_checksum(page.pgno, page.bytes, mutant);
  if (stored == computed) return vfs::Status();
  return vfs::Status::corruption("page " + std::to_string(page.pgno) + " of " + file +
                                 ": checksum mismatch (stored " + std::to_string(stored) +
                                 ", computed " + std::to_string(computed) + ")");
}

uint64_t page_digest_term(PageNo pgno, uint32_t checksum) {
  return mix64((uint64_t{pgno} << 32) | checksum);
}

}  // namespace engine
