// crashsim: the crash-testing tool (cli.h lists its subcommands).
#include <unistd.h>

#include <iostream>

#include "crashsim/tool/cli.h"

int main(int argc, char** argv) {
  crashsim::tool::Console console{std::cout, std::cerr, crashsim::tool::ProgressPrinter::mode_for(STDERR_FILENO)};
  return crashsim::tool::crashsim_main(argc, argv, console);
}
