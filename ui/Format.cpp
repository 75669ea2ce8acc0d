#include "Format.h"

#include <cmath>

namespace mu2net::ui {

QString formatCount(double count) {
  const double a = std::abs(count);
  auto scaled = [&](double unit, const char* suffix) {
    const double v = count / unit;
    const int decimals = std::abs(v) >= 100 ? 0 : std::abs(v) >= 10 ? 1 : 2;
    return QString::number(v, 'f', decimals) + QLatin1String(suffix);
  };
  if (a >= 1e9) return scaled(1e9, "G");
  if (a >= 1e6) return scaled(1e6, "M");
  if (a >= 1e3) return scaled(1e3, "k");
  return QString::number(std::llround(count));
}

QString formatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return QStringLiteral("–");
  const auto s = static_cast<long long>(std::llround(seconds));
  if (s < 60) return QStringLiteral("%1 s").arg(s);
  if (s < 3600)
    return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
  return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
}

}  // namespace mu2net::ui
