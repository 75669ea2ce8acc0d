#include "BuildInfo.h"

// Version macros only; nothing of these libraries is called or linked here.
#include <graphviz/graphviz_version.h>
#include <sqlite3.h>
#include <torch/version.h>

namespace mu2net::buildinfo {

const char* version() {
  return MU2NET_VERSION_STRING;
}
const char* torchVersion() {
  return TORCH_VERSION;
}
const char* qtVersion() {
  return MU2NET_QT_VERSION;
}
const char* graphvizVersion() {
  return PACKAGE_VERSION;
}
const char* sqliteVersion() {
  return SQLITE_VERSION;
}

std::string licenceText(std::string_view program) {
  if (program == "mu2net-workbench")
    return "Licence: the μ2Net Workbench sources are MIT-licensed. mu2net-workbench links\n"
           "QCustomPlot (GPL-3.0), so this program as a whole is distributed under the GPL-3.0;\n"
           "it also uses Qt (LGPL-3.0), LibTorch (BSD-3-Clause) and SQLite (public domain).\n"
           "Graph layout runs in the separate program mu2net-layout, which links\n"
           "Graphviz (EPL-1.0): no binary combines GPL-3.0 and EPL-1.0 code.\n";
  if (program == "mu2net-layout")
    return "Licence: the μ2Net Workbench sources are MIT-licensed. mu2net-layout links\n"
           "Graphviz (EPL-1.0), and neither Qt, QCustomPlot nor LibTorch.\n";
  return "Licence: the μ2Net Workbench sources are MIT-licensed. mu2net uses LibTorch\n"
         "(BSD-3-Clause) and SQLite (public domain), and links neither Qt nor Graphviz.\n";
}

std::string cliVersionText() {
  std::string text = std::string("mu2net ") + version() + "\n";
  text += std::string("commit   ") + gitCommit() + "\n";
  text += std::string("LibTorch ") + torchVersion() + "\n";
  text += std::string("SQLite   ") + sqliteVersion() + "\n";
  // mu2net itself links neither; these are the versions its sibling programs were built with.
  text += std::string("Qt       ") + qtVersion() + " (in mu2net-workbench)\n";
  text += std::string("Graphviz ") + graphvizVersion() + " (in mu2net-layout)\n";
  return text + licenceText("mu2net");
}

}  // namespace mu2net::buildinfo
