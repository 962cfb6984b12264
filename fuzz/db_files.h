// The open_db fuzz target's input: a data file image and a WAL image in one
// buffer, so that libFuzzer mutates both (and crosses them over) as one.
//
//   byte 0       flags; bit 0: reseal (see below)
//   bytes 1..4   D, u32 little-endian: length of the data file image (an
//                input shorter than that holds what is left)
//   bytes 5..    the data file image (D bytes), then the WAL image (the rest)
//
// Resealing recomputes every checksum the two files carry (each full,
// non-zero data page for its page number; the WAL header; each full,
// non-zero WAL slot for the page number and db_id it names; the page digest
// of every meta page whose fields decode, over the images before it) before
// the files are installed, so that mutations reach the structure behind the CRCs
// instead of stopping at the first checksum. Without it, every change the
// fuzzer makes to a checksummed byte is damage the engine must detect.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "engine/pager.h"
#include "engine/wal_format.h"

namespace fuzz {

using Bytes = std::vector<uint8_t>;

struct DbFiles {
  bool reseal = false;
  Bytes data;  // the data file "db"
  Bytes wal;   // its WAL "db-wal"
};

inline constexpr uint8_t kResealFlag = 0x01;

DbFiles decode_db_files(std::span<const uint8_t> input);
Bytes encode_db_files(const DbFiles& files);

// Recomputes the checksums as described above. The page size is the one
// each file announces (meta page or WAL header); a file that announces none
// is left as it is.
void reseal_db_files(DbFiles& files);

// The data file's meta page and the WAL's header, when they decode
// (checksum included).
std::optional<engine::Meta> data_file_meta(std::span<const uint8_t> data);
std::optional<engine::WalHeader> wal_header(std::span<const uint8_t> wal);

}  // namespace fuzz
