#pragma once
// Short human-readable renderings of the numbers the workbench shows. Pure functions.
#include <QString>

namespace mu2net::ui {

/// A count with an SI suffix and three significant digits: 812, 12.3k, 1.25M, 2.00G.
QString formatCount(double count);
/// A duration in seconds as "42 s", "3 min 05 s" or "2 h 07 min".
QString formatDuration(double seconds);

}  // namespace mu2net::ui
