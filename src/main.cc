#include "cli/cli.h"

int main(int argc, char** argv) { return gauntlet::cli::Main(argc, argv); }
