#pragma once
// What each program of μ2Net Workbench says about its own build: `--version` of mu2net,
// mu2net-workbench and mu2net-layout, and the workbench's About dialog. Everything here is fixed
// when the program is built; the programs add what only they can know at run time (the Qt a
// workbench really loaded, the Graphviz the layout helper really linked).
#include <string>
#include <string_view>

namespace mu2net::buildinfo {

/// The project version, e.g. "0.1.0" (CMake's PROJECT_VERSION, the same as MU2NET_VERSION).
const char* version();
/// The full SHA-1 of the git commit the program was built from, with "-dirty" appended when
/// tracked files had uncommitted changes; "unknown" when it was built outside a git checkout.
/// Computed on every build (see GitCommit.cmake), so it stays current without re-running cmake.
const char* gitCommit();

// Versions of the libraries as their headers stated them at build time.
const char* torchVersion();     ///< TORCH_VERSION of <torch/version.h>, e.g. "1.13.0"
const char* qtVersion();        ///< Qt 6 as found by CMake, e.g. "6.4.2"
const char* graphvizVersion();  ///< PACKAGE_VERSION of <graphviz/graphviz_version.h>
const char* sqliteVersion();    ///< SQLITE_VERSION of <sqlite3.h>, e.g. "3.40.1"

/// The licence paragraph of one program ("mu2net", "mu2net-workbench" or "mu2net-layout"): the
/// project's own sources are MIT; the workbench links QCustomPlot (GPL-3.0), which makes that
/// program as a whole GPL-3.0; the layout helper links Graphviz (EPL-1.0). Short lines, each
/// ending in '\n'.
std::string licenceText(std::string_view program);

/// The `--version` text of mu2net ("mu2net 0.1.0" on the first line, as help2man expects, then
/// the commit, LibTorch, SQLite, Qt and Graphviz versions and the licences). The other programs
/// compose theirs from the functions above and what they know at run time.
std::string cliVersionText();

}  // namespace mu2net::buildinfo
