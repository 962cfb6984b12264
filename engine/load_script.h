// The input of `btree load`: a text script of puts and deletes, committed in
// batches.
//
// One operation per line, fields separated by a tab:
//   put<TAB>KEY<TAB>VALUE   (the value is the rest of the line, tabs included)
//   del<TAB>KEY
//   commit                  (commits the operations since the previous commit)
// Empty lines are skipped; the end of the input commits what is left. A key
// or value cannot hold a newline, and a key cannot hold a tab.
//
// The parser and the loop that applies a script live here, apart from the
// tool's main, so that the fuzz target (fuzz/load_script_fuzzer.cc) reaches
// exactly the code `btree load` runs.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <string_view>

#include "engine/db.h"

namespace engine {

struct LoadStep {
  enum class Kind : uint8_t { kPut, kDelete, kCommit };
  Kind kind = Kind::kCommit;
  std::string_view key;    // views into the parsed line
  std::string_view value;  // kPut only
};

// The longest line a valid script can hold for keys of at most `key_limit`
// bytes: a put of the longest key and the longest value (kMaxValueSize).
uint64_t max_load_line(uint32_t key_limit);

// The step `line` (without its newline) holds, nullopt for an empty line, or
// kInvalidArgument saying what is wrong with it (unknown verb, missing or
// extra field, a key over `key_limit` bytes, a value over kMaxValueSize).
Result<std::optional<LoadStep>> parse_load_line(std::string_view line, uint32_t key_limit);

// Opens the database a script is applied to; called once, at the first
// commit, so that a script failing before it leaves no file behind.
using OpenForLoad = std::function<Result<Db*>()>;

// Applies the script read from `in` (called `name` in messages) to the
// database `open` returns: every `commit` line and the end of the input
// commit the operations since the previous commit as one batch. A malformed
// line, or a key over the limit of the database's page size, stops the load
// with kInvalidArgument "NAME:LINE: why; nothing after the last commit was
// applied": batches committed before it stay, the open one is dropped. A
// batch the database refuses stops it with that error, naming the line that
// ended the batch; a failed open stops it with the open's error; a failed
// read is kIoError. No line is read into memory past
// max_load_line(max_key_size(kMaxPageSize)) bytes.
Status apply_load_script(std::istream& in, const std::string& name, const OpenForLoad& open);

}  // namespace engine
