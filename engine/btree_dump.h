// `btree dump`: what the bytes of a database's two files are, page by page and
// frame by frame, as text or JSON: the tool an engineer opens next to a crash
// state's timeline.
//
// It never opens the database (no recovery runs) and never writes: it reads
// the files as they are and describes them through engine/file_layout.h,
// adding what a reader looks for next:
//   * the WAL header's fields and verdict; every slot: its page, page type,
//     generation, transaction sequence, nonce, commit mark, both checksums,
//     whether it is of the header's generation, and whether intact commit
//     frames complete its transaction as recovery requires (its own commit
//     frame and, in a group, the meta frame of the group's write; a frame no
//     commit completes is one recovery must not replay);
//   * every data page: its type, checksum verdict and, for a sound page, its
//     keys and links (a leaf's keys and overflow heads, an internal node's
//     keys and children, an overflow or free page's next page, the meta
//     page's fields), and the free-list chain from the data file's meta page.
// Damage is described, never an error: a file too short or too damaged to
// parse yields fewer entries and says why.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/mutant.h"

namespace engine {

struct DumpFiles {
  std::string data_path;
  std::string wal_path;
  // A missing file is absent: described as missing, not as empty.
  std::optional<std::vector<uint8_t>> data;
  std::optional<std::vector<uint8_t>> wal;
  // Checksums are computed as this mutant's build does (additive-checksum).
  Mutant mutant = Mutant::kNone;
};

// The whole description as a JSON document ({"data": ..., "wal": ...}; the
// fields are named in docs/file-formats.md, "Looking at the bytes").
nlohmann::json dump_json(const DumpFiles& files);

// The same, as lines of text for a terminal.
std::string dump_text(const nlohmann::json& dump);

}  // namespace engine
