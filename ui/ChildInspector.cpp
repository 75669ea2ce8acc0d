#include "ChildInspector.h"

#include <QLocale>
#include <map>

namespace mu2net::ui {

namespace {

QString esc(const std::string& s) {
  return QString::fromStdString(s).toHtmlEscaped();
}

QString percent(double q) {
  return QString::number(100.0 * q, 'f', 1) + QLatin1Char('%');
}

// One row per hyperparameter; those that differ from the parent's value (`parent`, else the
// mutations' record of it) in bold colour, with the parent's value beside them and in their
// tooltip.
QString hparamsHtml(const HParams& hparams, const std::vector<Mutation>& mutations,
                    const HParams* parent) {
  std::map<std::string, double> was;
  for (const auto& m : mutations)
    was.emplace(m.name, m.from);
  if (parent) {
    for (const auto& [name, value] : hparams) {
      const auto it = parent->find(name);
      if (it != parent->end() && it->second != value) was[name] = it->second;
    }
  }
  QString h = ChildInspector::tr("<h4>Hyperparameters</h4><table cellspacing='0' cellpadding='2'>");
  for (const auto& [name, value] : hparams) {
    const QString shown = esc(formatHParam(name, value));
    const auto it = was.find(name);
    if (it == was.end()) {
      h += QStringLiteral("<tr><td>%1</td><td>%2</td></tr>").arg(esc(name), shown);
      continue;
    }
    const QString before = ChildInspector::tr("was %1").arg(esc(formatHParam(name, it->second)));
    h += QStringLiteral(
             "<tr><td><b style='color:#c62828' title='%3'>%1</b></td>"
             "<td><b style='color:#c62828' title='%3'>%2</b> <span style='color:gray'>(%3)</span>"
             "</td></tr>")
             .arg(esc(name), shown, before);
  }
  return h + QStringLiteral("</table>");
}

}  // namespace

ChildInspector::ChildInspector(QWidget* parent) : QTextBrowser(parent) {
  setOpenLinks(false);
  showNothing();
}

void ChildInspector::showNothing() {
  setHtml(tr("<p style='color:gray'>Select a child in the list to inspect it.</p>"));
}

void ChildInspector::showChild(const ChildListModel::Record& record) {
  setHtml(html(record, parentHParams(record)));
}

const HParams* ChildInspector::parentHParams(const ChildListModel::Record& record) const {
  if (!children_ || record.started.parentId < 0) return nullptr;
  for (int r = 0; r < children_->rowCount(); ++r) {
    const auto& done = children_->record(r).done;
    if (done && done->pathId == record.started.parentId && done->task == record.started.parentTask)
      return &done->hparams;
  }
  return nullptr;
}

QString ChildInspector::html(const ChildListModel::Record& record, const HParams* parentHParams) {
  const auto& s = record.started;
  const QLocale locale;
  QString h;
  h += tr("<h3>%1 — generation %2, child %3</h3>")
           .arg(esc(s.task))
           .arg(s.generation)
           .arg(s.childIndex + 1);
  QString status = tr("training");
  if (record.done)
    status = record.done->improved
                 ? tr("<b style='color:#2e7d32'>improved</b> (kept, score %1 vs parent %2)")
                       .arg(record.done->score, 0, 'f', 4)
                       .arg(record.done->parentScore, 0, 'f', 4)
                 : tr("not improved (score %1 vs parent %2)")
                       .arg(record.done->score, 0, 'f', 4)
                       .arg(record.done->parentScore, 0, 'f', 4);
  else if (record.discarded)
    status = tr("discarded (the run stopped)");
  h += tr("<p><b>Status:</b> %1<br>").arg(status);
  h += tr("<b>Parent:</b> path %1 of %2<br>").arg(s.parentId).arg(esc(s.parentTask));
  h += tr("<b>Parameters:</b> %1 trainable of %2")
           .arg(locale.toString(static_cast<qlonglong>(s.trainableParams)),
                locale.toString(static_cast<qlonglong>(s.totalParams)));
  if (record.done) {
    h += tr(", %1 accounted").arg(locale.toString(record.done->accountedParams, 'f', 0));
    // Only a child kept in the population (improved) gets a path id.
    const QString pathId =
        record.done->pathId >= 0 ? QString::number(record.done->pathId) : tr("none (not kept)");
    h += tr("<br><b>Path id:</b> %1 · <b>Training time:</b> %2 s")
             .arg(pathId)
             .arg(record.done->seconds, 0, 'f', 1);
  }
  h += QStringLiteral("</p>");

  h += tr("<h4>Mutations</h4>");
  if (s.mutations.empty())
    h += tr("<p>none</p>");
  else {
    h += QStringLiteral("<ul>");
    for (const auto& m : s.mutations)
      h += QStringLiteral("<li>%1</li>").arg(esc(describe(m)));
    h += QStringLiteral("</ul>");
  }

  h +=
      tr("<h4>Layers</h4><table cellspacing='0' cellpadding='2'>"
         "<tr><th align='left'>slot</th><th align='left'>origin</th>"
         "<th align='left'>from component</th></tr>");
  for (const auto& slot : s.slots) {
    const QString kind =
        describeSlotKind(slot.kind) + (slot.reinterpolated ? tr(" (re-interpolated)") : QString());
    h += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td></tr>")
             .arg(esc(slot.slot), kind,
                  slot.sourceComponentId >= 0 ? QString::number(slot.sourceComponentId)
                                              : QStringLiteral("–"));
  }
  h += QStringLiteral("</table>");

  h += hparamsHtml(s.hparams, s.mutations, parentHParams);
  h += tr("<h4>Validation history</h4><p>");
  QStringList history;
  for (double v : record.validations)
    history << percent(v);
  h += history.isEmpty() ? tr("none yet") : history.join(QStringLiteral(" → "));
  h += QStringLiteral("</p>");
  return h;
}

}  // namespace mu2net::ui
