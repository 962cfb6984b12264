// Small helpers shared by the simulator's tests.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "crashsim/disk_image.h"
#include "crashsim/results.h"
#include "vfs/vfs.h"

namespace crashsim::testing {

inline SharedBytes bytes_of(std::string_view s) { return std::make_shared<const Bytes>(s.begin(), s.end()); }

inline FileContents contents_of(std::string_view s) { return FileContents(*bytes_of(s)); }

inline std::string text_of(const Bytes& b) { return std::string(b.begin(), b.end()); }
inline std::string text_of(const FileContents& c) { return text_of(c.to_bytes()); }

// The contents of `path` in `image`, or "<absent>".
inline std::string file_text(const DiskImage& image, const std::string& path) {
  const auto it = image.files.find(path);
  return it == image.files.end() ? "<absent>" : text_of(it->second);
}

inline vfs::Status write_text(vfs::File& file, uint64_t offset, std::string_view s) {
  return file.write_at(offset, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

// Every invariant named by a violation anywhere in a scenario's result.
inline std::set<std::string> invariants_of(const ScenarioResult& r) {
  std::set<std::string> out;
  for (const Violation& v : r.violations) out.insert(v.invariant);
  for (const ModelResult& m : r.models) {
    for (const Violation& v : m.violations) out.insert(v.invariant);
  }
  return out;
}

}  // namespace crashsim::testing
