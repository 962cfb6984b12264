#include "crashsim/tool/output_dir.h"

namespace crashsim::tool {

vfs::Status ensure_directories(vfs::Vfs& vfs, const std::string& path) {
  for (size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    const std::string prefix = path.substr(0, slash);
    if (!prefix.empty() && prefix != ".") RETURN_IF_ERROR(vfs.create_dir(prefix).with("create output directory"));
    if (slash == std::string::npos) return vfs::Status();
  }
}

}  // namespace crashsim::tool
