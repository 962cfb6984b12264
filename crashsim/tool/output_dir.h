// Directories the tool writes into (reports, traces, kept crash states).
#pragma once

#include <string>

#include "vfs/status.h"
#include "vfs/vfs.h"

namespace crashsim::tool {

// Creates `path` and every missing parent ("mkdir -p").
vfs::Status ensure_directories(vfs::Vfs& vfs, const std::string& path);

}  // namespace crashsim::tool
