// junit.xml: the report in the JUnit XML dialect CI systems read.
//
// One <testsuite> per catalog file, one <testcase> per scenario and
// persistence model (classname "crashsim.<file stem>", name "<scenario>
// [<model>]"). A case whose expectation did not hold carries a <failure>
// whose message names what was expected, what was found and the replay
// command of the first violation, so the CI page shows how to reproduce it;
// the failure's text lists every recorded violation with its replay command.
// A case that could not run carries an <error> instead.
#pragma once

#include <string>

#include "reports/report.h"

namespace reports {

std::string render_junit(const Report& report);

}  // namespace reports
