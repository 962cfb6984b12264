#include "crashsim/tool/run_info.h"

#include <ctime>

#include "crashsim/parallel.h"

#ifndef CRASHSIM_VERSION
#error "CRASHSIM_VERSION must be defined by the build (the project version)"
#endif

namespace crashsim::tool {

namespace {

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

reports::RunInfo run_info(unsigned jobs, const Shard& shard, const catalog::Catalog& catalog,
                          const std::string& command_line) {
  reports::RunInfo run;
  run.tool_version = CRASHSIM_VERSION;
  run.started = utc_now_iso8601();
  run.jobs = jobs == 0 ? default_jobs() : jobs;
  if (shard.count > 1) run.shards = {std::to_string(shard.index + 1) + "/" + std::to_string(shard.count)};
  run.catalog_files = catalog.files;
  run.catalog_digest = catalog.digest;
  run.command = command_line;
  return run;
}

}  // namespace crashsim::tool
