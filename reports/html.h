// report.html: the report as one self-contained page.
//
// No scripts, no external stylesheets, fonts or images: it opens from a CI
// artifact store or a mail attachment exactly as it was written. It holds
// the run's headline, the verdict table (one row per scenario and model,
// failing rows marked), and for each case with violations the recorded
// violations with expected vs observed, the replay command and an inline
// SVG timeline of the trace around the crash point (see timeline_svg.h).
//
// The markup is XHTML-clean (every element closed, attributes quoted, only
// XML's five named entities) so an XML parser can check it, while browsers
// read it as ordinary HTML5.
#pragma once

#include <string>

#include "reports/report.h"

namespace reports {

// Violations drawn per case; the rest are counted and left to report.json.
inline constexpr size_t kHtmlViolationsPerCase = 5;

std::string render_html(const Report& report);

}  // namespace reports
