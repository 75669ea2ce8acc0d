#pragma once
// Help ▸ About: the workbench's version, the git commit it was built from, the versions of
// LibTorch, Qt, Graphviz and SQLite, and the licences (the project's MIT; QCustomPlot's GPL-3.0,
// which the workbench links; Graphviz's EPL-1.0, which only the layout helper links).
//
// The Graphviz version is the one the mu2net-layout helper really runs with: the dialog asks the
// helper (`mu2net-layout --version`, found like GraphLayoutProcess finds it) without blocking the
// window, and shows "asking mu2net-layout…" until it answers, or why it could not.
#include <QDialog>
#include <QString>

class QLabel;
class QProcess;

namespace mu2net::ui {

class AboutDialog : public QDialog {
  Q_OBJECT
 public:
  explicit AboutDialog(QWidget* parent = nullptr);
  ~AboutDialog() override;

  /// What the dialog shows, as plain text (the Copy button puts it on the clipboard).
  QString text() const { return versionText(graphviz_); }
  /// True once the helper answered or failed (the Graphviz line is final).
  bool graphvizKnown() const { return graphvizKnown_; }

  /// The version text of mu2net-workbench: first line "mu2net-workbench VERSION", then the
  /// commit, the Qt this process runs with (and the one it was built with), LibTorch, SQLite,
  /// `graphviz` and the licences. `mu2net-workbench --version` prints it with the Graphviz
  /// version the helper was built with; needs no QApplication.
  static QString versionText(const QString& graphviz);

 Q_SIGNALS:
  /// The Graphviz line became final (see graphvizKnown()).
  void graphvizVersionKnown();

 private:
  void askLayoutHelper();
  void setGraphviz(const QString& text, bool final);

  QLabel* label_;
  QProcess* helper_ = nullptr;
  QString graphviz_;
  bool graphvizKnown_ = false;
};

}  // namespace mu2net::ui
