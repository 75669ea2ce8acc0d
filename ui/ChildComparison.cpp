#include "ChildComparison.h"

#include <QLocale>
#include <QObject>
#include <QStringList>
#include <algorithm>
#include <map>

#include "mu2net/evolution/System.h"

namespace mu2net::ui {

namespace {

using Record = ChildListModel::Record;
using Section = ComparisonRow::Section;

QString q(const std::string& s) {
  return QString::fromStdString(s);
}

QString tr(const char* text) {
  return QObject::tr(text);
}

QString count(double n) {
  return QLocale().toString(n, 'f', 0);
}

QString percent(double v) {
  return QString::number(100.0 * v, 'f', 1) + QLatin1Char('%');
}

// The slots of a child: with their component ids once it finished.
const std::vector<SlotOrigin>& slotsOf(const Record& r) {
  return r.done ? r.done->slots : r.started.slots;
}

double bestValidation(const Record& r) {
  if (r.done) return r.done->quality;
  return r.validations.empty() ? -1 : *std::max_element(r.validations.begin(), r.validations.end());
}

QString statusOf(const Record& r) {
  if (r.done) return r.done->improved ? tr("improved") : tr("not improved");
  return r.discarded ? tr("discarded") : tr("training");
}

// A value only a finished child has ("–" before).
QString whenDone(const Record& r, QString (*value)(const ChildFinishedEvent&)) {
  return r.done ? value(*r.done) : QStringLiteral("–");
}

QString history(const Record& r) {
  QStringList parts;
  for (double v : r.validations)
    parts << percent(v);
  return parts.isEmpty() ? QStringLiteral("–") : parts.join(QStringLiteral(" → "));
}

class RowBuilder {
 public:
  void add(Section section, const QString& field, const QString& left, const QString& right) {
    rows.push_back({section, field, left, right, left != right, false, {}});
  }
  std::vector<ComparisonRow> rows;
};

void addIdentity(RowBuilder& b, const Record& l, const Record& r) {
  const auto parent = [](const Record& x) {
    return x.started.parentTask == System::kRootTask
               ? tr("the root (path %1)").arg(x.started.parentId)
               : tr("%1 #%2").arg(q(x.started.parentTask)).arg(x.started.parentId);
  };
  const auto pathId = [](const Record& x) {
    if (!x.done) return QStringLiteral("–");
    return x.done->pathId >= 0 ? QString::number(x.done->pathId) : tr("none (not kept)");
  };
  b.add(Section::Child, tr("task"), q(l.started.task), q(r.started.task));
  b.add(Section::Child, tr("generation"), QString::number(l.started.generation),
        QString::number(r.started.generation));
  b.add(Section::Child, tr("child"), QString::number(l.started.childIndex + 1),
        QString::number(r.started.childIndex + 1));
  b.add(Section::Child, tr("path id"), pathId(l), pathId(r));
  b.add(Section::Child, tr("parent"), parent(l), parent(r));
  b.add(Section::Child, tr("status"), statusOf(l), statusOf(r));
}

void addScores(RowBuilder& b, const Record& l, const Record& r) {
  const auto best = [](const Record& x) {
    const double v = bestValidation(x);
    return v >= 0 ? percent(v) : QStringLiteral("–");
  };
  b.add(Section::Score, tr("validation accuracy"), best(l), best(r));
  const auto score = [](const ChildFinishedEvent& d) { return QString::number(d.score, 'f', 4); };
  const auto parentScore = [](const ChildFinishedEvent& d) {
    return QString::number(d.parentScore, 'f', 4);
  };
  b.add(Section::Score, tr("score"), whenDone(l, score), whenDone(r, score));
  b.add(Section::Score, tr("parent's score"), whenDone(l, parentScore), whenDone(r, parentScore));
}

void addSizes(RowBuilder& b, const Record& l, const Record& r) {
  b.add(Section::Parameters, tr("trainable"), count(double(l.started.trainableParams)),
        count(double(r.started.trainableParams)));
  b.add(Section::Parameters, tr("total"), count(double(l.started.totalParams)),
        count(double(r.started.totalParams)));
  const auto accounted = [](const ChildFinishedEvent& d) { return count(d.accountedParams); };
  b.add(Section::Parameters, tr("accounted"), whenDone(l, accounted), whenDone(r, accounted));
}

void addTraining(RowBuilder& b, const Record& l, const Record& r) {
  const auto seconds = [](const ChildFinishedEvent& d) {
    return QString::number(d.seconds, 'f', 1) + QStringLiteral(" s");
  };
  b.add(Section::Training, tr("training time"), whenDone(l, seconds), whenDone(r, seconds));
  b.add(Section::Training, tr("validation history"), history(l), history(r));
  b.add(Section::Training, tr("mutations"), describeMutations(l.started.mutations),
        describeMutations(r.started.mutations));
}

// Every hyperparameter of either child; with `child` and its `parent` known, the rows its
// mutations changed are marked, and the other differences are the generation's data.
void addHParams(RowBuilder& b, const Record& l, const Record& r, const Record* child) {
  std::map<std::string, std::pair<QString, QString>> values;
  for (const auto& [name, v] : l.started.hparams)
    values[name].first = q(formatHParam(name, v));
  for (const auto& [name, v] : r.started.hparams)
    values[name].second = q(formatHParam(name, v));
  std::map<std::string, const Mutation*> mutated;
  if (child)
    for (const auto& m : child->started.mutations)
      mutated[m.name] = &m;
  for (const auto& [name, lr] : values) {
    b.add(Section::Hyperparameters, q(name), lr.first.isEmpty() ? QStringLiteral("–") : lr.first,
          lr.second.isEmpty() ? QStringLiteral("–") : lr.second);
    ComparisonRow& row = b.rows.back();
    if (const auto it = mutated.find(name); it != mutated.end()) {
      row.mutated = true;
      row.note =
          tr("mutation %1 → %2")
              .arg(q(formatHParam(name, it->second->from)), q(formatHParam(name, it->second->to)));
    } else if (child && row.differs && name.rfind("ds_", 0) == 0) {
      row.note = tr("the generation's data");
    }
  }
}

void addLayers(RowBuilder& b, const Record& l, const Record& r) {
  std::vector<std::string> order;
  std::map<std::string, std::pair<QString, QString>> slots;
  const auto collect = [&](const Record& x, QString std::pair<QString, QString>::*side) {
    for (const auto& s : slotsOf(x)) {
      if (!slots.count(s.slot)) order.push_back(s.slot);
      slots[s.slot].*side = ChildComparison::slotText(s);
    }
  };
  collect(l, &std::pair<QString, QString>::first);
  collect(r, &std::pair<QString, QString>::second);
  for (const auto& name : order) {
    const auto& [left, right] = slots[name];
    b.add(Section::Layers, q(name), left.isEmpty() ? QStringLiteral("–") : left,
          right.isEmpty() ? QStringLiteral("–") : right);
  }
}

}  // namespace

std::vector<ComparisonRow> ChildComparison::rows(const Record& left, const Record& right) {
  RowBuilder b;
  addIdentity(b, left, right);
  addScores(b, left, right);
  addSizes(b, left, right);
  addTraining(b, left, right);
  const Record* child = isParentOf(left, right)   ? &right
                        : isParentOf(right, left) ? &left
                                                  : nullptr;
  addHParams(b, left, right, child);
  addLayers(b, left, right);
  return std::move(b.rows);
}

QString ChildComparison::sectionName(Section section) {
  switch (section) {
    case Section::Child:
      return tr("Child");
    case Section::Score:
      return tr("Score");
    case Section::Parameters:
      return tr("Parameters");
    case Section::Training:
      return tr("Training");
    case Section::Hyperparameters:
      return tr("Hyperparameters");
    case Section::Layers:
      return tr("Layers");
  }
  return {};
}

QString ChildComparison::slotText(const SlotOrigin& slot) {
  const QString id =
      slot.componentId >= 0 ? QStringLiteral(" #%1").arg(slot.componentId) : tr(" (not kept)");
  QString text = describeSlotKind(slot.kind);
  if (slot.kind == SlotOrigin::Kind::Shared)
    return text + QStringLiteral(" #%1").arg(slot.sourceComponentId);
  text += id;
  if (slot.kind == SlotOrigin::Kind::Cloned)
    text += tr(" from #%1").arg(slot.sourceComponentId) +
            (slot.reinterpolated ? tr(" (re-interpolated)") : QString());
  return text;
}

QString ChildComparison::childName(const Record& record) {
  return tr("%1, generation %2, child %3")
      .arg(q(record.started.task))
      .arg(record.started.generation)
      .arg(record.started.childIndex + 1);
}

bool ChildComparison::isParentOf(const Record& parent, const Record& child) {
  return parent.done && parent.done->pathId >= 0 && parent.done->pathId == child.started.parentId &&
         parent.started.task == child.started.parentTask;
}

int ChildComparison::parentRow(const ChildListModel& model, const Record& child, QString* why) {
  if (child.started.parentTask == System::kRootTask) {
    if (why)
      *why = tr("The parent of %1 is the root model (path %2): it was not trained in this "
                "experiment, so there is no child to compare it with.")
                 .arg(childName(child))
                 .arg(child.started.parentId);
    return -1;
  }
  for (int row = 0; row < model.rowCount(); ++row)
    if (isParentOf(model.record(row), child)) return row;
  if (why)
    *why = tr("The parent of %1 (path %2 of %3) is not among the children listed.")
               .arg(childName(child))
               .arg(child.started.parentId)
               .arg(q(child.started.parentTask));
  return -1;
}

}  // namespace mu2net::ui
