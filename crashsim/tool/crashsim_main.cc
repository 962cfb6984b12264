// crashsim: the crash-testing tool (cli.h lists its subcommands).
#include <unistd.h>

#include <exception>
#include <iostream>

#include "crashsim/tool/cli.h"
#include "crashsim/tool/exit_code.h"

int main(int argc, char** argv) {
  // Every subcommand reports its errors as a Status; this catches what
  // nothing expected (running out of memory), so that the tool still ends
  // with a message and its error exit code instead of an abort.
  try {
    crashsim::tool::Console console{std::cout, std::cerr, crashsim::tool::ProgressPrinter::mode_for(STDERR_FILENO)};
    return crashsim::tool::crashsim_main(argc, argv, console);
  } catch (const std::exception& e) {
    std::cerr << "crashsim: " << e.what() << "\n";
    return crashsim::tool::kExitUsage;
  }
}
