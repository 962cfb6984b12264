// Content checks of the renderers on the sample report. Well-formedness of
// junit.xml and report.html is checked by an XML parser in check_rendered.py.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "reports/format.h"
#include "reports/html.h"
#include "reports/junit.h"
#include "reports/report_files.h"
#include "reports/sample_report.h"
#include "reports/summary.h"
#include "reports/text_file.h"
#include "reports/timeline_svg.h"
#include "vfs/mem_vfs.h"

namespace reports {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace t = reports::testing;

size_t count(const std::string& haystack, std::string_view needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

// No hostile string survives unescaped: no raw tag, no raw control byte, no invalid UTF-8.
void expect_no_raw_hostile(const std::string& out) {
  EXPECT_THAT(out, Not(HasSubstr("<script")));
  EXPECT_THAT(out, Not(HasSubstr("\x01")));
  EXPECT_THAT(out, Not(HasSubstr("\xff")));
}

// Markdown without its code spans and blocks, whose text is literal by definition.
std::string outside_code(const std::string& md) {
  std::string out;
  bool in_code = false;
  for (size_t i = 0; i < md.size(); ++i) {
    if (md[i] == '`') {
      size_t run = md.find_first_not_of('`', i) - i;
      i += run - 1;
      in_code = !in_code;
      continue;
    }
    if (!in_code) out += md[i];
  }
  return out;
}

TEST(Junit, OneSuitePerFileOneCasePerScenarioAndModel) {
  const std::string xml = render_junit(t::sample_report());
  EXPECT_EQ(count(xml, "<testsuite "), 2u);
  EXPECT_EQ(count(xml, "<testcase "), 8u);
  EXPECT_THAT(xml, HasSubstr("<testsuites name=\"crashsim\" tests=\"8\" failures=\"2\" errors=\"2\""));
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"scenarios/ci.json\" tests=\"5\" failures=\"2\" errors=\"0\""));
  EXPECT_THAT(xml, HasSubstr("classname=\"crashsim.ci\" name=\"checkpoint-then-crash [lose-unsynced]\""));
}

TEST(Junit, AFailureCarriesItsReplayCommand) {
  const std::string xml = render_junit(t::sample_report());
  EXPECT_THAT(xml, HasSubstr("<failure type=\"expectation\" message=\"expected pass, found durability \u00d72; "
                             "replay: crashsim replay scenarios/ci.json --scenario checkpoint-then-crash "
                             "--state 120:lose-unsynced\""));
  // Both recorded violations are in the failure's text.
  EXPECT_THAT(xml, HasSubstr("--state 121:lose-unsynced"));
  EXPECT_THAT(xml, HasSubstr("message=\"expected violation of recovery, found no violations\""));
  EXPECT_THAT(xml, HasSubstr("<error type=\"error\" message=\"workload step 4 (reopen)"));
}

TEST(Junit, HostileStringsAreEscaped) {
  const std::string xml = render_junit(t::sample_report());
  expect_no_raw_hostile(xml);
  EXPECT_THAT(xml, HasSubstr("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39; ]]&gt;"));
}

TEST(Summary, HeadlineFailuresAndReplays) {
  const std::string md = render_summary(t::sample_report());
  EXPECT_THAT(md, HasSubstr("## \u274c Crash simulation: 4 of 6 scenarios failed"));
  EXPECT_THAT(md, HasSubstr("8 cases (4 passed, 4 failed)"));
  EXPECT_THAT(md, HasSubstr("### Failing cases"));
  EXPECT_THAT(md, HasSubstr("```sh\n# state 120:lose-unsynced: durability\n"
                            "crashsim replay scenarios/ci.json --scenario checkpoint-then-crash --state "
                            "120:lose-unsynced\n"));
  EXPECT_THAT(md, HasSubstr("The expected violation was not found"));
  EXPECT_THAT(md, HasSubstr("the workload could not run: workload step 4 (reopen)"));
  EXPECT_THAT(md, HasSubstr("<details><summary>All 8 cases</summary>"));
  // Every case has a row in the full table, each failing one also above it; a caught mutant
  // (and the hostile scenario's workload check, supporting its expected violation) says so.
  EXPECT_EQ(count(md, "| \u2705 |"), 2u);
  EXPECT_EQ(count(md, "| \u2705 caught |"), 2u);
  EXPECT_EQ(count(md, "| \u274c |"), 3u * 2);
}

TEST(Summary, MediaFaultsByRegion) {
  const std::string md = render_summary(t::sample_report());
  EXPECT_THAT(md, HasSubstr("<details><summary>Media faults by region</summary>"));
  EXPECT_THAT(md, HasSubstr("| Region | Drawn | Refused | Recovered | Harmless | Tail dropped | Caught by verify | Silent | "
                            "Misreported |"));
  EXPECT_THAT(md, HasSubstr("| `wal-header` | 8 | 4 | 1 | 0 | 1 | 1 | 1 | 0 |"));
  Report r = t::sample_report();
  r.scenarios.resize(2);
  EXPECT_THAT(render_summary(r), Not(HasSubstr("Media faults by region")));
}

TEST(Summary, AllPassingSaysSo) {
  Report r = t::sample_report();
  r.scenarios.resize(2);
  const std::string md = render_summary(r);
  EXPECT_THAT(md, HasSubstr("## \u2705 Crash simulation: all 2 scenarios passed"));
  EXPECT_THAT(md, Not(HasSubstr("Failing cases")));
}

TEST(Summary, HostileStringsCannotBreakTheTable) {
  const std::string md = render_summary(t::sample_report());
  // Outside code, every '<' is backslash-escaped, so no HTML tag can open.
  const std::string text = outside_code(md);
  for (size_t i = text.find('<'); i != std::string::npos; i = text.find('<', i + 1)) {
    if (text.compare(i, 9, "<details>") == 0 || text.compare(i, 10, "</details>") == 0 ||
        text.compare(i, 9, "<summary>") == 0 || text.compare(i, 10, "</summary>") == 0)
      continue;  // the renderer's own collapsible table
    EXPECT_EQ(text[i - 1], '\\') << text.substr(i, 20);
  }
  EXPECT_THAT(md, Not(HasSubstr("\x01")));
  EXPECT_THAT(md, Not(HasSubstr("\xff")));
  // Each table row still has its eight cells: no unescaped pipe in any of them.
  for (size_t at = md.find("| \u274c | `hostile"); at != std::string::npos;
       at = md.find("| \u274c | `hostile", at + 1)) {
    const std::string row = md.substr(at, md.find('\n', at) - at);
    size_t pipes = 0;
    for (size_t i = 0; i < row.size(); ++i)
      if (row[i] == '|' && (i == 0 || row[i - 1] != '\\')) ++pipes;
    EXPECT_TRUE(pipes == 8 || pipes == 9) << row;
  }
}

TEST(Html, SelfContainedWithVerdictsAndOneTimelinePerViolation) {
  const std::string html = render_html(t::sample_report());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"", 0), 0u);
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, Not(HasSubstr("url(http")));
  // Timelines, one per root cause: caught mutant 1, failing checkpoint 1 (its two durability
  // violations lost the same writes: the second is listed under the first), hostile workload check 1.
  EXPECT_EQ(count(html, "class=\"timeline\""), 3u);
  EXPECT_THAT(html, HasSubstr("1 more with the same root cause"));
  EXPECT_THAT(html, HasSubstr("durability \u00b7 2 states \u00b7 lost: #110 dropped: write db @8192 +16384"));
  EXPECT_EQ(count(html, "class=\"legend\""), 1u);
  EXPECT_EQ(count(html, "stroke=\"#d7191c\" stroke-width=\"2.5\"/>"), 3u + 1u);  // crash lines + legend swatch
  // Badges: one per case row (8, an errored workload's row included), one per case
  // with violations (3), one per failure with nothing to draw (the missed mutant, the
  // hostile case's error) and the headline's; a caught mutant is not a plain pass.
  EXPECT_EQ(count(html, "<span class=\"badge pass\">PASS</span>") + count(html, "<span class=\"badge fail\">FAIL</span>") +
                count(html, "<span class=\"badge pass\">CAUGHT</span>"),
            8u + 3u + 2u + 1u);
  EXPECT_EQ(count(html, "<span class=\"badge pass\">CAUGHT</span>"), 2u + 2u);  // rows and sections
  // Failing cases lead; the passing ones are collapsed below them.
  EXPECT_LT(html.find("<tr class=\"fail\">"), html.find("<details class=\"passing\">"));
  EXPECT_THAT(html, HasSubstr("<h1>Crash simulation report <span class=\"badge fail\">FAIL</span></h1>"));
  EXPECT_THAT(html, HasSubstr("crashsim replay scenarios/ci.json --scenario checkpoint-then-crash --state 121:lose-unsynced"));
  EXPECT_THAT(html, HasSubstr("power loss only"));
  EXPECT_THAT(html, HasSubstr("<th>torn-tail-discarded</th>"));
  // The oracle's and verify()'s share of a case's time, apart.
  EXPECT_THAT(html, HasSubstr("<th>Oracle time</th><th>verify() time</th>"));
  const Report sample = t::sample_report();
  const ModelResult& first = sample.scenarios.front().models.front();
  EXPECT_THAT(html, HasSubstr("<td class=\"num\">" + format_seconds(first.oracle_seconds) + "</td><td class=\"num\">" +
                              format_seconds(first.verify_seconds) + "</td>"));
}

TEST(Html, MediaFaultsByRegion) {
  const std::string html = render_html(t::sample_report());
  EXPECT_THAT(html, HasSubstr("<h2>Media faults by region</h2>"));
  EXPECT_THAT(html, HasSubstr("<td><code>wal-header</code></td><td class=\"num\">8</td><td class=\"num\">4</td>"
                              "<td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">1</td>"
                              "<td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">0</td></tr>"));
  EXPECT_THAT(html, HasSubstr("<code>region&lt;script&gt;"));
}

TEST(Html, HostileStringsAreEscaped) {
  const std::string html = render_html(t::sample_report());
  expect_no_raw_hostile(html);
  EXPECT_THAT(html, HasSubstr("hostile-&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
}

TEST(Html, NoViolationsSaysSo) {
  Report r = t::sample_report();
  r.scenarios.resize(1);
  const std::string html = render_html(r);
  EXPECT_THAT(html, HasSubstr("No violations were found."));
  EXPECT_EQ(count(html, "<svg"), 0u);
}

Timeline one_file(std::vector<TimelineOp> ops, uint64_t crash_point) {
  Timeline t;
  t.files = {"db-wal"};
  t.ops = std::move(ops);
  t.crash_point = crash_point;
  return t;
}

// The width attribute of the first <rect> drawn for operation #index.
int block_width(const std::string& svg, uint64_t index) {
  const size_t title = svg.find("<title>#" + std::to_string(index) + " ");
  const size_t w = svg.find("width=\"", svg.find("<rect", title));
  return std::stoi(svg.substr(w + 7));
}

TEST(TimelineSvg, WritesGrowWithBytesButTinyOnesStayVisible) {
  const std::string svg = render_timeline_svg(
      one_file({{1, OpKind::kWrite, "db-wal", 0, 24, Fate::kPersisted, ""},
                {2, OpKind::kWrite, "db-wal", 24, 4096, Fate::kPersisted, ""},
                {3, OpKind::kWrite, "db-wal", 4120, 1 << 20, Fate::kPersisted, ""},
                {4, OpKind::kWrite, "db-wal", 0, uint64_t{1} << 40, Fate::kPersisted, ""}},
               10),
      "t-");
  const int tiny = block_width(svg, 1), page = block_width(svg, 2), big = block_width(svg, 3), huge = block_width(svg, 4);
  EXPECT_GE(tiny, 6);
  EXPECT_LT(tiny, page);
  EXPECT_LT(page, big);
  EXPECT_LE(huge, 120);  // clamped: a terabyte write does not push the crash off the page
}

TEST(TimelineSvg, SyncedWritesAreDurablePendingOnesShowTheirFate) {
  const std::string svg = render_timeline_svg(
      one_file({{1, OpKind::kWrite, "db-wal", 0, 100, Fate::kPersisted, ""},
                {2, OpKind::kSync, "db-wal", 0, 0, Fate::kBarrier, ""},
                {3, OpKind::kWrite, "db-wal", 100, 100, Fate::kPersisted, ""},
                {4, OpKind::kWrite, "db-wal", 200, 100, Fate::kDropped, ""},
                {5, OpKind::kWrite, "db-wal", 300, 100, Fate::kTorn, ""},
                {6, OpKind::kWrite, "db-wal", 400, 100, Fate::kNotIssued, ""}},
               6),
      "t-");
  EXPECT_THAT(svg, HasSubstr("#1 write db-wal [0, 100) 100 B: durable"));
  EXPECT_THAT(svg, HasSubstr("#3 write db-wal [100, 200) 100 B: kept"));
  EXPECT_THAT(svg, HasSubstr("#4 write db-wal [200, 300) 100 B: dropped"));
  EXPECT_THAT(svg, HasSubstr("#5 write db-wal [300, 400) 100 B: torn"));
  EXPECT_THAT(svg, HasSubstr("#6 write db-wal [400, 500) 100 B: not issued"));
  EXPECT_THAT(svg, HasSubstr("fill=\"url(#t-dropped)\""));
  EXPECT_THAT(svg, HasSubstr("fill=\"url(#t-torn)\""));
  EXPECT_THAT(svg, HasSubstr("<pattern id=\"t-torn\""));
  EXPECT_THAT(svg, HasSubstr("crash before #6"));
}

TEST(TimelineSvg, LongTracesAreCutAroundTheCrash) {
  std::vector<TimelineOp> ops;
  for (uint64_t i = 0; i < 400; ++i) ops.push_back({i, OpKind::kWrite, "db-wal", i * 10, 10, Fate::kPersisted, ""});
  const std::string svg = render_timeline_svg(one_file(ops, 300), "t-");
  EXPECT_EQ(count(svg, "<rect") - 1 /* lane */ - 2 /* patterns */, kTimelineMaxOps);
  EXPECT_THAT(svg, HasSubstr("148 earlier ops not shown"));  // keeps 152 issued + 8 after
  EXPECT_THAT(svg, HasSubstr("+92 more"));
  EXPECT_THAT(svg, HasSubstr("<title>#299 "));
  EXPECT_THAT(svg, Not(HasSubstr("<title>#147 ")));
}

TEST(ReportFiles, WritesAllFourAndRefusesABadDocument) {
  vfs::MemVfs mem;
  ASSERT_TRUE(write_report_files(mem, t::sample_report(), "out").ok());
  for (const char* name : {kReportJsonFile, kJunitFile, kSummaryFile, kHtmlFile}) {
    auto text = read_text_file(mem, std::string("out/") + name);
    ASSERT_TRUE(text.ok()) << name;
    EXPECT_GT(text->size(), 100u) << name;
  }
  auto back = read_report_file(mem, "out/report.json");
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(back->scenarios.size(), 6u);

  nlohmann::json bad = report_to_json(t::sample_report());
  bad["run"]["jobs"] = "two";
  vfs::Status s = write_report_files(mem, bad, "bad");
  EXPECT_EQ(s.code(), vfs::StatusCode::kInvalidArgument);
  EXPECT_FALSE(*mem.exists("bad/report.html"));
}

TEST(ReportFiles, ReadNamesTheFileOnMalformedJson) {
  vfs::MemVfs mem;
  ASSERT_TRUE(write_text_file(mem, "r.json", "{\n\"format\": }").ok());
  auto r = read_report_file(mem, "r.json");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("r.json:2:"));
}

}  // namespace
}  // namespace reports
