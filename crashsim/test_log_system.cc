#include "crashsim/test_log_system.h"

#include <zlib.h>

#include <cstring>

#include "crashsim/record/disk_image.h"

namespace crashsim::testing {

using vfs::Result;
using vfs::Status;

namespace {

constexpr char kLogPath[] = "log";
constexpr char kCompactPath[] = "log.compact";
constexpr size_t kRecordHeader = 8;

void put_u32(Bytes& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
uint32_t get_u32(const uint8_t* p) { return p[0] | (p[1] << 8) | (p[2] << 16) | (uint32_t{p[3]} << 24); }

void put_string(Bytes& out, const std::string& s) {
  put_u32(out, static_cast<uint32_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}

uint32_t crc_of(const uint8_t* data, size_t n) {
  return static_cast<uint32_t>(crc32(0, data, static_cast<uInt>(n)));
}

Bytes encode_record(const Batch& batch) {
  Bytes payload;
  put_u32(payload, static_cast<uint32_t>(batch.size()));
  for (const KvOp& op : batch) {
    payload.push_back(op.kind == KvOp::Kind::kPut ? 1 : 0);
    put_string(payload, op.key);
    put_string(payload, op.value);
  }
  Bytes record;
  put_u32(record, static_cast<uint32_t>(payload.size()));
  put_u32(record, crc_of(payload.data(), payload.size()));
  record.insert(record.end(), payload.begin(), payload.end());
  return record;
}

// Applies one payload to `state`; false when it does not parse.
bool apply_payload(const uint8_t* p, size_t n, KvState& state) {
  size_t at = 0;
  auto u32 = [&](uint32_t* v) {
    if (n - at < 4) return false;
    *v = get_u32(p + at);
    at += 4;
    return true;
  };
  auto str = [&](std::string* s) {
    uint32_t len;
    if (!u32(&len) || n - at < len) return false;
    s->assign(reinterpret_cast<const char*>(p + at), len);
    at += len;
    return true;
  };
  uint32_t count;
  if (!u32(&count)) return false;
  KvState next = state;
  for (uint32_t i = 0; i < count; ++i) {
    if (at >= n) return false;
    const bool put = p[at++] == 1;
    std::string key, value;
    if (!str(&key) || !str(&value)) return false;
    if (put) {
      next[key] = value;
    } else {
      next.erase(key);
    }
  }
  state = std::move(next);
  return at == n;
}

// The whole state as one record in a new file, synced, renamed over the log.
Status compact(vfs::Vfs& vfs, const KvState& state) {
  ASSIGN_OR_RETURN(std::unique_ptr<vfs::File> file, vfs.open(kCompactPath, vfs::OpenMode::kCreate));
  RETURN_IF_ERROR(file->truncate(0));
  if (!state.empty()) {
    Batch all;
    for (const auto& [key, value] : state) all.push_back({KvOp::Kind::kPut, key, value});
    RETURN_IF_ERROR(file->write_at(0, encode_record(all)));
  }
  RETURN_IF_ERROR(file->sync());
  RETURN_IF_ERROR(file->close());
  RETURN_IF_ERROR(vfs.rename(kCompactPath, kLogPath));
  return vfs.sync_dir(".");
}

class LogSession final : public SutSession {
 public:
  LogSession(vfs::Vfs& vfs, std::unique_ptr<vfs::File> file, LogOptions options, KvState state, uint64_t end, bool torn)
      : vfs_(vfs), file_(std::move(file)), options_(options), state_(std::move(state)), end_(end), torn_(torn) {}

  Status apply(const Batch& batch) override {
    if (batch.empty()) return Status();
    for (const KvOp& op : batch) {
      if (!options_.refuse_key.empty() && op.key == options_.refuse_key) {
        return Status::corruption("log: commit writing " + op.key + " refused (refuse_key)");
      }
    }
    const Bytes record = encode_record(batch);
    RETURN_IF_ERROR(file_->write_at(end_, record));
    if (options_.sync_on_commit) RETURN_IF_ERROR(file_->sync());
    end_ += record.size();
    for (const KvOp& op : batch) {
      if (op.kind == KvOp::Kind::kPut) {
        state_[op.key] = op.value;
      } else {
        state_.erase(op.key);
      }
    }
    return Status();
  }

  Status get(const std::string& key, std::string* value) override {
    const auto it = state_.find(key);
    if (it == state_.end()) return Status::not_found("get " + key + ": absent");
    *value = it->second;
    return Status();
  }

  Result<KvState> scan_all() override { return state_; }
  Status checkpoint() override { return Status::not_supported("the log store has no checkpoint"); }
  Result<std::vector<SutFinding>> verify() override {
    std::vector<SutFinding> findings;
    if (!options_.verify_flags_key.empty() && state_.contains(options_.verify_flags_key)) {
      findings.push_back({"structure", "record of " + options_.verify_flags_key + " flagged (verify_flags_key)"});
    }
    return findings;
  }
  std::vector<std::string> recovery_paths() override {
    if (torn_) return {"torn-tail-discarded"};
    return {};
  }
  Status close() override {
    if (options_.compact_on_close) RETURN_IF_ERROR(compact(vfs_, state_));
    return file_->close();
  }

 private:
  vfs::Vfs& vfs_;
  std::unique_ptr<vfs::File> file_;
  LogOptions options_;
  KvState state_;
  uint64_t end_;
  bool torn_;
};

}  // namespace

std::string LogSystem::name() const {
  std::string n = "log";
  if (!options_.sync_on_commit) n += "[no-sync]";
  if (!options_.sync_dir_on_create) n += "[no-sync-dir]";
  if (options_.unsafe_recovery_rewrite) n += "[rewrite]";
  if (!options_.sync_recovered) n += "[unsynced-recovery]";
  if (options_.keep_torn_tail) n += "[keep-torn-tail]";
  if (options_.compact_on_close) n += "[compact]";
  return n;
}

std::vector<FileRegion> LogSystem::describe_regions(const DiskImage& image) const {
  std::vector<FileRegion> regions;
  const auto it = image.files.find(kLogPath);
  if (!options_.describe_records || it == image.files.end()) return regions;
  const Bytes bytes = it->second.to_bytes();
  size_t at = 0;
  while (bytes.size() - at >= kRecordHeader) {
    const uint32_t len = get_u32(bytes.data() + at);
    if (bytes.size() - at - kRecordHeader < len) break;
    regions.push_back({kLogPath, at, kRecordHeader, "log-record-header"});
    if (len > 0) regions.push_back({kLogPath, at + kRecordHeader, len, "log-record-payload"});
    at += kRecordHeader + len;
  }
  return regions;
}

Result<std::unique_ptr<SutSession>> LogSystem::open(vfs::Vfs& vfs) {
  ASSIGN_OR_RETURN(std::unique_ptr<vfs::File> file, vfs.open(kLogPath, vfs::OpenMode::kCreate));
  // Every open, not only the one that creates the log: a process may have
  // died between the creation and its sync_dir.
  if (options_.sync_dir_on_create) RETURN_IF_ERROR(vfs.sync_dir("."));
  ASSIGN_OR_RETURN(const uint64_t size, file->size());
  Bytes bytes(size);
  ASSIGN_OR_RETURN(const size_t got, file->read_at(0, bytes));
  bytes.resize(got);
  KvState state;
  size_t at = 0;
  while (bytes.size() - at >= kRecordHeader) {
    const uint32_t len = get_u32(bytes.data() + at);
    const uint32_t crc = get_u32(bytes.data() + at + 4);
    if (bytes.size() - at - kRecordHeader < len) break;
    const uint8_t* payload = bytes.data() + at + kRecordHeader;
    if (crc_of(payload, len) != crc || !apply_payload(payload, len, state)) break;
    at += kRecordHeader + len;
  }
  const bool torn = at != bytes.size();
  if (torn && options_.keep_torn_tail) {
    at = bytes.size();
  } else if (torn) {
    // A torn tail must go before anything is appended after it, or a later
    // recovery would stop at it and drop what follows.
    if (options_.unsafe_recovery_rewrite) {
      RETURN_IF_ERROR(file->truncate(0));
      RETURN_IF_ERROR(file->write_at(0, std::span<const uint8_t>(bytes.data(), at)));
    } else {
      RETURN_IF_ERROR(file->truncate(at));
    }
  }
  // The records read may be only in the page cache (a process died before
  // its sync, or a sync failed and the kernel marked the pages clean): what
  // the store is about to show must be durable first, so it is written back
  // over itself (which dirties those pages again) and synced.
  if (options_.sync_recovered && (torn || at > 0)) {
    if (at > 0) RETURN_IF_ERROR(file->write_at(0, std::span<const uint8_t>(bytes.data(), std::min(at, bytes.size()))));
    RETURN_IF_ERROR(file->sync());
  }
  return std::unique_ptr<SutSession>(
      std::make_unique<LogSession>(vfs, std::move(file), options_, std::move(state), at, torn));
}

}  // namespace crashsim::testing
