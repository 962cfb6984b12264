// The regions of SQLite's files in a crash state, for the corrupt model
// (SystemUnderTest::describe_regions). Read-only: it parses the bytes as
// SQLite's file format (sqlite.org/fileformat2.html) lays them out and never
// opens the database. Each file is tiled, in order, with no gap:
//
//   db          db-header (the first 100 bytes), then one region per page,
//               named by what the page is: btree-table-interior,
//               btree-table-leaf, btree-index-interior, btree-index-leaf
//               (the WITHOUT ROWID table is an index b-tree), freelist-trunk,
//               freelist-leaf, or overflow-or-unused (an overflow page, or a
//               page nothing points at any more: telling them apart needs a
//               walk of the tree); db-partial-page for a tail shorter than a
//               page; db-unrecognised for a file without a valid header
//   db-wal      wal-header (32 bytes); per frame wal-frame-header (24 bytes;
//               wal-commit-frame-header when it carries the commit's database
//               size) and wal-frame-page; wal-partial for what is left over
//   db-journal  journal-header (one sector), then journal-record per page
//               (page number, original page, checksum); journal-partial for
//               what is left over; journal-inactive for a journal whose
//               header is zeroed or missing (a committed transaction)
// Other files are not described.
#pragma once

#include <vector>

#include "crashsim/record/disk_image.h"
#include "crashsim/system_under_test.h"

namespace crashsim::peers {

std::vector<FileRegion> sqlite_regions(const DiskImage& image);

}  // namespace crashsim::peers
