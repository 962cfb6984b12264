// What `crashsim replay --keep DIR` prints after its verdicts: the `btree`
// commands that show each violation on the kept files, for a reader to paste.
//
// Every command but one opens the files read-only (engine Options::read_only:
// recovery in memory, not a byte written), so running them any number of
// times leaves DIR byte-identical, and each carries the scenario's --mutant,
// since the state is only what it is under the recovery that built it:
//   atomicity, durability, ordering, silent-corruption, idempotent-recovery:
//                `get` of each key the violation names (Violation::keys): the
//                one that shows the transaction applied, then the one that
//                does not, with what was expected and observed;
//   recovery     `scan`: the open and full read the check made;
//   structure, leak: `verify`;
//   writable-after-recovery: a `put` on a copy of DIR (a write needs one).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crashsim/results.h"
#include "engine/mutant.h"

namespace crashsim::tool {

// Where `crashsim replay --keep` wrote a crash state, and how to open it.
struct KeptState {
  std::string btree = "btree";  // the btree program, as the reader should type it
  std::string dir;              // the --keep directory
  std::string db = "db";        // the database's file name inside it
  engine::Mutant mutant = engine::Mutant::kNone;
};

// The btree built next to `crashsim_program` (build/crashsim/tool/crashsim ->
// build/engine/btree) when that file exists, else "btree" (on the PATH).
std::string btree_beside(std::string_view crashsim_program);

// The lines for one violation: comments (starting "#") saying what to look
// for, and the commands, one per line, so that the block can be pasted into a
// shell as it is. The first violation of each invariant is the one to show.
std::vector<std::string> replay_hint(const Violation& violation, const KeptState& kept);

}  // namespace crashsim::tool
