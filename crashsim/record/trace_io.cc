#include "crashsim/record/trace_io.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <new>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

namespace crashsim {

using json = nlohmann::json;
using vfs::Result;
using vfs::Status;

namespace {

constexpr char kMagic[8] = {'C', 'S', 'T', 'R', 'A', 'C', 'E', '1'};
constexpr size_t kPrefix = 16;  // magic + header length
constexpr int kVersion = 1;
// Deflate's best case: zlib inflates at most this many bytes from one. A
// blob claiming more than that of its stored bytes is damage, refused before
// anything is allocated for it.
constexpr uint64_t kMaxInflateRatio = 1032;

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

// The fields an op carries besides "op", exactly as op_to_json writes them.
std::vector<std::string_view> fields_of(OpKind kind) {
  switch (kind) {
    case OpKind::kCreate: return {"path", "inode"};
    case OpKind::kWrite: return {"inode", "path", "offset", "at", "size"};
    case OpKind::kTruncate: return {"inode", "path", "size"};
    case OpKind::kSync:
    case OpKind::kSyncFailed: return {"inode", "path"};
    case OpKind::kMkdir:
    case OpKind::kSyncDir:
    case OpKind::kRemove: return {"path"};
    case OpKind::kRename: return {"path", "to"};
    case OpKind::kTxnBegin:
    case OpKind::kCommitCalled:
    case OpKind::kCommitAcked:
    case OpKind::kCommitFailed: return {"txn"};
    case OpKind::kCommitRecovered: return {"txn", "attempt"};
    case OpKind::kCheckpointCalled:
    case OpKind::kCheckpointDone:
    case OpKind::kOpenCalled:
    case OpKind::kOpenDone:
    case OpKind::kCloseCalled:
    case OpKind::kCloseDone: return {};
  }
  return {};
}

// Field `key` of the object `j`, which must hold a value of the type `is`
// accepts (named `type` in the message).
Result<const json*> field(const json& j, std::string_view key, bool (json::*is)() const noexcept, const char* type,
                          const std::string& where) {
  if (!j.is_object()) return corrupt(where + " is a JSON " + j.type_name() + ", not an object");
  const auto it = j.find(key);
  if (it == j.end()) return corrupt(where + ": no field '" + std::string(key) + "'");
  if (!((*it).*is)())
    return corrupt(where + ": field '" + std::string(key) + "' is a JSON " + it->type_name() + ", not " + type);
  return &*it;
}

// JSON numbers that are not unsigned integers (negative, fractional, past
// 2^64 - 1) are refused rather than converted.
Result<uint64_t> uint_field(const json& j, std::string_view key, const std::string& where) {
  ASSIGN_OR_RETURN(const json* v, field(j, key, &json::is_number_unsigned, "an unsigned integer", where));
  return v->get<uint64_t>();
}

Result<std::string> string_field(const json& j, std::string_view key, const std::string& where) {
  ASSIGN_OR_RETURN(const json* v, field(j, key, &json::is_string, "a string", where));
  return v->get<std::string>();
}

Result<const json*> array_field(const json& j, std::string_view key, const std::string& where) {
  return field(j, key, &json::is_array, "an array", where);
}

// Reads the blob slice a {"at", "size"} object names.
Result<SharedBytes> slice(const json& j, const Bytes& blob, const std::string& where) {
  ASSIGN_OR_RETURN(const uint64_t at, uint_field(j, "at", where));
  ASSIGN_OR_RETURN(const uint64_t size, uint_field(j, "size", where));
  if (at > blob.size() || size > blob.size() - at) {
    return corrupt(where + ": bytes " + std::to_string(at) + "+" + std::to_string(size) + " pass the blob's end at " +
                   std::to_string(blob.size()));
  }
  const auto first = blob.begin() + static_cast<std::ptrdiff_t>(at);
  return SharedBytes(std::make_shared<const Bytes>(first, first + static_cast<std::ptrdiff_t>(size)));
}

Result<Op> op_from_json(const json& j, const Bytes& blob, size_t index, InodeId& max_inode) {
  std::string where = "op " + std::to_string(index);
  Op op;
  ASSIGN_OR_RETURN(const std::string name, string_field(j, "op", where));
  if (!op_kind_from_name(name, &op.kind)) return corrupt(where + ": unknown op \"" + name + "\"");
  where += " (" + name + ")";
  // A field the op does not use is refused, not dropped: the trace would
  // not be the one that was saved.
  const std::vector<std::string_view> fields = fields_of(op.kind);
  for (const auto& [key, value] : j.items()) {
    if (key != "op" && std::find(fields.begin(), fields.end(), key) == fields.end())
      return corrupt(where + ": unexpected field '" + key + "'");
  }
  for (const std::string_view key : fields) {
    if (key == "path") {
      ASSIGN_OR_RETURN(op.path, string_field(j, key, where));
    } else if (key == "to") {
      ASSIGN_OR_RETURN(op.path2, string_field(j, key, where));
    } else if (key == "inode") {
      ASSIGN_OR_RETURN(op.inode, uint_field(j, key, where));
    } else if (key == "offset" || key == "attempt" || (key == "size" && op.kind == OpKind::kTruncate)) {
      ASSIGN_OR_RETURN(op.offset, uint_field(j, key, where));
    } else if (key == "txn") {
      ASSIGN_OR_RETURN(op.number, uint_field(j, key, where));
    }
  }
  if (op.kind == OpKind::kWrite) {
    ASSIGN_OR_RETURN(op.data, slice(j, blob, where));
  }
  if (op.kind == OpKind::kCreate) {
    if (op.inode != max_inode + 1) {
      return corrupt(where + ": create of inode " + std::to_string(op.inode) + ", expected " +
                     std::to_string(max_inode + 1));
    }
    max_inode = op.inode;
  }
  const bool has_inode = std::find(fields.begin(), fields.end(), "inode") != fields.end();
  if (has_inode && (op.inode == 0 || op.inode > max_inode)) {
    return corrupt(where + ": inode " + std::to_string(op.inode) + " was never created");
  }
  return op;
}

Result<LoadedTrace> decode_header(const json& header, const Bytes& blob) {
  LoadedTrace out;
  ASSIGN_OR_RETURN(const json* meta, field(header, "meta", &json::is_object, "an object", "header"));
  out.meta_json = meta->dump();
  ASSIGN_OR_RETURN(const json* initial, field(header, "initial", &json::is_object, "an object", "header"));
  ASSIGN_OR_RETURN(const json* dirs, array_field(*initial, "dirs", "initial"));
  for (const json& d : *dirs) {
    if (!d.is_string()) return corrupt(std::string("initial: a directory is a JSON ") + d.type_name() + ", not a string");
    out.trace.initial.dirs.insert(d.get<std::string>());
  }
  ASSIGN_OR_RETURN(const json* files, array_field(*initial, "files", "initial"));
  for (size_t i = 0; i < files->size(); ++i) {
    const std::string where = "initial file " + std::to_string(i);
    ASSIGN_OR_RETURN(const std::string path, string_field((*files)[i], "path", where));
    ASSIGN_OR_RETURN(SharedBytes contents, slice((*files)[i], blob, where + " (" + path + ")"));
    if (!out.trace.initial.files.emplace(path, FileContents(*contents)).second)
      return corrupt(where + ": " + path + " is listed twice");
  }
  InodeId max_inode = out.trace.initial_inodes();
  ASSIGN_OR_RETURN(const json* ops, array_field(header, "ops", "header"));
  out.trace.ops.reserve(ops->size());
  for (size_t i = 0; i < ops->size(); ++i) {
    ASSIGN_OR_RETURN(Op op, op_from_json((*ops)[i], blob, i, max_inode));
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
      f.update(blob.place(std::make_shared<const Bytes>(contents.to_bytes())));
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
    ASSIGN_OR_RETURN(const std::string format, string_field(header, "format", "header"));
    ASSIGN_OR_RETURN(const uint64_t version, uint_field(header, "version", "header"));
    if (format != "crashsim-trace" || version != kVersion) {
      return corrupt("unsupported format \"" + format + "\" version " + std::to_string(version) +
                     " (this build reads \"crashsim-trace\" version " + std::to_string(kVersion) + ")");
    }
    ASSIGN_OR_RETURN(const json* blob_info, field(header, "blob", &json::is_object, "an object", "header"));
    ASSIGN_OR_RETURN(const uint64_t raw_size, uint_field(*blob_info, "size", "blob"));
    ASSIGN_OR_RETURN(const uint64_t stored, uint_field(*blob_info, "stored", "blob"));
    ASSIGN_OR_RETURN(const std::string encoding, string_field(*blob_info, "encoding", "blob"));
    const uint64_t blob_at = kPrefix + header_len;
    if (encoding != "zlib" || stored != bytes.size() - blob_at) {
      return corrupt("the blob should hold " + std::to_string(stored) + " zlib bytes after the header, the file has " +
                     std::to_string(bytes.size() - blob_at));
    }
    if (raw_size / kMaxInflateRatio > stored) {
      return corrupt("header field blob.size says the blob at offset " + std::to_string(blob_at) + " inflates to " +
                     std::to_string(raw_size) + " bytes, more than zlib can make of its " + std::to_string(stored) +
                     " bytes (" + std::to_string(kMaxInflateRatio) + " to 1 at best)");
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
  } catch (const std::bad_alloc&) {
    return Status::no_space("decode trace: not enough memory for a trace of " + std::to_string(bytes.size()) +
                            " bytes");
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
