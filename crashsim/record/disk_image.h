// DiskImage: a crash state as a value.
//
// A crash state is an independent image of every directory and file (as
// Pebble's MemFS crash clones are), never the live files of the run that
// produced it. File contents are FileContents values (vfs/file_contents.h):
// chunks of 4 KiB shared between images, each carrying its hash, so
// thousands of images built from one trace cost little more than the chunks
// that differ, and hashing or comparing two of them costs the chunks that
// differ, not the size of the files.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "vfs/file_contents.h"
#include "vfs/mem_vfs.h"

namespace crashsim {

using vfs::Bytes;
using vfs::FileContents;
using vfs::SharedBytes;

struct DiskImage {
  // Every directory other than the roots "." and "/".
  std::set<std::string> dirs;
  // Every file and its contents.
  std::map<std::string, FileContents> files;

  // Same directories and same file contents (compared chunk by chunk,
  // shared chunks by identity).
  friend bool operator==(const DiskImage& a, const DiskImage& b);
};

// A 64-bit hash of an image's names and contents, for deduplication: equal
// images hash equally; different images collide with probability ~2^-64.
// O(names): each file's hash is kept up to date as it is written.
uint64_t image_hash(const DiskImage& image);

}  // namespace crashsim
