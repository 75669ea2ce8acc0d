#include "RecentExperimentsMenu.h"

#include <QAction>
#include <QSettings>
#include <QStringList>

namespace mu2net::ui {

namespace {

constexpr int kMaxRecent = 8;
const QString kRecentKey = QStringLiteral("recentExperiments");

}  // namespace

RecentExperimentsMenu::RecentExperimentsMenu(const QString& title, QWidget* parent)
    : QMenu(title, parent) {
  rebuild();
}

void RecentExperimentsMenu::add(const QString& path) {
  QSettings settings;
  QStringList recent = settings.value(kRecentKey).toStringList();
  recent.removeAll(path);
  recent.prepend(path);
  while (recent.size() > kMaxRecent)
    recent.removeLast();
  settings.setValue(kRecentKey, recent);
  rebuild();
}

void RecentExperimentsMenu::rebuild() {
  clear();
  for (const QString& path : QSettings().value(kRecentKey).toStringList()) {
    QAction* a = addAction(path);
    connect(a, &QAction::triggered, this, [this, path] { Q_EMIT openRequested(path); });
  }
}

}  // namespace mu2net::ui
