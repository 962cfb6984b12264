// The physical limit of a durable commit on this file system, measured in the
// same run as the engines: kSyncCommits rounds of one 4 KiB pwrite and one
// fdatasync, straight to the OS, written two ways:
//   fsync-limit/overwrite-4k  always at offset 0 of a file that already has
//                             the block: the data is flushed, the file's size
//                             never changes, so no journal commit is needed
//   fsync-limit/append-4k     at the end of a growing file: each fdatasync
//                             must also make the new size durable, which on
//                             ext4 costs a journal commit
// A log reused in place can approach the first; one that grows pays the second.
#pragma once

#include <cstdint>

namespace bench {

enum class SyncLoop : uint8_t { kOverwrite, kAppend };

void register_fsync_limit(SyncLoop loop);

}  // namespace bench
