// Read-only inspection of a database's two files, byte by byte, without
// opening the database: what every page of the data file and every slot of
// the WAL holds, and whether its checksums hold. Formats in
// docs/file-formats.md.
//
// Recovery decides what the database *is*; this module only says what the
// bytes *are*, damaged or not, so that a tool can print them (`btree dump`)
// and a crash harness can aim faults at the parts that matter (the WAL
// header, a commit frame, a leaf). It never fails: a file too short or too
// damaged to parse yields fewer entries, and every field is reported as
// stored, unchecked, next to the verdict of its checksum.
//
// The page size comes from the file itself when it announces a valid one
// (the data file's meta prefix, the WAL header's field), else from the other
// file; with neither, the pages or slots are not listed (page_size == 0).
// The WAL's frame checksums fold in the db_id: the WAL header's when its
// checksum holds, else the data file's meta page's, else the WAL header's
// field as stored.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "engine/page.h"
#include "engine/pager.h"
#include "engine/wal_format.h"

namespace engine {

// One page of the data file: pgno * page_size .. + length.
struct DataPageLayout {
  PageNo pgno = 0;
  uint64_t offset = 0;
  uint64_t length = 0;       // page_size, or less for a partial last page
  uint8_t type = 0;          // byte 4 as stored: a PageType value when the page is sound
  bool checksum_ok = false;  // false for a partial page
};

struct DataFileLayout {
  uint64_t file_size = 0;
  uint32_t page_size = 0;    // 0: neither file announces a valid one
  std::optional<Meta> meta;  // page 0 when it decodes and its checksum holds
  Status meta_status;        // why `meta` is absent (kCorruption naming what is wrong)
  std::vector<DataPageLayout> pages;
};

struct WalHeaderLayout {
  bool present = false;      // the file holds at least kWalHeaderSize bytes
  WalHeader fields;          // as stored (meaningful only when present)
  uint32_t version = 0;      // as stored
  Status status;             // decode_wal_header's verdict: OK when the header is sound
};

// One slot of the WAL: wal_slot_offset(slot) .. + length; the page image
// first, the frame trailer in its last kFrameTrailerSize bytes.
struct WalSlotLayout {
  uint64_t slot = 0;
  uint64_t offset = 0;
  uint64_t length = 0;          // wal_slot_size, or less for a partial last slot
  bool complete = false;        // the whole slot is in the file
  bool empty = false;           // complete and all zeros: never written (the WAL grows ahead)
  FrameTrailer trailer;         // as stored (complete slots only)
  uint8_t page_type = 0;        // byte 4 of the image, as stored
  bool page_checksum_ok = false;   // the image's checksum holds for trailer.pgno
  bool frame_checksum_ok = false;  // the trailer's checksum holds for the db_id used
  bool valid() const { return page_checksum_ok && frame_checksum_ok; }
  bool is_commit() const { return trailer.commit != 0; }
  uint64_t trailer_offset() const { return offset + length - kFrameTrailerSize; }
};

struct WalLayout {
  uint64_t file_size = 0;
  uint32_t page_size = 0;  // 0: neither file announces a valid one
  uint64_t db_id = 0;      // the db_id the frame checksums were checked with
  WalHeaderLayout header;
  std::vector<WalSlotLayout> slots;
};

struct FileLayout {
  DataFileLayout data;
  WalLayout wal;
};

// Describes the data file image `data` and the WAL image `wal` (either may be
// empty: a missing file). `data_path` and `wal_path` only name the files in
// status messages. Checksums are computed as a build running `mutant` would
// (Mutant::kAdditiveChecksum changes them), so that the verdicts match what
// that build's recovery sees.
FileLayout inspect_files(std::span<const uint8_t> data, std::span<const uint8_t> wal, const std::string& data_path,
                         const std::string& wal_path, Mutant mutant = Mutant::kNone);

// "meta", "leaf", "internal", "overflow", "free"; nullopt for a byte that is no PageType.
std::optional<std::string_view> page_type_name(uint8_t type);

}  // namespace engine
