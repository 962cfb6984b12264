// Whole-file reads and writes of the project's documents (catalog files,
// reports) through a Vfs, so that tests can keep them in a MemVfs.
#pragma once

#include <string>
#include <string_view>

#include "vfs/status.h"
#include "vfs/vfs.h"

namespace reports {

// The contents of `path`; kNotFound when it does not exist.
vfs::Result<std::string> read_text_file(vfs::Vfs& vfs, const std::string& path);

// Replaces `path` with `contents`: written to "PATH.tmp", synced, then
// renamed over `path`, so a reader sees the old file or the whole new one.
vfs::Status write_text_file(vfs::Vfs& vfs, const std::string& path, std::string_view contents);

}  // namespace reports
