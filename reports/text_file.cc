#include "reports/text_file.h"

#include <cstdint>
#include <memory>
#include <span>

namespace reports {

vfs::Result<std::string> read_text_file(vfs::Vfs& vfs, const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<vfs::File> file, vfs.open(path, vfs::OpenMode::kMustExist));
  ASSIGN_OR_RETURN(uint64_t size, file->size());
  std::string text(size, '\0');
  std::span<uint8_t> buf(reinterpret_cast<uint8_t*>(text.data()), text.size());
  ASSIGN_OR_RETURN(size_t got, file->read_at(0, buf));
  // The file may shrink between size() and read_at(); keep what was there.
  text.resize(got);
  RETURN_IF_ERROR(file->close());
  return text;
}

vfs::Status write_text_file(vfs::Vfs& vfs, const std::string& path, std::string_view contents) {
  const std::string tmp = path + ".tmp";
  {
    ASSIGN_OR_RETURN(std::unique_ptr<vfs::File> file, vfs.open(tmp, vfs::OpenMode::kCreate));
    RETURN_IF_ERROR(file->truncate(0));
    std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(contents.data()), contents.size());
    RETURN_IF_ERROR(file->write_at(0, bytes));
    RETURN_IF_ERROR(file->sync());
    RETURN_IF_ERROR(file->close());
  }
  return vfs.rename(tmp, path);
}

}  // namespace reports
