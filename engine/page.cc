#include "engine/page.h"

#include <zlib.h>

#include <string>

namespace engine {

uint32_t checksum_extend(uint32_t running, std::span<const uint8_t> data, Mutant mutant) {
  if (mutant_active(mutant, Mutant::kAdditiveChecksum)) {
    // MUTANT additive-checksum: a byte sum cannot see a +1/-1 pair or swapped bytes.
    for (uint8_t b : data) running += b;
    return running;
  }
  // zlib's length parameter is uInt; feed large buffers in chunks.
  const uint8_t* p = data.data();
  size_t left = data.size();
  uLong crc = running;
  while (left > 0) {
    const uInt n = left > (1u << 30) ? (1u << 30) : static_cast<uInt>(left);
    crc = crc32(crc, p, n);
    p += n;
    left -= n;
  }
  return static_cast<uint32_t>(crc);
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
  const uint32_t stored = load_u32(page.bytes.data());
  const uint32_t computed = page_checksum(page.pgno, page.bytes, mutant);
  if (stored == computed) return vfs::Status();
  return vfs::Status::corruption("page " + std::to_string(page.pgno) + " of " + file +
                                 ": checksum mismatch (stored " + std::to_string(stored) +
                                 ", computed " + std::to_string(computed) + ")");
}

}  // namespace engine
