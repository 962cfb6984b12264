#include "crashsim/record/disk_image.h"

#include <functional>
#include <string_view>

#include "crashsim/rng.h"

namespace crashsim {

bool operator==(const DiskImage& a, const DiskImage& b) { return a.dirs == b.dirs && a.files == b.files; }

uint64_t image_hash(const DiskImage& image) {
  uint64_t h = 0x243f6a8885a308d3ull;
  auto fold = [&h](uint64_t v) { h = mix64(h ^ v) + 0x9e3779b97f4a7c15ull; };
  auto fold_name = [&fold](const std::string& s) {
    fold(std::hash<std::string_view>{}(s));
  };
  for (const std::string& d : image.dirs) fold_name(d);
  fold(image.dirs.size());
  for (const auto& [path, contents] : image.files) {
    fold_name(path);
    fold(contents.hash());
  }
  fold(image.files.size());
  return h;
}

}  // namespace crashsim
