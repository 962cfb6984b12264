// Moving crash states in and out of file systems.
#pragma once

#include <string>

#include "crashsim/record/disk_image.h"
#include "vfs/mem_vfs.h"
#include "vfs/status.h"

namespace crashsim {

// Makes `mem` (a fresh MemVfs) hold exactly `image`. Buffers are shared, not
// copied: MemVfs copies a file only when it is first written.
vfs::Status install_image(const DiskImage& image, vfs::MemVfs& mem);

// Writes `image` under the real directory `dir` (created if needed; files in
// it with the same names are replaced) so that an engineer can open the crash
// state with the btree tool or a debugger. An image path "db" lands at
// "<dir>/db"; a leading "/" or "./" is dropped. Everything is synced.
vfs::Status write_state_to_directory(const DiskImage& image, const std::string& dir);

}  // namespace crashsim
