#include "reports/report_files.h"

#include <vector>

#include "reports/html.h"
#include "reports/json_reader.h"
#include "reports/junit.h"
#include "reports/summary.h"
#include "reports/text_file.h"

namespace reports {

vfs::Status write_report_files(vfs::Vfs& vfs, const Report& report, const std::string& dir) {
  RETURN_IF_ERROR(vfs.create_dir(dir));
  // replace: a byte string that is not UTF-8 becomes U+FFFD instead of
  // making dump() throw.
  const std::string json_text =
      report_to_json(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  RETURN_IF_ERROR(write_text_file(vfs, dir + "/" + kReportJsonFile, json_text));
  RETURN_IF_ERROR(write_text_file(vfs, dir + "/" + kJunitFile, render_junit(report)));
  RETURN_IF_ERROR(write_text_file(vfs, dir + "/" + kSummaryFile, render_summary(report)));
  return write_text_file(vfs, dir + "/" + kHtmlFile, render_html(report));
}

vfs::Status write_report_files(vfs::Vfs& vfs, const nlohmann::json& doc, const std::string& dir) {
  ASSIGN_OR_RETURN(Report report, report_from_json(doc));
  return write_report_files(vfs, report, dir);
}

vfs::Result<Report> read_report_file(vfs::Vfs& vfs, const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, read_text_file(vfs, path));
  std::vector<JsonProblem> problems;
  ASSIGN_OR_RETURN(nlohmann::json doc, parse_json(text, path, problems));
  if (!problems.empty()) return vfs::Status::invalid_argument(format_problems(path, problems));
  return report_from_json(doc, path);
}

}  // namespace reports
