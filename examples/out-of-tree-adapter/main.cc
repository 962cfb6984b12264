// The crashsim command line with one more system: "snapshot" (snapshot_store.h),
// whose engine block takes one setting, {"system": "snapshot", "sync_dir": false}.
#include <unistd.h>

#include <iostream>

#include "crashsim/tool/cli.h"
#include "scenarios/systems.h"
#include "snapshot_store.h"

namespace {

catalog::SystemSetup read_snapshot(const reports::ObjectReader& block) {
  snapshot::Options options;
  block.read_bool("sync_dir", reports::Need::kOptional, options.sync_dir);
  catalog::SystemSetup setup;
  setup.make = [options] { return std::make_unique<snapshot::SnapshotSystem>(options); };
  setup.settings = {{"sync_dir", options.sync_dir}};
  return setup;
}

}  // namespace

int main(int argc, char** argv) {
  if (vfs::Status s = catalog::register_system({"snapshot", {"sync_dir"}, 1024, read_snapshot}); !s.ok()) {
    std::cerr << s.to_string() << '\n';
    return 2;
  }
  crashsim::tool::Console console{std::cout, std::cerr, crashsim::tool::ProgressPrinter::mode_for(STDERR_FILENO)};
  return crashsim::tool::crashsim_main(argc, argv, console);
}
