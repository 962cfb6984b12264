// Pages in the wrong place: media faults that need the trace.
//
// A device can acknowledge a write (and the sync after it) and still not put
// the bytes where they were meant to go:
//   lost write        the bytes never reached the media: the range keeps what
//                     it held before the write (for a page rewrite, an older
//                     valid image comes back);
//   misdirected write the bytes landed at another offset of the same file,
//                     over whatever was there; the intended range keeps its
//                     old bytes.
// A fault names a part [offset, offset + length) of one durable write (its
// trace index) and, when misdirected, the target offset. The damaged file is
// the file's durable contents had the write been issued that way instead;
// every later write still lands where it was meant to, so bytes a later
// durable write covered are unchanged.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "crashsim/model/media_fault.h"
#include "crashsim/model/timeline.h"
#include "crashsim/record/disk_image.h"
#include "crashsim/record/trace.h"
#include "vfs/status.h"

namespace crashsim {

// Rebuilds fault.path in `image` (the durable image of `frontier`) as the
// lost or misdirected write leaves it. kInvalidArgument naming the fault when
// its trace entry is not a write to that file issued before the frontier's
// point, is still pending there (no sync of the file followed it), or its
// part or target lies outside the write or the file.
vfs::Status apply_write_fault(const Trace& trace, const Frontier& frontier, const MediaFault& fault, DiskImage& image);

// The inode `path` names in the durable image of `frontier`, if any.
std::optional<InodeId> durable_inode(const Frontier& frontier, const std::string& path);

// Trace indices of the writes to `inode` issued before the frontier's point
// and durable there (durable[i] < point; `durable` is durable_at() for the
// frontier's rules) that touch [begin, end), ascending.
std::vector<uint64_t> durable_writes(const Trace& trace, const std::vector<uint64_t>& durable, const Frontier& frontier,
                                     InodeId inode, uint64_t begin, uint64_t end);

}  // namespace crashsim
