#include "snapshot_store.h"

#include <cstdint>
#include <vector>

namespace snapshot {

using crashsim::Batch;
using crashsim::KvOp;
using crashsim::KvState;
using vfs::Result;
using vfs::Status;

namespace {

constexpr char kData[] = "data";
constexpr char kTemp[] = "data.tmp";

uint64_t fnv1a(const std::vector<uint8_t>& bytes, size_t n) {
  uint64_t h = 14695981039346656037ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ bytes[i]) * 1099511628211ull;
  return h;
}

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

std::vector<uint8_t> encode(const KvState& state) {
  std::vector<uint8_t> out;
  put_u32(out, static_cast<uint32_t>(state.size()));
  for (const auto& [key, value] : state) {
    put_u32(out, static_cast<uint32_t>(key.size()));
    out.insert(out.end(), key.begin(), key.end());
    put_u32(out, static_cast<uint32_t>(value.size()));
    out.insert(out.end(), value.begin(), value.end());
  }
  const uint64_t hash = fnv1a(out, out.size());
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(hash >> (8 * i)));
  return out;
}

// Reads a little-endian integer of `width` bytes at `at`, advancing it.
bool get_le(const std::vector<uint8_t>& in, size_t end, size_t& at, int width, uint64_t& v) {
  if (end - at < static_cast<size_t>(width)) return false;
  v = 0;
  for (int i = 0; i < width; ++i) v |= uint64_t{in[at + i]} << (8 * i);
  at += width;
  return true;
}

bool get_string(const std::vector<uint8_t>& in, size_t end, size_t& at, std::string& s) {
  uint64_t n = 0;
  if (!get_le(in, end, at, 4, n) || end - at < n) return false;
  s.assign(in.begin() + static_cast<std::ptrdiff_t>(at), in.begin() + static_cast<std::ptrdiff_t>(at + n));
  at += n;
  return true;
}

Result<KvState> decode(const std::vector<uint8_t>& in) {
  const auto bad = [](const std::string& what) { return Status::corruption("read " + std::string(kData) + ": " + what); };
  if (in.size() < 12) return bad("file of " + std::to_string(in.size()) + " bytes is shorter than a header and a hash");
  const size_t end = in.size() - 8;
  size_t at = end;
  uint64_t stored = 0;
  get_le(in, in.size(), at, 8, stored);
  if (stored != fnv1a(in, end)) return bad("hash mismatch at offset " + std::to_string(end));
  at = 0;
  uint64_t count = 0;
  get_le(in, end, at, 4, count);
  KvState state;
  for (uint64_t i = 0; i < count; ++i) {
    std::string key, value;
    if (!get_string(in, end, at, key) || !get_string(in, end, at, value))
      return bad("entry " + std::to_string(i) + " runs past offset " + std::to_string(end));
    state[key] = value;
  }
  if (at != end) return bad(std::to_string(end - at) + " bytes after the last entry");
  return state;
}

// The committed state: "data" decoded; empty when there is no such file.
Result<KvState> read_state(vfs::Vfs& vfs) {
  Result<std::unique_ptr<vfs::File>> file = vfs.open(kData, vfs::OpenMode::kMustExist);
  if (!file.ok()) return file.status().is_not_found() ? Result<KvState>(KvState{}) : file.status();
  Result<uint64_t> size = (*file)->size();
  if (!size.ok()) return size.status();
  std::vector<uint8_t> bytes(*size);
  Result<size_t> got = (*file)->read_at(0, bytes);
  if (!got.ok()) return got.status();
  bytes.resize(*got);
  return decode(bytes);
}

// Every call reads the committed state from "data": nothing is cached, so
// every read after a crash shows what the file holds.
class SnapshotSession final : public crashsim::SutSession {
 public:
  SnapshotSession(vfs::Vfs& vfs, Options options) : vfs_(vfs), options_(options) {}

  Status apply(const Batch& batch) override {
    Result<KvState> next = read_state(vfs_);
    if (!next.ok()) return next.status();
    for (const KvOp& op : batch) {
      if (op.kind == KvOp::Kind::kPut) {
        (*next)[op.key] = op.value;
      } else {
        next->erase(op.key);
      }
    }
    const std::vector<uint8_t> bytes = encode(*next);
    {
      Result<std::unique_ptr<vfs::File>> file = vfs_.open(kTemp, vfs::OpenMode::kCreate);
      if (!file.ok()) return file.status();
      if (Status s = (*file)->truncate(0); !s.ok()) return s;
      if (Status s = (*file)->write_at(0, bytes); !s.ok()) return s;
      if (Status s = (*file)->sync(); !s.ok()) return s;
      if (Status s = (*file)->close(); !s.ok()) return s;
    }
    if (Status s = vfs_.rename(kTemp, kData); !s.ok()) return s;
    if (options_.sync_dir) return vfs_.sync_dir(".");
    return Status();
  }

  Status get(const std::string& key, std::string* value) override {
    Result<KvState> state = read_state(vfs_);
    if (!state.ok()) return state.status();
    const auto it = state->find(key);
    if (it == state->end()) return Status::not_found("get " + key + ": not in " + kData);
    *value = it->second;
    return Status();
  }

  Result<KvState> scan_all() override { return read_state(vfs_); }
  Status checkpoint() override { return Status::not_supported("the snapshot store has no checkpoint"); }
  Result<std::vector<crashsim::SutFinding>> verify() override { return std::vector<crashsim::SutFinding>{}; }
  std::vector<std::string> recovery_paths() override { return {}; }
  Status close() override { return Status(); }

 private:
  vfs::Vfs& vfs_;
  Options options_;
};

}  // namespace

Result<std::unique_ptr<crashsim::SutSession>> SnapshotSystem::open(vfs::Vfs& vfs) {
  // A damaged snapshot is refused at once.
  if (Result<KvState> state = read_state(vfs); !state.ok()) return state.status();
  return std::unique_ptr<crashsim::SutSession>(std::make_unique<SnapshotSession>(vfs, options_));
}

}  // namespace snapshot
