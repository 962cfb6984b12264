#include "crashsim/check/image_io.h"

#include <string_view>

#include "vfs/posix_vfs.h"

namespace crashsim {

using vfs::Status;

namespace {

// "<dir>/<path>" with `path` made relative.
std::string under(const std::string& dir, std::string_view path) {
  while (path.starts_with("./")) path.remove_prefix(2);
  while (path.starts_with('/')) path.remove_prefix(1);
  return dir + "/" + std::string(path);
}

// Creates every directory between `dir` and `target` (mkdir -p below `dir`).
Status create_parents(vfs::Vfs& disk, const std::string& dir, const std::string& target) {
  for (size_t slash = target.find('/', dir.size() + 1); slash != std::string::npos;
       slash = target.find('/', slash + 1)) {
    RETURN_IF_ERROR(disk.create_dir(target.substr(0, slash)));
  }
  return Status();
}

}  // namespace

Status install_image(const DiskImage& image, vfs::MemVfs& mem) {
  // The set is sorted, so a parent is created before its children.
  for (const std::string& d : image.dirs) RETURN_IF_ERROR(mem.create_dir(d));
  for (const auto& [path, contents] : image.files) mem.install_file(path, contents);
  return Status();
}

Status write_state_to_directory(const DiskImage& image, const std::string& dir) {
  vfs::Vfs& disk = vfs::default_vfs();
  RETURN_IF_ERROR(disk.create_dir(dir));
  for (const std::string& d : image.dirs) {
    const std::string target = under(dir, d);
    RETURN_IF_ERROR(create_parents(disk, dir, target));
    RETURN_IF_ERROR(disk.create_dir(target));
  }
  for (const auto& [path, contents] : image.files) {
    const std::string target = under(dir, path);
    RETURN_IF_ERROR(create_parents(disk, dir, target));
    ASSIGN_OR_RETURN(std::unique_ptr<vfs::File> file, disk.open(target, vfs::OpenMode::kCreate));
    RETURN_IF_ERROR(file->truncate(0));
    RETURN_IF_ERROR(file->write_at(0, contents.to_bytes()));
    RETURN_IF_ERROR(file->sync());
    RETURN_IF_ERROR(file->close());
    RETURN_IF_ERROR(disk.sync_dir(vfs::parent_dir(target)));
  }
  return disk.sync_dir(dir);
}

}  // namespace crashsim
