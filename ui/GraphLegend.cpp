#include "GraphLegend.h"

#include <QPainter>
#include <QPixmap>
#include <QScrollBar>
#include <algorithm>

namespace mu2net::ui {

namespace {

constexpr int kSwatch = 12;
constexpr int kMinWidth = 90;
constexpr int kMaxWidth = 220;

QIcon swatch(const QColor& colour) {
  QPixmap pixmap(kSwatch, kSwatch);
  pixmap.fill(Qt::transparent);
  QPainter painter(&pixmap);
  painter.setPen(colour.darker(140));
  painter.setBrush(colour);
  painter.drawRect(0, 0, kSwatch - 1, kSwatch - 1);
  return QIcon(pixmap);
}

}  // namespace

GraphLegend::GraphLegend(QWidget* parent) : QListWidget(parent) {
  setObjectName(QStringLiteral("graphLegend"));
  setIconSize(QSize(kSwatch, kSwatch));
  setSelectionMode(QAbstractItemView::NoSelection);
  setFocusPolicy(Qt::NoFocus);
  setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  setTextElideMode(Qt::ElideRight);
  setFrameShape(QFrame::NoFrame);
  setStyleSheet(
      QStringLiteral("QListWidget { background: #f7f7f7; border-left: 1px solid #ccc; }"));
  connect(this, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) {
    const QString task = item->data(TaskRole).toString();
    if (!task.isEmpty()) Q_EMIT taskClicked(task);
  });
}

void GraphLegend::setEntries(const QVector<Entry>& entries, const QString& note) {
  clear();
  for (const auto& e : entries) {
    const QString text = e.detail.isEmpty() ? e.task : e.task + QStringLiteral("  ") + e.detail;
    auto* item = new QListWidgetItem(swatch(e.colour), text, this);
    item->setData(TaskRole, e.task);
    item->setData(ColourRole, e.colour);
    item->setToolTip(tr("%1: route and boxes in %2").arg(text, e.colour.name()));
  }
  if (!note.isEmpty()) {
    auto* item = new QListWidgetItem(note, this);
    item->setFlags(Qt::ItemIsEnabled);
    item->setForeground(QColor(0x66, 0x66, 0x66));
    item->setToolTip(note);
    QFont italic = font();
    italic.setItalic(true);
    item->setFont(italic);
  }
}

int GraphLegend::taskCount() const {
  int n = 0;
  for (int i = 0; i < count(); ++i)
    if (!item(i)->data(TaskRole).toString().isEmpty()) ++n;
  return n;
}

int GraphLegend::preferredWidth() const {
  int widest = 0;
  const QFontMetrics metrics(font());
  for (int i = 0; i < count(); ++i)
    if (!item(i)->data(TaskRole).toString().isEmpty())
      widest = std::max(widest, metrics.horizontalAdvance(item(i)->text()));
  const int chrome = kSwatch + 16 + verticalScrollBar()->sizeHint().width();
  return std::clamp(widest + chrome, kMinWidth, kMaxWidth);
}

}  // namespace mu2net::ui
