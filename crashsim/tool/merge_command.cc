// crashsim merge: the reports of a sharded run's shards as one.
#include "crashsim/tool/catalog_selection.h"
#include "crashsim/tool/commands.h"
#include "crashsim/tool/exit_code.h"
#include "crashsim/tool/output_dir.h"
#include "crashsim/tool/verdict_lines.h"
#include "reports/merge.h"
#include "reports/report_files.h"
#include "vfs/posix_vfs.h"

namespace crashsim::tool {

int merge_command(const MergeArgs& args, Console& console) {
  vfs::Vfs& fs = vfs::default_vfs();
  std::vector<reports::Report> shards;
  for (const std::string& dir : args.dirs) {
    vfs::Result<reports::Report> report = reports::read_report_file(fs, dir + "/" + reports::kReportJsonFile);
    if (!report.ok()) return report_usage_error(report.status(), console.err);
    shards.push_back(std::move(report).value());
  }
  vfs::Result<reports::Report> merged = reports::merge_parsed_reports(shards, args.allow_partial);
  if (!merged.ok()) return report_usage_error(merged.status(), console.err);
  vfs::Status s = ensure_directories(fs, args.out_dir);
  if (s.ok()) s = reports::write_report_files(fs, *merged, args.out_dir);
  if (!s.ok()) return report_usage_error(s.with("--out " + args.out_dir), console.err);
  for (const reports::ScenarioResult& scenario : merged->scenarios) {
    for (const std::string& line : verdict_lines(scenario, merged->run)) console.out << line << '\n';
  }
  console.out << "merged " << args.dirs.size() << " reports (shards";
  for (const std::string& shard : merged->run.shards) console.out << ' ' << shard;
  console.out << ")\n" << closing_lines(*merged, args.out_dir);
  const reports::Totals totals = reports::compute_totals(*merged);
  return totals.scenarios_passed == totals.scenarios ? kExitOk : kExitFailed;
}

}  // namespace crashsim::tool
