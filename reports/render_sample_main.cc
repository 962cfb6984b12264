// render_sample_report DIR: writes the report files of
// reports::testing::sample_report() into DIR, for check_rendered.py and for
// looking at report.html in a browser.
#include <cstdio>

#include "reports/report_files.h"
#include "reports/sample_report.h"
#include "vfs/posix_vfs.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const vfs::Status written =
      reports::write_report_files(vfs::default_vfs(), reports::testing::sample_report(), argv[1]);
  if (!written.ok()) {
    std::fprintf(stderr, "render_sample_report: %s\n", written.to_string().c_str());
    return 1;
  }
  return 0;
}
