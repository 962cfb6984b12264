// The picture of a crash: an SVG timeline of the trace around the crash point.
//
// One horizontal lane per file (in Timeline::files order) and a marker row
// above them. Operations are laid out left to right in trace order, so the
// x axis is "what happened next", not wall time:
//   * a write is a block whose width grows with the logarithm of its byte
//     count (clamped, so a 24-byte frame header and a 64 KiB page both show);
//     its colour says what the crash did to it: durable (synced before the
//     crash), kept (pending, persisted anyway), dropped or torn;
//   * a sync is a dark vertical barrier in its file's lane, a directory sync
//     a dashed one;
//   * truncate, create, mkdir, remove and rename are small glyphs; markers
//     (e.g. "commit-acked txn 3") are flags in the marker row;
//   * the crash point is a red vertical line across every lane, just before
//     the operation it interrupted; operations from there on were never
//     issued and are drawn faded.
// Every element carries a <title> (a tooltip in browsers) with the op index,
// kind, file, byte range and fate. Long traces are cut to a window that ends
// a few operations after the crash point, saying how much was left out.
//
// The output is a standalone, well-formed <svg> element (own xmlns, own
// <defs> with ids prefixed by `id_prefix`, colours as presentation
// attributes), valid both inline in XHTML and on its own.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "reports/report.h"

namespace reports {

// Most operations drawn in one timeline.
inline constexpr size_t kTimelineMaxOps = 160;

std::string render_timeline_svg(const Timeline& timeline, std::string_view id_prefix);

// The operations drawn: [first, last) positions in timeline.ops, all of
// them unless there are more than kTimelineMaxOps.
std::pair<size_t, size_t> timeline_window(const Timeline& timeline);

// Whether the operation was issued before the crash.
bool op_issued(const Timeline& timeline, const TimelineOp& op);

// A key to the colours and glyphs above, as its own small SVG.
std::string render_timeline_legend(std::string_view id_prefix);

}  // namespace reports
