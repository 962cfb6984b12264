// summary.md: the report as a pull-request comment (GitHub-flavoured Markdown).
//
// A headline with the counts, the failing cases first with the replay
// command of their first recorded violations, then every case in a
// collapsed table. Short enough to post even for a large catalog: only
// failing cases get more than one line.
#pragma once

#include <string>

#include "reports/report.h"

namespace reports {

std::string render_summary(const Report& report);

}  // namespace reports
