#include "crashsim/trace_io.h"

#include <zlib.h>

#include <cstring>
#include <map>
#include <nlohmann/json.hpp>

namespace crashsim {

using json = nlohmann::json;
using vfs::Result;
using vfs::Status;

namespace {

constexpr char kMagic[8] = {'C', 'S', 'T', 'R', 'A', 'C', 'E', '1'};
constexpr size_t kPrefix = 16;  // magic + header length
constexpr int kVersion = 1;

void put_u64(Bytes& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

uint64_t get_u64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Appends buffers to the blob, storing each distinct buffer (by identity) once.
class BlobWriter {
 public:
  json place(const SharedBytes& bytes) {
    const auto it = placed_.find(bytes.get());
    uint64_t at;
    if (it != placed_.end()) {
      at = it->second;
    } else {
      at = blob_.size();
      blob_.insert(blob_.end(), bytes->begin(), bytes->end());
      placed_[bytes.get()] = at;
    }
    return json{{"at", at}, {"size", bytes->size()}};
  }
  const Bytes& blob() const { return blob_; }

 private:
  Bytes blob_;
  std::map<const Bytes*, uint64_t> placed_;
};

json op_to_json(const Op& op, BlobWriter& blob) {
  json j{{"op", op_kind_name(op.kind)}};
  switch (op.kind) {
    case OpKind::kCreate:
      j["path"] = op.path;
      j["inode"] = op.inode;
      break;
    case OpKind::kWrite:
      j = json{{"op", "write"}, {"inode", op.inode}, {"path", op.path}, {"offset", op.offset}};
      j.update(blob.place(op.data));
      break;
    case OpKind::kTruncate:
      j["inode"] = op.inode;
      j["path"] = op.path;
      j["size"] = op.offset;
      break;
    case OpKind::kSync:
    case OpKind::kSyncFailed:
      j["inode"] = op.inode;
      j["path"] = op.path;
      break;
    case OpKind::kMkdir:
    case OpKind::kSyncDir:
    case OpKind::kRemove:
      j["path"] = op.path;
      break;
    case OpKind::kRename:
      j["path"] = op.path;
      j["to"] = op.path2;
      break;
    case OpKind::kTxnBegin:
    case OpKind::kCommitCalled:
    case OpKind::kCommitAcked:
    case OpKind::kCommitFailed:
      j["txn"] = op.number;
      break;
    case OpKind::kCommitRecovered:
      j["txn"] = op.number;
      j["attempt"] = op.offset;
      break;
    case OpKind::kCheckpointCalled:
    case OpKind::kCheckpointDone:
    case OpKind::kOpenCalled:
    case OpKind::kOpenDone:
    case OpKind::kCloseCalled:
    case OpKind::kCloseDone:
      break;
  }
  return j;
}

Status corrupt(const std::string& what) { return Status::corruption("decode trace: " + what); }

// Reads the blob slice a {"at", "size"} object names.
Result<SharedBytes> slice(const json& j, const Bytes& blob, const std::string& where) {
  const uint64_t at = j.at("at").get<uint64_t>();
  const uint64_t size = j.at("size").get<uint64_t>();
  if (at > blob.size() || size > blob.size() - at) {
    return corrupt(where + ": bytes " + std::to_string(at) + "+" + std::to_string(size) + " pass the blob's end at " +
                   std::to_string(blob.size()));
  }
  const auto first = blob.begin() + static_cast<std::ptrdiff_t>(at);
  return SharedBytes(std::make_shared<const Bytes>(first, first + static_cast<std::ptrdiff_t>(size)));
}

Result<Op> op_from_json(const json& j, const Bytes& blob, size_t index, InodeId max_inode) {
  const std::string where = "op " + std::to_string(index);
  Op op;
  if (!op_kind_from_name(j.at("op").get<std::string>(), &op.kind)) {
    return corrupt(where + ": unknown op \"" + j.at("op").get<std::string>() + "\"");
  }
  if (j.contains("path")) op.path = j.at("path").get<std::string>();
  if (j.contains("inode")) op.inode = j.at("inode").get<InodeId>();
  switch (op.kind) {
    case OpKind::kWrite: {
      op.offset = j.at("offset").get<uint64_t>();
      ASSIGN_OR_RETURN(op.data, slice(j, blob, where));
      break;
    }
    case OpKind::kTruncate:
      op.offset = j.at("size").get<uint64_t>();
      break;
    case OpKind::kRename:
      op.path2 = j.at("to").get<std::string>();
      break;
    case OpKind::kTxnBegin:
    case OpKind::kCommitCalled:
    case OpKind::kCommitAcked:
    case OpKind::kCommitFailed:
      op.number = j.at("txn").get<uint64_t>();
      break;
    case OpKind::kCommitRecovered:
      op.number = j.at("txn").get<uint64_t>();
      op.offset = j.at("attempt").get<uint64_t>();
      break;
    default:
      break;
  }
  const bool has_inode = op.kind == OpKind::kCreate || op.kind == OpKind::kWrite || op.kind == OpKind::kTruncate ||
                         op.kind == OpKind::kSync || op.kind == OpKind::kSyncFailed;
  if (has_inode && (op.inode == 0 || op.inode > max_inode)) {
    return corrupt(where + ": inode " + std::to_string(op.inode) + " was never created");
  }
  return op;
}

Result<LoadedTrace> decode_header(const json& header, const Bytes& blob) {
  LoadedTrace out;
  out.meta_json = header.at("meta").dump();
  const json& initial = header.at("initial");
  for (const json& d : initial.at("dirs")) out.trace.initial.dirs.insert(d.get<std::string>());
  for (const json& f : initial.at("files")) {
    const std::string path = f.at("path").get<std::string>();
    ASSIGN_OR_RETURN(out.trace.initial.files[path], slice(f, blob, "initial file " + path));
  }
  InodeId max_inode = out.trace.initial_inodes();
  const json& ops = header.at("ops");
  out.trace.ops.reserve(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    const json& j = ops[i];
    if (j.at("op") == "create") {
      const InodeId inode = j.at("inode").get<InodeId>();
      if (inode != max_inode + 1) {
        return corrupt("op " + std::to_string(i) + ": create of inode " + std::to_string(inode) + ", expected " +
                       std::to_string(max_inode + 1));
      }
      max_inode = inode;
    }
    ASSIGN_OR_RETURN(Op op, op_from_json(j, blob, i, max_inode));
    out.trace.ops.push_back(std::move(op));
  }
  return out;
}

}  // namespace

Result<Bytes> encode_trace(const Trace& trace, std::string_view meta_json) {
  try {
    BlobWriter blob;
    json initial_files = json::array();
    for (const auto& [path, contents] : trace.initial.files) {
      json f{{"path", path}};
      f.update(blob.place(contents));
      initial_files.push_back(std::move(f));
    }
    json ops = json::array();
    for (const Op& op : trace.ops) ops.push_back(op_to_json(op, blob));
    const Bytes& raw = blob.blob();
    uLongf stored = compressBound(static_cast<uLong>(raw.size()));
    Bytes compressed(stored);
    if (compress2(compressed.data(), &stored, raw.data(), static_cast<uLong>(raw.size()), Z_BEST_SPEED) != Z_OK) {
      return Status::invalid_argument("encode trace: zlib could not compress " + std::to_string(raw.size()) +
                                      " bytes");
    }
    compressed.resize(stored);
    json meta = json::parse(meta_json);
    if (!meta.is_object()) return Status::invalid_argument("encode trace: meta must be a JSON object");
    const json header{
        {"format", "crashsim-trace"},
        {"version", kVersion},
        {"meta", std::move(meta)},
        {"blob", {{"encoding", "zlib"}, {"size", raw.size()}, {"stored", compressed.size()}}},
        {"initial", {{"dirs", trace.initial.dirs}, {"files", std::move(initial_files)}}},
        {"ops", std::move(ops)},
    };
    const std::string text = header.dump();
    Bytes out(kMagic, kMagic + sizeof(kMagic));
    put_u64(out, text.size());
    out.insert(out.end(), text.begin(), text.end());
    out.insert(out.end(), compressed.begin(), compressed.end());
    return out;
  } catch (const json::exception& e) {
    return Status::invalid_argument(std::string("encode trace: ") + e.what());
  }
}

Result<LoadedTrace> decode_trace(std::span<const uint8_t> bytes) {
  if (bytes.size() < kPrefix || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return corrupt("not a crashsim trace (the file does not start with \"CSTRACE1\")");
  }
  const uint64_t header_len = get_u64(bytes.data() + 8);
  if (header_len > bytes.size() - kPrefix) {
    return corrupt("header of " + std::to_string(header_len) + " bytes passes the end of the " +
                   std::to_string(bytes.size()) + "-byte file");
  }
  try {
    const auto header_begin = bytes.begin() + kPrefix;
    const json header = json::parse(header_begin, header_begin + static_cast<std::ptrdiff_t>(header_len));
    if (header.at("format") != "crashsim-trace" || header.at("version") != kVersion) {
      return corrupt("unsupported format " + header.at("format").dump() + " version " + header.at("version").dump());
    }
    const json& blob_info = header.at("blob");
    const uint64_t raw_size = blob_info.at("size").get<uint64_t>();
    const uint64_t stored = blob_info.at("stored").get<uint64_t>();
    const uint64_t blob_at = kPrefix + header_len;
    if (blob_info.at("encoding") != "zlib" || stored != bytes.size() - blob_at) {
      return corrupt("the blob should hold " + std::to_string(stored) + " zlib bytes after the header, the file has " +
                     std::to_string(bytes.size() - blob_at));
    }
    Bytes blob(raw_size);
    uLongf out_len = static_cast<uLongf>(raw_size);
    if (uncompress(blob.data(), &out_len, bytes.data() + blob_at, static_cast<uLong>(stored)) != Z_OK ||
        out_len != raw_size) {
      return corrupt("the blob does not inflate to its " + std::to_string(raw_size) + " bytes");
    }
    return decode_header(header, blob);
  } catch (const json::exception& e) {
    return corrupt(std::string("bad header: ") + e.what());
  }
}

Status save_trace(vfs::Vfs& vfs, const std::string& path, const Trace& trace, std::string_view meta_json) {
  ASSIGN_OR_RETURN(const Bytes bytes, encode_trace(trace, meta_json));
  ASSIGN_OR_RETURN(std::unique_ptr<vfs::File> file, vfs.open(path, vfs::OpenMode::kCreate));
  RETURN_IF_ERROR(file->truncate(0));
  RETURN_IF_ERROR(file->write_at(0, bytes));
  RETURN_IF_ERROR(file->sync());
  RETURN_IF_ERROR(file->close());
  return vfs.sync_dir(vfs::parent_dir(path));
}

Result<LoadedTrace> load_trace(vfs::Vfs& vfs, const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<vfs::File> file, vfs.open(path, vfs::OpenMode::kMustExist));
  ASSIGN_OR_RETURN(const uint64_t size, file->size());
  Bytes bytes(size);
  ASSIGN_OR_RETURN(const size_t got, file->read_at(0, bytes));
  if (got != size) return Status::io_error("load trace " + path + ": short read of " + std::to_string(got) + " bytes");
  RETURN_IF_ERROR(file->close());
  auto loaded = decode_trace(bytes);
  if (!loaded.ok()) return loaded.status().with("load trace " + path);
  return loaded;
}

}  // namespace crashsim
