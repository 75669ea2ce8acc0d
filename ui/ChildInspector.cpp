#include "ChildInspector.h"

#include <QLocale>
#include <map>

#include "Lineage.h"
#include "mu2net/evolution/System.h"

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

// "digits-0-4, generation 3" for the component `id` of `snapshot` ("" when unknown).
QString creatorOf(const GraphSnapshot* snapshot, qint64 id) {
  if (!snapshot || id < 0) return {};
  for (const auto& n : snapshot->nodes)
    if (n.id == id)
      return n.creatorTask == System::kRootTask ? ChildInspector::tr("the root")
                                                : ChildInspector::tr("%1, generation %2")
                                                      .arg(esc(n.creatorTask))
                                                      .arg(n.generation);
  return {};
}

QString layersHtml(const std::vector<SlotOrigin>& slots, const GraphSnapshot* snapshot) {
  QString h = ChildInspector::tr(
      "<h4>Layers</h4><table cellspacing='0' cellpadding='2'>"
      "<tr><th align='left'>slot</th><th align='left'>origin</th>"
      "<th align='left'>from component</th><th align='left'>created by</th></tr>");
  for (const auto& slot : slots) {
    const QString kind =
        describeSlotKind(slot.kind) +
        (slot.reinterpolated ? ChildInspector::tr(" (re-interpolated)") : QString());
    const QString creator = creatorOf(snapshot, slot.sourceComponentId);
    h += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td></tr>")
             .arg(esc(slot.slot), kind,
                  slot.sourceComponentId >= 0 ? QString::number(slot.sourceComponentId)
                                              : QStringLiteral("–"),
                  creator.isEmpty() ? QStringLiteral("–") : creator);
  }
  return h + QStringLiteral("</table>");
}

// One row per ancestor, parent first, with its task (bold when it is another task's than the
// child's) and the mutations it added to its own parent; the root last.
QString ancestorsHtml(const ChildListModel::Record& record, const ChildInspector::Context& c) {
  QString h = ChildInspector::tr("<h4>Ancestors</h4><table cellspacing='0' cellpadding='2'>");
  for (std::size_t i = 0; i < c.ancestors.size(); ++i) {
    const auto& a = c.ancestors[i]->started;
    const QString task =
        a.task == record.started.task ? esc(a.task) : QStringLiteral("<b>%1</b>").arg(esc(a.task));
    const QString path =
        c.ancestors[i]->done ? QString::number(c.ancestors[i]->done->pathId) : QStringLiteral("?");
    const QString added = a.mutations.empty() ? ChildInspector::tr("no mutation")
                                              : describeMutations(a.mutations).toHtmlEscaped();
    h += ChildInspector::tr(
             "<tr><td>%1.</td><td>%2 · gen. %3 · child %4 · path %5</td>"
             "<td style='color:#444'>%6</td></tr>")
             .arg(i + 1)
             .arg(task)
             .arg(a.generation)
             .arg(a.childIndex + 1)
             .arg(path, added);
  }
  const auto& last = c.ancestors.empty() ? record.started : c.ancestors.back()->started;
  const QString end = c.ancestorsReachRoot
                          ? ChildInspector::tr("the root")
                          : ChildInspector::tr("path %1 of %2 (not in the children list)")
                                .arg(last.parentId)
                                .arg(esc(last.parentTask));
  h += QStringLiteral("<tr><td>%1.</td><td colspan='2'><i>%2</i></td></tr>")
           .arg(c.ancestors.size() + 1)
           .arg(end);
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
  setHtml(html(record, context(record)));
}

const HParams* ChildInspector::parentHParams(const ChildListModel::Record& record) const {
  if (!children_ || record.started.parentId < 0) return nullptr;
  const int r = children_->rowOfPath(record.started.parentId);
  if (r < 0) return nullptr;
  const auto& done = children_->record(r).done;
  return done && done->task == record.started.parentTask ? &done->hparams : nullptr;
}

ChildInspector::Context ChildInspector::context(const ChildListModel::Record& record) const {
  Context c;
  c.parentHParams = parentHParams(record);
  c.snapshot = snapshot_;
  const auto& s = record.started;
  const int row = children_ ? children_->rowOf(s.task, s.generation, s.childIndex) : -1;
  if (row < 0) return c;
  c.ancestorsKnown = true;
  bool root = false;
  for (int r = parentRow(*children_, row, &root); r >= 0; r = parentRow(*children_, r, &root))
    c.ancestors.push_back(&children_->record(r));
  c.ancestorsReachRoot = root;
  return c;
}

QString ChildInspector::html(const ChildListModel::Record& record, const HParams* parentHParams) {
  Context c;
  c.parentHParams = parentHParams;
  return html(record, c);
}

QString ChildInspector::html(const ChildListModel::Record& record, const Context& context) {
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

  if (context.ancestorsKnown) h += ancestorsHtml(record, context);
  h += layersHtml(s.slots, context.snapshot);
  h += hparamsHtml(s.hparams, s.mutations, context.parentHParams);
  h += tr("<h4>Validation history</h4><p>");
  QStringList history;
  for (double v : record.validations)
    history << percent(v);
  h += history.isEmpty() ? tr("none yet") : history.join(QStringLiteral(" → "));
  h += QStringLiteral("</p>");
  return h;
}

}  // namespace mu2net::ui
