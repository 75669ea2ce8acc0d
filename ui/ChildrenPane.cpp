#include "ChildrenPane.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include "ChildPanel.h"
#include "Selection.h"

namespace mu2net::ui {

ChildrenPane::ChildrenPane(ChildPanel* children, Selection* selection, QWidget* parent)
    : QWidget(parent), bar_(new QWidget(this)), text_(new QLabel(bar_)) {
  auto* showAll = new QPushButton(tr("Show all tasks"), bar_);
  showAll->setObjectName(QStringLiteral("showAllTasks"));
  showAll->setToolTip(tr("List the children of every task (clears the selected task)"));
  connect(showAll, &QPushButton::clicked, selection, [selection] { selection->setTask({}); });
  text_->setTextFormat(Qt::RichText);
  bar_->setStyleSheet(QStringLiteral("background: #fff3cd;"));
  auto* barLayout = new QHBoxLayout(bar_);
  barLayout->setContentsMargins(6, 2, 6, 2);
  barLayout->addWidget(text_, 1);
  barLayout->addWidget(showAll);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  layout->addWidget(bar_);
  layout->addWidget(children, 1);
  connect(selection, &Selection::taskChanged, this, &ChildrenPane::showTask);
  showTask(selection->task());
}

void ChildrenPane::showTask(const QString& task) {
  text_->setText(tr("Children of <b>%1</b> only").arg(task.toHtmlEscaped()));
  bar_->setVisible(!task.isEmpty());
}

}  // namespace mu2net::ui
