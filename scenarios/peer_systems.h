// The built-in system kinds other than the engine: SQLite and LevelDB
// (crashsim/peers/), with their catalog settings. docs/catalog.md lists them.
//
//   sqlite:  journal_mode  "delete" | "truncate" | "wal" | "memory" | "off"   (default "delete")
//            synchronous   "off" | "normal" | "full" | "extra"               (default "full")
//            page_size     a power of two in [512, 65536]                    (default 4096)
//            checkpoint    wal_autocheckpoint in pages, [0, 2^31 - 1]        (default 1000;
//                          only with journal_mode "wal")
//   leveldb: sync               WriteOptions::sync                           (default false)
//            paranoid_checks    Options::paranoid_checks                     (default false)
//            verify_checksums   ReadOptions::verify_checksums of get and scan (default false)
//            write_buffer_size  [65536, 2^30] bytes                          (default 4194304)
// The defaults are the systems' own.
#pragma once

#include "scenarios/systems.h"

namespace catalog {

SystemKind sqlite_kind();
SystemKind leveldb_kind();

}  // namespace catalog
