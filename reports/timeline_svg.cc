#include "reports/timeline_svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <tuple>

#include "reports/escape.h"
#include "reports/format.h"

namespace reports {
namespace {

// Geometry, in pixels.
constexpr int kLabelWidth = 150;   // file names left of the lanes
constexpr int kTopPad = 18;        // room for the crash label
constexpr int kMarkerRow = 24;
constexpr int kLaneHeight = 34;
constexpr int kLaneGap = 6;
constexpr int kAxisRow = 20;       // op index labels below the lanes
constexpr int kGap = 4;            // between operations
constexpr int kMinWriteWidth = 6;
constexpr int kMaxWriteWidth = 120;
constexpr int kBarrierWidth = 12;
constexpr int kGlyphWidth = 16;
constexpr int kMinLabelSpacing = 30;
constexpr int kCrashLabelWidth = 130;
constexpr size_t kOpsAfterCrash = 8;  // of the window, when the trace is cut

// How a write is drawn: what the crash did to it.
enum class Look { kDurable, kKept, kDropped, kTorn, kUnknown, kNotIssued };

struct LookStyle {
  std::string_view name;     // legend text
  std::string_view fill;     // colour, or a pattern id suffix after "#"
  bool pattern;
  std::string_view stroke;
  std::string_view dash;     // stroke-dasharray, "" for solid
};

constexpr LookStyle kLooks[] = {
    {"durable: synced before the crash", "#9ecae1", false, "#3f7fb0", ""},
    {"kept: pending, reached the disk", "#31a354", false, "#1b6e31", ""},
    {"dropped: pending, lost", "dropped", true, "#7a7a7a", "3 2"},
    {"torn: pending, partly written", "torn", true, "#c4540c", ""},
    {"written, fate not recorded", "#bdbdbd", false, "#8a8a8a", ""},
    {"not issued: after the crash", "#f0f0f0", false, "#c8c8c8", "2 2"},
};

const LookStyle& style_of(Look look) { return kLooks[static_cast<size_t>(look)]; }

std::string fill_of(Look look, std::string_view prefix) {
  const LookStyle& s = style_of(look);
  return s.pattern ? "url(#" + std::string(prefix) + std::string(s.fill) + ")" : std::string(s.fill);
}

std::string defs(std::string_view prefix) {
  std::string p(prefix);
  return "<defs>"
         "<pattern id=\"" + p + "dropped\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
         "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#ffffff\"/>"
         "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#c6c6c6\" stroke-width=\"2\"/></pattern>"
         "<pattern id=\"" + p + "torn\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
         "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fdae6b\"/>"
         "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#ffffff\" stroke-width=\"3\"/></pattern>"
         "</defs>";
}

std::string num(int v) { return std::to_string(v); }

std::string attr(std::string_view name, std::string_view value) {
  return " " + std::string(name) + "=\"" + xml_escape(value) + "\"";
}

std::string title(std::string_view text) { return "<title>" + xml_escape(text) + "</title>"; }

// "512 B", "4.0 KiB", "1.5 MiB", short enough to sit inside a block.
std::string short_bytes(uint64_t n) {
  char buf[32];
  if (n < 1024) std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(n));
  else if (n < (1u << 20)) std::snprintf(buf, sizeof buf, "%.1fK", static_cast<double>(n) / 1024);
  else std::snprintf(buf, sizeof buf, "%.1fM", static_cast<double>(n) / (1u << 20));
  return buf;
}

int write_width(uint64_t length) {
  double w = kMinWriteWidth + 8.0 * std::log2(1.0 + static_cast<double>(length) / 256.0);
  return std::clamp(static_cast<int>(std::lround(w)), kMinWriteWidth, kMaxWriteWidth);
}

int op_width(const TimelineOp& op) {
  switch (op.kind) {
    case OpKind::kWrite: return write_width(op.length);
    case OpKind::kSync:
    case OpKind::kSyncDir: return kBarrierWidth;
    default: return kGlyphWidth;
  }
}

std::string truncate_label(const std::string& s, size_t max_chars) {
  if (s.size() <= max_chars) return s;
  // Keep the end of a path: "…/db-wal" says more than "/tmp/crash…".
  return "\u2026" + s.substr(s.size() - (max_chars - 1));
}

class TimelineDrawer {
 public:
  TimelineDrawer(const Timeline& t, std::string_view prefix) : t_(t), prefix_(prefix) {
    for (size_t i = 0; i < t.files.size(); ++i) lane_of_[t.files[i]] = static_cast<int>(i);
    // The last sync of each file before the crash: writes before it are durable.
    for (const TimelineOp& op : t.ops)
      if (op.kind == OpKind::kSync && issued(op)) last_sync_[op.file] = op.index;
  }

  std::string draw() {
    choose_window();
    const int lanes = static_cast<int>(t_.files.size());
    lanes_top_ = kTopPad + kMarkerRow;
    lanes_bottom_ = lanes_top_ + lanes * (kLaneHeight + kLaneGap);

    std::string body;
    int x = kLabelWidth + 8;
    std::optional<int> crash_x;
    int last_label_x = -kMinLabelSpacing;
    for (size_t i = begin_; i < end_; ++i) {
      const TimelineOp& op = t_.ops[i];
      if (!issued(op) && !crash_x) crash_x = x - 2;
      int w = op_width(op);
      body += draw_op(op, x, w);
      int center = x + w / 2;
      if (center - last_label_x >= kMinLabelSpacing) {
        body += "<text x=\"" + num(center) + "\" y=\"" + num(lanes_bottom_ + 11) +
                "\" font-size=\"10\" text-anchor=\"middle\" fill=\"#666666\">#" + std::to_string(op.index) +
                "</text>";
        last_label_x = center;
      }
      x += w + kGap;
    }
    if (!crash_x) crash_x = x - 1;
    const int width = std::max(x + 60, *crash_x + kCrashLabelWidth);
    const int height = lanes_bottom_ + kAxisRow;

    std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" width=\"" + num(width) +
                      "\" height=\"" + num(height) + "\" viewBox=\"0 0 " + num(width) + " " + num(height) +
                      "\" role=\"img\"" +
                      attr("aria-label", "timeline of " + std::to_string(t_.ops.size()) +
                                             " operations, crash before operation " + std::to_string(t_.crash_point)) +
                      " font-family=\"sans-serif\">" + defs(prefix_);
    out += draw_lanes(width);
    out += body;
    out += draw_crash_line(*crash_x);
    out += draw_cut_notes(x);
    return out + "</svg>";
  }

 private:
  void choose_window() { std::tie(begin_, end_) = timeline_window(t_); }

  int lane_y(const std::string& file) const {
    auto it = lane_of_.find(file);
    return it == lane_of_.end() ? kTopPad : lanes_top_ + it->second * (kLaneHeight + kLaneGap);
  }

  bool issued(const TimelineOp& op) const { return op_issued(t_, op); }

  Look look_of(const TimelineOp& op) const {
    if (!issued(op)) return Look::kNotIssued;
    switch (op.fate) {
      case Fate::kDropped: return Look::kDropped;
      case Fate::kTorn: return Look::kTorn;
      case Fate::kPersisted: break;
      default: return Look::kUnknown;  // a write is never a barrier or a marker
    }
    auto sync = last_sync_.find(op.file);
    return sync != last_sync_.end() && op.index < sync->second ? Look::kDurable : Look::kKept;
  }

  std::string describe(const TimelineOp& op) const {
    std::string text = "#" + std::to_string(op.index) + " " + std::string(op_kind_name(op.kind));
    if (!op.file.empty()) text += " " + op.file;
    if (op.kind == OpKind::kWrite)
      text += " [" + std::to_string(op.offset) + ", " + std::to_string(op.offset + op.length) + ") " +
              format_count(op.length) + " B: " + std::string(style_of(look_of(op)).name);
    else if (op.kind == OpKind::kTruncate)
      text += " to " + format_count(op.offset) + " B";
    // A truncate or a directory change the crash may keep or drop.
    if (op.kind != OpKind::kWrite && op.kind != OpKind::kSync && op.kind != OpKind::kSyncDir &&
        op.kind != OpKind::kMarker && issued(op))
      text += ": " + std::string(fate_name(op.fate));
    if (!op.detail.empty()) text += " \u2014 " + op.detail;
    if (op.kind != OpKind::kWrite && !issued(op)) text += " (not issued: after the crash)";
    return text;
  }

  std::string draw_op(const TimelineOp& op, int x, int w) const {
    const int y = lane_y(op.file);
    // Faded: never issued, or (for glyphs) dropped by the crash.
    const bool faded = !issued(op) || (op.kind != OpKind::kWrite && op.fate == Fate::kDropped);
    std::string g = "<g" + std::string(faded ? " opacity=\"0.35\"" : "") + ">" + title(describe(op));
    const std::string sx = num(x), sw = num(w);
    switch (op.kind) {
      case OpKind::kWrite: {
        Look look = look_of(op);
        const LookStyle& s = style_of(look);
        g += "<rect x=\"" + sx + "\" y=\"" + num(y + 5) + "\" width=\"" + sw + "\" height=\"" +
             num(kLaneHeight - 10) + "\" rx=\"2\" fill=\"" + fill_of(look, prefix_) + "\" stroke=\"" +
             std::string(s.stroke) + "\"" + (s.dash.empty() ? "" : " stroke-dasharray=\"" + std::string(s.dash) + "\"") +
             "/>";
        if (w >= 30)
          g += "<text x=\"" + num(x + w / 2) + "\" y=\"" + num(y + kLaneHeight / 2 + 3) +
               "\" font-size=\"9\" text-anchor=\"middle\" fill=\"" + (look == Look::kKept ? "#ffffff" : "#222222") +
               "\">" + short_bytes(op.length) + "</text>";
        break;
      }
      case OpKind::kSync:
      case OpKind::kSyncDir:
        g += "<rect x=\"" + num(x + 3) + "\" y=\"" + num(y + 1) + "\" width=\"3\" height=\"" +
             num(kLaneHeight - 2) + "\" fill=\"#222222\"" +
             (op.kind == OpKind::kSyncDir ? " fill-opacity=\"0.45\" stroke=\"#222222\" stroke-dasharray=\"2 2\"" : "") +
             "/>";
        break;
      case OpKind::kTruncate:  // a downward wedge: the file's end moves
        g += "<path d=\"M" + num(x) + "," + num(y + 8) + " L" + num(x + w) + "," + num(y + 8) + " L" +
             num(x + w / 2) + "," + num(y + kLaneHeight - 8) + " Z\" fill=\"#636363\"/>";
        break;
      case OpKind::kCreate:
        g += "<circle cx=\"" + num(x + w / 2) + "\" cy=\"" + num(y + kLaneHeight / 2) +
             "\" r=\"5\" fill=\"#ffffff\" stroke=\"#31a354\" stroke-width=\"2\"/>";
        break;
      case OpKind::kMkdir:
        g += "<rect x=\"" + num(x + 1) + "\" y=\"" + num(y + kLaneHeight / 2 - 5) +
             "\" width=\"10\" height=\"10\" fill=\"#ffffff\" stroke=\"#31a354\" stroke-width=\"2\"/>";
        break;
      case OpKind::kRemove:
        g += "<path d=\"M" + num(x + 1) + "," + num(y + 9) + " L" + num(x + w - 1) + "," + num(y + kLaneHeight - 9) +
             " M" + num(x + w - 1) + "," + num(y + 9) + " L" + num(x + 1) + "," + num(y + kLaneHeight - 9) +
             "\" stroke=\"#a50f15\" stroke-width=\"2\"/>";
        break;
      case OpKind::kRename:
        g += "<path d=\"M" + num(x) + "," + num(y + kLaneHeight / 2) + " L" + num(x + w) + "," +
             num(y + kLaneHeight / 2) + " M" + num(x + w - 4) + "," + num(y + kLaneHeight / 2 - 4) + " L" +
             num(x + w) + "," + num(y + kLaneHeight / 2) + " L" + num(x + w - 4) + "," +
             num(y + kLaneHeight / 2 + 4) + "\" stroke=\"#3f007d\" stroke-width=\"2\" fill=\"none\"/>";
        break;
      case OpKind::kMarker: {  // a flag in the marker row
        const int top = kTopPad + 2;
        g += "<path d=\"M" + num(x + 2) + "," + num(top) + " L" + num(x + 2) + "," + num(top + kMarkerRow - 4) +
             "\" stroke=\"#444444\" stroke-width=\"1.5\"/><path d=\"M" + num(x + 2) + "," + num(top) + " L" +
             num(x + w) + "," + num(top + 4) + " L" + num(x + 2) + "," + num(top + 8) + " Z\" fill=\"#756bb1\"/>";
        break;
      }
    }
    return g + "</g>";
  }

  std::string draw_lanes(int width) const {
    std::string out = "<text x=\"8\" y=\"" + num(kTopPad + 15) +
                      "\" font-size=\"11\" fill=\"#555555\" font-style=\"italic\">markers</text>";
    for (size_t i = 0; i < t_.files.size(); ++i) {
      const std::string& file = t_.files[i];
      const int y = lanes_top_ + static_cast<int>(i) * (kLaneHeight + kLaneGap);
      out += "<rect x=\"" + num(kLabelWidth) + "\" y=\"" + num(y) + "\" width=\"" + num(width - kLabelWidth - 4) +
             "\" height=\"" + num(kLaneHeight) + "\" fill=\"" + (i % 2 ? "#f4f6f8" : "#eef1f4") + "\"/>";
      out += "<text x=\"8\" y=\"" + num(y + kLaneHeight / 2 + 4) + "\" font-size=\"12\" fill=\"#222222\">" +
             title(file) + xml_escape(truncate_label(lane_label(file), 21)) + "</text>";
    }
    return out;
  }

  // A directory's lane (the trace syncs or creates it as one) says so: "."
  // alone reads as nothing, "directory ./" as the database's directory.
  std::string lane_label(const std::string& file) const {
    const bool directory = std::any_of(t_.ops.begin(), t_.ops.end(), [&](const TimelineOp& op) {
      return op.file == file && (op.kind == OpKind::kSyncDir || op.kind == OpKind::kMkdir);
    });
    if (!directory) return file;
    return "directory " + (file.ends_with('/') ? file : file + "/");
  }

  std::string draw_crash_line(int x) const {
    const std::string label = "crash before #" + std::to_string(t_.crash_point);
    return "<g>" + title(label) + "<line x1=\"" + num(x) + "\" y1=\"" + num(kTopPad - 2) + "\" x2=\"" + num(x) +
           "\" y2=\"" + num(lanes_bottom_) + "\" stroke=\"#d7191c\" stroke-width=\"2.5\"/><text x=\"" + num(x + 4) +
           "\" y=\"" + num(kTopPad - 4) + "\" font-size=\"11\" font-weight=\"bold\" fill=\"#d7191c\">" +
           xml_escape(label) + "</text></g>";
  }

  std::string draw_cut_notes(int end_x) const {
    std::string out;
    if (begin_ > 0)
      out += "<text x=\"8\" y=\"" + num(lanes_bottom_ + 11) + "\" font-size=\"9\" fill=\"#666666\">" +
             std::to_string(begin_) + " earlier ops not shown</text>";
    if (end_ < t_.ops.size())
      out += "<text x=\"" + num(end_x + 2) + "\" y=\"" + num(lanes_bottom_ + 11) +
             "\" font-size=\"9\" fill=\"#666666\">+" + std::to_string(t_.ops.size() - end_) + " more</text>";
    return out;
  }

  const Timeline& t_;
  std::string prefix_;
  std::map<std::string, int> lane_of_;
  std::map<std::string, uint64_t> last_sync_;
  size_t begin_ = 0, end_ = 0;
  int lanes_top_ = 0, lanes_bottom_ = 0;
};

}  // namespace

bool op_issued(const Timeline& timeline, const TimelineOp& op) {
  return op.index < timeline.crash_point && op.fate != Fate::kNotIssued;
}

std::pair<size_t, size_t> timeline_window(const Timeline& timeline) {
  const size_t n = timeline.ops.size();
  if (n <= kTimelineMaxOps) return {0, n};
  size_t before = 0;  // ops issued before the crash (ops are in index order)
  while (before < n && op_issued(timeline, timeline.ops[before])) ++before;
  const size_t end = std::min(n, before + kOpsAfterCrash);
  return {end > kTimelineMaxOps ? end - kTimelineMaxOps : 0, end};
}

std::string render_timeline_svg(const Timeline& timeline, std::string_view id_prefix) {
  return TimelineDrawer(timeline, id_prefix).draw();
}

std::string render_timeline_legend(std::string_view id_prefix) {
  constexpr int kColumnWidth = 310, kRowHeight = 20, kColumns = 3;
  struct Entry {
    std::string label;
    std::string swatch;  // drawn at (0, 0), 24 x 12
  };
  std::vector<Entry> entries;
  for (size_t i = 0; i < std::size(kLooks); ++i) {
    const LookStyle& s = kLooks[i];
    entries.push_back({std::string(s.name), "<rect width=\"24\" height=\"12\" rx=\"2\" fill=\"" +
                                                fill_of(static_cast<Look>(i), id_prefix) + "\" stroke=\"" +
                                                std::string(s.stroke) + "\"" +
                                                (s.dash.empty() ? "" : " stroke-dasharray=\"" + std::string(s.dash) + "\"") +
                                                "/>"});
  }
  entries.push_back({"sync (fdatasync): a barrier", "<rect x=\"10\" y=\"-3\" width=\"3\" height=\"18\" fill=\"#222222\"/>"});
  entries.push_back({"crash point", "<line x1=\"12\" y1=\"-3\" x2=\"12\" y2=\"15\" stroke=\"#d7191c\" stroke-width=\"2.5\"/>"});
  entries.push_back({"truncate, create, rename, remove; faded if dropped",
                     "<path d=\"M0,2 L10,2 L5,12 Z\" fill=\"#636363\"/><circle cx=\"17\" cy=\"7\" r=\"4\" "
                     "fill=\"#ffffff\" stroke=\"#31a354\" stroke-width=\"2\"/>"});
  entries.push_back({"marker (e.g. commit returned)",
                     "<path d=\"M8,0 L8,14 M8,0 L20,4 L8,8 Z\" stroke=\"#444444\" fill=\"#756bb1\"/>"});

  const int rows = static_cast<int>((entries.size() + kColumns - 1) / kColumns);
  const int width = kColumns * kColumnWidth, height = rows * kRowHeight + 8;
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"legend\" width=\"" + num(width) +
                    "\" height=\"" + num(height) + "\" viewBox=\"0 0 " + num(width) + " " + num(height) +
                    "\" role=\"img\" aria-label=\"legend\" font-family=\"sans-serif\">" + defs(id_prefix);
  for (size_t i = 0; i < entries.size(); ++i) {
    const int col = static_cast<int>(i) % kColumns, row = static_cast<int>(i) / kColumns;
    const int x = col * kColumnWidth + 4, y = row * kRowHeight + 6;
    out += "<g transform=\"translate(" + num(x) + "," + num(y) + ")\">" + entries[i].swatch +
           "<text x=\"32\" y=\"10\" font-size=\"11\" fill=\"#222222\">" + xml_escape(entries[i].label) +
           "</text></g>";
  }
  return out + "</svg>";
}

}  // namespace reports
