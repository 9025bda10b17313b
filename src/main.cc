#include "cli/cli.h"
#include "core/memory.h"

int main(int argc, char** argv) {
  gauntlet::core::PreferHugePages();
  return gauntlet::cli::Main(argc, argv);
}
