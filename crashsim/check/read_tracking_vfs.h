// ReadTrackingVfs: a Vfs that remembers which bytes of which files were read.
//
// It forwards every call to the Vfs it wraps and, for each read that returns
// data, adds the bytes returned to the ranges read from that path (the path
// the file was opened with). The corrupt model uses it to tell, without
// knowing anything about the system under test, whether a media fault hit
// bytes the system never looked at (dead bytes: a stale frame past the log,
// slack at the end of a page) or bytes it read and still made sense of.
// It also tells the reads of bytes that still held what the crash state left
// there from reads of bytes the system had written (or truncated, removed,
// renamed) first: recovery that rewrote a damaged page before reading it
// never saw the damage.
// Thread-compatible: one check uses one instance on one thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "crashsim/model/byte_ranges.h"
#include "vfs/vfs.h"

namespace crashsim {

class ReadTrackingVfs final : public vfs::Vfs {
 public:
  explicit ReadTrackingVfs(vfs::Vfs& inner) : inner_(inner) {}

  vfs::Result<std::unique_ptr<vfs::File>> open(const std::string& path, vfs::OpenMode mode) override;
  vfs::Status remove(const std::string& path) override;
  vfs::Status rename(const std::string& from, const std::string& to) override;
  vfs::Result<bool> exists(const std::string& path) override { return inner_.exists(path); }
  vfs::Result<std::vector<std::string>> list_dir(const std::string& dir) override { return inner_.list_dir(dir); }
  vfs::Status create_dir(const std::string& dir) override { return inner_.create_dir(dir); }
  vfs::Status sync_dir(const std::string& dir) override { return inner_.sync_dir(dir); }
  vfs::Result<uint64_t> file_size(const std::string& path) override { return inner_.file_size(path); }
  vfs::Result<std::unique_ptr<vfs::FileLock>> lock(const std::string& path, vfs::LockMode mode) override {
    return inner_.lock(path, mode);
  }

  // Path -> the bytes read from it so far.
  const std::map<std::string, ByteRanges>& reads() const { return reads_; }
  // Path -> the bytes read from it while they held what the crash state
  // left there.
  const std::map<std::string, ByteRanges>& state_reads() const { return state_reads_; }

 private:
  class TrackingFile;
  // What each path's reads are recorded against.
  struct Tracked {
    ByteRanges& reads;
    ByteRanges& state_reads;
    ByteRanges& replaced;  // bytes written, truncated away or removed since the crash state
  };
  Tracked tracked(const std::string& path) { return {reads_[path], state_reads_[path], replaced_[path]}; }

  vfs::Vfs& inner_;
  std::map<std::string, ByteRanges> reads_;
  std::map<std::string, ByteRanges> state_reads_;
  std::map<std::string, ByteRanges> replaced_;
};

}  // namespace crashsim
