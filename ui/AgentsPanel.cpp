#include "AgentsPanel.h"

#include <QHeaderView>
#include <QLabel>
#include <QStringList>
#include <QTime>
#include <QVBoxLayout>
#include <map>

#include "AgentTableModel.h"
#include "RowTableView.h"
#include "mu2net/store/ExperimentStore.h"

namespace mu2net::ui {

AgentsPanel::AgentsPanel(QWidget* parent)
    : QWidget(parent),
      model_(new AgentTableModel(this)),
      table_(new RowTableView(this)),
      note_(new QLabel(this)) {
  table_->setObjectName(QStringLiteral("agentsTable"));
  note_->setObjectName(QStringLiteral("agentsNote"));
  note_->setWordWrap(true);
  note_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  note_->setContentsMargins(4, 2, 4, 2);
  table_->setSourceModel(model_, AgentTableModel::RawValueRole);
  QHeaderView* header = table_->horizontalHeader();
  header->setMinimumSectionSize(36);
  header->setSectionResizeMode(QHeaderView::ResizeToContents);
  header->setSectionResizeMode(AgentTableModel::Message, QHeaderView::Stretch);
  table_->setTextElideMode(Qt::ElideMiddle);
  // A tab beside the event log: no taller at least than the log, so that the window still fits a
  // small screen.
  table_->setMinimumHeight(40);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  layout->addWidget(note_);
  layout->addWidget(table_, 1);
  showNoDatabaseStore();
}

QString AgentsPanel::note() const {
  return note_->text();
}

void AgentsPanel::showNoDatabaseStore() {
  database_ = false;
  model_->clear();
  note_->setText(tr("Agents run only on database stores."));
  table_->setEnabled(false);
}

void AgentsPanel::showRunHere() {
  database_ = true;
  model_->clear();
  note_->setText(
      tr("This window runs the experiment on the database store itself: no agent "
         "works on it meanwhile."));
  table_->setEnabled(false);
}

// The note sums the states up ("2 running · 1 lost") and says when the store was read: the
// heartbeats are as old as that read.
void AgentsPanel::showLeases(const std::vector<TaskLease>& leases) {
  database_ = true;
  model_->setLeases(leases);
  table_->setEnabled(true);
  if (leases.empty()) {
    note_->setText(
        tr("No agent has claimed a task of this database store yet (mu2net agents "
           "--store URL …)."));
    return;
  }
  std::map<QString, int> states;
  for (int r = 0; r < model_->rowCount(); ++r)
    ++states[model_->row(r).state];
  QStringList parts;
  for (const auto& [state, count] : states)
    parts << QStringLiteral("%1 %2").arg(count).arg(state);
  note_->setText(
      tr("%n task(s) claimed by agents: %1 — read at %2", nullptr, static_cast<int>(leases.size()))
          .arg(parts.join(QStringLiteral(" · ")),
               QTime::currentTime().toString(QStringLiteral("HH:mm:ss"))));
}

}  // namespace mu2net::ui
