// Saving and loading traces, so a crash state found in CI can be rebuilt elsewhere.
//
// File layout (all integers little-endian):
//   bytes 0..7    magic "CSTRACE1"
//   bytes 8..15   H: length of the JSON header
//   bytes 16..    the JSON header (UTF-8), H bytes
//   then          the blob: every file image and write payload, concatenated
//                 (identical buffers stored once), zlib-compressed
// The header:
//   {"format": "crashsim-trace", "version": 1,
//    "meta": {...},                         caller's object, e.g. the scenario
//    "blob": {"encoding": "zlib", "size": <raw bytes>, "stored": <compressed bytes>},
//    "initial": {"dirs": ["d"], "files": [{"path": "db", "at": 0, "size": 4096}]},
//    "ops": [{"op": "create", "path": "db", "inode": 1},
//            {"op": "write", "inode": 1, "path": "db", "offset": 0, "at": 4096, "size": 512},
//            {"op": "truncate", "inode": 1, "path": "db", "size": 0},
//            {"op": "sync", "inode": 1, "path": "db"}, {"op": "sync-dir", "path": "."},
//            {"op": "rename", "path": "a", "to": "b"}, {"op": "remove", "path": "b"},
//            {"op": "mkdir", "path": "d"}, {"op": "commit-acked", "txn": 3}, ...]}
// "at"/"size" locate bytes in the uncompressed blob. Op names are those of op_kind_name().
// Paths must be valid UTF-8 (JSON strings).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "crashsim/record/trace.h"
#include "vfs/status.h"
#include "vfs/vfs.h"

namespace crashsim {

struct LoadedTrace {
  Trace trace;
  std::string meta_json;  // the "meta" object, serialized
};

// meta_json must be a JSON object ("{}" when there is nothing to say).
vfs::Result<Bytes> encode_trace(const Trace& trace, std::string_view meta_json = "{}");
// kCorruption naming what is wrong (bad magic, truncated blob, unknown op, ...).
vfs::Result<LoadedTrace> decode_trace(std::span<const uint8_t> bytes);

// encode/decode through a Vfs: the file is replaced and synced.
vfs::Status save_trace(vfs::Vfs& vfs, const std::string& path, const Trace& trace, std::string_view meta_json = "{}");
vfs::Result<LoadedTrace> load_trace(vfs::Vfs& vfs, const std::string& path);

}  // namespace crashsim
