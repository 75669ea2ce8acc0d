#include "AboutDialog.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QTimer>
#include <QVBoxLayout>
#include <utility>

#include "BuildInfo.h"
#include "GraphLayoutProcess.h"

namespace mu2net::ui {
namespace {

// The helper answers --version at once; this only bounds a helper that hangs.
constexpr int kHelperTimeoutMs = 10000;

QList<std::pair<QString, QString>> versionRows(const QString& graphviz) {
  QString qt = QString::fromLatin1(qVersion());
  if (qt != QLatin1String(buildinfo::qtVersion()))
    qt += QStringLiteral(" (built with %1)").arg(QLatin1String(buildinfo::qtVersion()));
  return {{QStringLiteral("Commit"), QString::fromLatin1(buildinfo::gitCommit())},
          {QStringLiteral("LibTorch"), QString::fromLatin1(buildinfo::torchVersion())},
          {QStringLiteral("Qt"), qt},
          {QStringLiteral("Graphviz"), graphviz},
          {QStringLiteral("SQLite"), QString::fromLatin1(buildinfo::sqliteVersion())}};
}

QString licence() {
  return QString::fromUtf8(buildinfo::licenceText("mu2net-workbench"));
}

}  // namespace

QString AboutDialog::versionText(const QString& graphviz) {
  QString text = QStringLiteral("mu2net-workbench %1\n").arg(QLatin1String(buildinfo::version()));
  for (const auto& [name, value] : versionRows(graphviz))
    text += name.leftJustified(9) + value + QLatin1Char('\n');
  return text + licence();
}

AboutDialog::AboutDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("About μ2Net Workbench"));
  auto* icon = new QLabel(this);
  const QIcon appIcon = QApplication::windowIcon();
  if (!appIcon.isNull()) icon->setPixmap(appIcon.pixmap(64, 64));
  icon->setAlignment(Qt::AlignTop);
  label_ = new QLabel(this);
  label_->setObjectName(QStringLiteral("aboutText"));
  label_->setTextFormat(Qt::RichText);
  label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  label_->setWordWrap(true);
  label_->setMinimumWidth(520);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  QPushButton* copy = buttons->addButton(tr("&Copy"), QDialogButtonBox::ActionRole);
  connect(copy, &QPushButton::clicked, this,
          [this] { QApplication::clipboard()->setText(text()); });
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

  auto* top = new QHBoxLayout;
  top->addWidget(icon);
  top->addWidget(label_, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(buttons);
  askLayoutHelper();
}

AboutDialog::~AboutDialog() {
  if (helper_ && helper_->state() != QProcess::NotRunning) {
    helper_->disconnect(this);
    helper_->kill();
    helper_->waitForFinished(1000);
  }
}

void AboutDialog::askLayoutHelper() {
  const QString program = GraphLayoutProcess::defaultProgram();
  helper_ = new QProcess(this);
  connect(helper_, &QProcess::finished, this,
          [this, program](int code, QProcess::ExitStatus status) {
            static const QRegularExpression line(QStringLiteral("^Graphviz +(\\S+)"),
                                                 QRegularExpression::MultilineOption);
            const auto match = line.match(QString::fromUtf8(helper_->readAllStandardOutput()));
            if (status == QProcess::NormalExit && code == 0 && match.hasMatch())
              setGraphviz(tr("%1 (in %2)").arg(match.captured(1), program), true);
            else
              setGraphviz(tr("unknown: the layout helper %1 did not tell its version").arg(program),
                          true);
          });
  connect(helper_, &QProcess::errorOccurred, this, [this, program](QProcess::ProcessError error) {
    if (error == QProcess::FailedToStart)
      setGraphviz(tr("unknown: the layout helper %1 could not be started (%2)")
                      .arg(program, helper_->errorString()),
                  true);
  });
  QTimer::singleShot(kHelperTimeoutMs, helper_, [this] {
    if (helper_->state() != QProcess::NotRunning) helper_->kill();
  });
  setGraphviz(tr("asking mu2net-layout…"), false);
  helper_->start(program, {QStringLiteral("--version")});
}

void AboutDialog::setGraphviz(const QString& text, bool final) {
  graphviz_ = text;
  graphvizKnown_ = final;
  QString html = QStringLiteral("<h3>μ2Net Workbench %1</h3>").arg(buildinfo::version());
  html +=
      tr("<p>Grows a μ2Net multitask system (Gesmundo and Dean, 2022) on an ordinary "
         "computer and shows it growing live.</p>");
  html += QStringLiteral("<table cellspacing=\"2\">");
  for (const auto& [name, value] : versionRows(graphviz_))
    html += QStringLiteral("<tr><td><b>%1</b>&nbsp;&nbsp;</td><td>%2</td></tr>")
                .arg(name.toHtmlEscaped(), value.toHtmlEscaped());
  html += QStringLiteral("</table><p>%1</p>").arg(licence().simplified().toHtmlEscaped());
  label_->setText(html);
  if (final) Q_EMIT graphvizVersionKnown();
}

}  // namespace mu2net::ui
