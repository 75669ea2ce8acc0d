#pragma once
// The "Agents" view: which agent evolves each task of a database store (AgentTableModel, one row
// per claimed task), refreshed with every read of a followed store. A directory store (or a
// configuration) has no agents: the table is empty and a one-line note says that agents run only
// on database stores.
#include <QString>
#include <QWidget>
#include <vector>

class QLabel;

namespace mu2net {
struct TaskLease;
}

namespace mu2net::ui {

class AgentTableModel;
class RowTableView;

class AgentsPanel : public QWidget {
  Q_OBJECT
 public:
  explicit AgentsPanel(QWidget* parent = nullptr);

  AgentTableModel* model() const { return model_; }
  RowTableView* table() const { return table_; }
  /// The line above the table: why it is empty, or a summary of the agents' states.
  QString note() const;
  /// True while a database store is shown.
  bool showsDatabaseStore() const { return database_; }

 public Q_SLOTS:
  /// No database store: no rows, and the note says that agents run only on database stores.
  void showNoDatabaseStore();
  /// A database store's leases as just read (ExperimentStore::taskLeases()).
  void showLeases(const std::vector<mu2net::TaskLease>& leases);
  /// A database store this window's own run writes (the one writer): no agent works on it
  /// meanwhile.
  void showRunHere();

 private:
  AgentTableModel* model_;
  RowTableView* table_;
  QLabel* note_;
  bool database_ = false;
};

}  // namespace mu2net::ui
