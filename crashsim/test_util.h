// Small helpers shared by the simulator's tests.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "crashsim/record/disk_image.h"
#include "crashsim/results.h"
#include "crashsim/system_under_test.h"
#include "vfs/vfs.h"

namespace crashsim::testing {

// A SutSession that passes every call to another: a test derives from it
// and overrides only the calls it changes.
class ForwardingSession : public SutSession {
 public:
  explicit ForwardingSession(std::unique_ptr<SutSession> inner) : inner_(std::move(inner)) {}
  vfs::Status apply(const Batch& batch) override { return inner_->apply(batch); }
  void apply_group(const std::vector<Batch>& batches,
                   const std::function<void(size_t, const vfs::Status&)>& on_done) override {
    inner_->apply_group(batches, on_done);
  }
  vfs::Status get(const std::string& key, std::string* value) override { return inner_->get(key, value); }
  vfs::Result<KvState> scan_all() override { return inner_->scan_all(); }
  vfs::Status checkpoint() override { return inner_->checkpoint(); }
  vfs::Result<std::unique_ptr<SutSnapshot>> snapshot() override { return inner_->snapshot(); }
  std::optional<uint64_t> snapshot_memory_limit() const override { return inner_->snapshot_memory_limit(); }
  vfs::Result<std::vector<SutFinding>> verify() override { return inner_->verify(); }
  std::vector<std::string> recovery_paths() override { return inner_->recovery_paths(); }
  vfs::Status close() override { return inner_->close(); }

 protected:
  SutSession& inner() { return *inner_; }

 private:
  std::unique_ptr<SutSession> inner_;
};

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
