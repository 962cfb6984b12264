// Where the corrupt model puts its faults at one crash point.
//
// A system under test that describes its files (SystemUnderTest::
// describe_regions) gets its faults per region kind: every kind of region
// present gets faults of every fault kind, whatever its share of the bytes
// (a 40-byte WAL header in a megabyte of log is hit as often as the log's
// page images). In turn, for i = 0, 1, ...: region kind i / kFaultKinds mod
// the number of kinds (in name order), fault kind i mod kFaultKinds, one
// region of that kind drawn uniformly, the fault drawn inside it; at least
// one fault per (region kind, fault kind), and faults_per_point when that is
// more. A system that describes nothing gets faults_per_point faults at
// uniform offsets (a file uniformly, then an offset), cycling through the
// fault kinds.
//
// Byte faults fall inside their region (both bytes of a pair when the region
// holds two). A lost write loses the part inside the region of the latest
// durable write that touched it, so an older image of those bytes comes
// back; a misdirected write puts that part at the same place of another
// region of the same file and length (another page's offset), or, when there
// is none, at a sector-aligned offset. A region smaller than a sector (a
// header, a frame trailer) loses or misplaces the sectors holding it, as a
// device would, at a sector-aligned offset. Without regions, a write fault
// takes a whole durable write of any file, drawn uniformly.
#pragma once

#include <cstdint>
#include <vector>

#include "crashsim/model/media_fault.h"
#include "crashsim/model/persistence_model.h"
#include "crashsim/model/timeline.h"
#include "crashsim/record/disk_image.h"
#include "crashsim/record/trace.h"
#include "crashsim/system_under_test.h"

namespace crashsim {

// The faults to check at `frontier` (whose durable image is `base`, described
// by `regions`), distinct, in drawing order, drawn from a generator seeded by
// (config.seed, point, model). `durable` is durable_at() for the frontier's rules.
std::vector<MediaFault> plan_faults(const ModelConfig& config, const Trace& trace, const std::vector<uint64_t>& durable,
                                    const Frontier& frontier, const DiskImage& base,
                                    const std::vector<FileRegion>& regions);

}  // namespace crashsim
