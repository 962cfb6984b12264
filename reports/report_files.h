// The files of a run's report, written side by side into one directory.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "reports/report.h"
#include "vfs/status.h"
#include "vfs/vfs.h"

namespace reports {

inline constexpr char kReportJsonFile[] = "report.json";
inline constexpr char kJunitFile[] = "junit.xml";
inline constexpr char kSummaryFile[] = "summary.md";
inline constexpr char kHtmlFile[] = "report.html";

// Writes report.json, junit.xml, summary.md and report.html into `dir`
// (created when missing; its parent must exist). Each file is replaced
// whole (see write_text_file).
vfs::Status write_report_files(vfs::Vfs& vfs, const Report& report, const std::string& dir);

// Reads the document strictly first; a bad document writes nothing.
vfs::Status write_report_files(vfs::Vfs& vfs, const nlohmann::json& doc, const std::string& dir);

// Reads and checks a report.json; problems name `path`.
vfs::Result<Report> read_report_file(vfs::Vfs& vfs, const std::string& path);

}  // namespace reports
