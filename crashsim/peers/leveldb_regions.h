// The regions of LevelDB's files in a crash state, for the corrupt model
// (SystemUnderTest::describe_regions). Read-only: it parses the bytes as
// LevelDB lays them out (doc/log_format.md, doc/table_format.md) and never
// opens the database. Each file is tiled, in order, with no gap:
//
//   CURRENT        current
//   *.log          log-record-header (7 bytes: checksum, length, type) and
//                  log-record (the payload), per record of each 32 KiB block;
//                  log-block-padding for the tail of a block too short for a
//                  header, log-zeroed for a zero-length, zero-type record and
//                  the rest of its block (what preallocation leaves),
//                  log-partial for a record cut off by the end of the file
//   MANIFEST-*     the same, named manifest-*
//   *.ldb, *.sst   table-data-block and table-block-trailer (5 bytes:
//                  compression type and checksum) per data block, then the
//                  meta index block, the index block (each with its trailer)
//                  and table-footer (48 bytes); table-unreadable for a file
//                  that does not parse as a table
//   anything else  other-file (the LOCK file, a *.dbtmp left by a rename)
#pragma once

#include <vector>

#include "crashsim/record/disk_image.h"
#include "crashsim/system_under_test.h"

namespace crashsim::peers {

std::vector<FileRegion> leveldb_regions(const DiskImage& image);

}  // namespace crashsim::peers
