#pragma once
// "Open recent": the configurations and experiment directories opened last (at most 8, newest
// first), kept with QSettings across sessions.
#include <QMenu>
#include <QString>

namespace mu2net::ui {

class RecentExperimentsMenu : public QMenu {
  Q_OBJECT
 public:
  explicit RecentExperimentsMenu(const QString& title, QWidget* parent = nullptr);

  /// Puts `path` first (once).
  void add(const QString& path);

 Q_SIGNALS:
  void openRequested(const QString& path);

 private:
  void rebuild();
};

}  // namespace mu2net::ui
