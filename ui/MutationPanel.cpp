#include "MutationPanel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "CurvePlots.h"
#include "QCustomPlotInclude.h"
#include "mu2net/evolution/GraphDot.h"
#include "mu2net/evolution/SearchSpace.h"

namespace mu2net::ui {

namespace {

constexpr int kRefreshMs = 500;

QString q(const std::string& s) {
  return QString::fromStdString(s);
}

QString signedNumber(double v) {
  return (v >= 0 ? QStringLiteral("+") : QString()) + QString::number(v, 'f', 4);
}

QStandardItem* cell(const QString& text, const QVariant& raw) {
  auto* item = new QStandardItem(text);
  item->setData(raw, MutationPanel::RawValueRole);
  item->setEditable(false);
  if (raw.typeId() != QMetaType::QString) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
  return item;
}

QString explanation(const MutationStat& s) {
  switch (s.kind) {
    case MutationStat::Kind::All:
      return QObject::tr("Every finished child");
    case MutationStat::Kind::NoMutation:
      return QObject::tr("Children whose hyperparameters are their parent's (data aside)");
    case MutationStat::Kind::HParam:
      return QObject::tr("Children whose mutations changed %1").arg(q(s.hparam));
    case MutationStat::Kind::Sharing:
      return QObject::tr("Children that share (freeze) at least one inherited layer, or none");
    case MutationStat::Kind::Layer:
      return QObject::tr("Children whose %1 is %2").arg(q(s.slot), describeSlotKind(s.slotKind));
  }
  return {};
}

// The bar series: one colour per kind of row; layers by their origin.
enum Series { General, Cloned, Shared, New, SeriesCount };

Series seriesOf(const MutationStat& s) {
  if (s.kind != MutationStat::Kind::Layer) return General;
  switch (s.slotKind) {
    case SlotOrigin::Kind::Cloned:
      return Cloned;
    case SlotOrigin::Kind::Shared:
      return Shared;
    case SlotOrigin::Kind::New:
      return New;
  }
  return General;
}

QCPTextElement* titleOf(QCustomPlot* plot) {
  return qobject_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0));
}

// A numeric hyperparameter's axis: logarithmic when its values span a decade or more; a few
// distinct values (a search space's list) are each ticked and named as the inspector shows them.
void setNumericAxis(QCPAxis* axis, const std::string& name, const std::vector<ScorePoint>& points,
                    double lo, double hi) {
  const bool log = lo > 0 && hi / lo >= 10;
  axis->setScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
  std::set<double> distinct;
  for (const auto& p : points)
    distinct.insert(p.value);
  if (distinct.size() <= 12) {
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (double v : distinct)
      ticker->addTick(v, q(formatHParam(name, v)));
    axis->setTicker(ticker);
  } else if (log) {
    axis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
  } else {
    axis->setTicker(QSharedPointer<QCPAxisTicker>::create());
  }
  if (log) return axis->setRange(lo / 1.5, hi * 1.5);
  const double pad = hi > lo ? (hi - lo) * 0.08 : std::max(std::abs(hi) * 0.1, 0.5);
  axis->setRange(lo - pad, hi + pad);
}

}  // namespace

MutationPanel::MutationPanel(QWidget* parent)
    : QWidget(parent),
      taskSelector_(new QComboBox(this)),
      barMetric_(new QComboBox(this)),
      hparamSelector_(new QComboBox(this)),
      colourBy_(new QComboBox(this)),
      model_(new QStandardItemModel(0, ColumnCount, this)),
      table_(new QTableView(this)),
      bars_(makeCurvePlot(this, tr("Which changes led to improved children"), QString(),
                          tr("improved (%)"))),
      scatter_(makeCurvePlot(this, QString(), QString(), tr("score"))),
      refreshTimer_(new QTimer(this)) {
  setObjectName(QStringLiteral("mutationPanel"));
  taskSelector_->setObjectName(QStringLiteral("mutationTaskSelector"));
  hparamSelector_->setObjectName(QStringLiteral("scatterHParamSelector"));
  taskSelector_->addItem(tr("All tasks"));
  taskSelector_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  barMetric_->addItems({tr("improved rate"), tr("mean score change")});
  colourBy_->addItems({tr("task"), tr("improved")});
  model_->setHorizontalHeaderLabels({tr("Change"), tr("Children"), tr("Improved"), tr("Rate"),
                                     tr("With Δ"), tr("Mean Δscore"), tr("Median Δscore")});
  auto* proxy = new QSortFilterProxyModel(this);
  proxy->setSourceModel(model_);
  proxy->setSortRole(RawValueRole);
  table_->setModel(proxy);
  table_->setSortingEnabled(true);
  table_->sortByColumn(-1, Qt::AscendingOrder);  // mutationStats' order until a header is clicked
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->verticalHeader()->hide();
  table_->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
  table_->setWordWrap(false);
  table_->horizontalHeader()->setStretchLastSection(true);
  const std::pair<int, int> widths[] = {{What, 165},      {Children, 62},  {Improved, 66},
                                        {Rate, 58},       {WithDelta, 50}, {MeanDelta, 84},
                                        {MedianDelta, 84}};
  for (const auto& [column, w] : widths)
    table_->setColumnWidth(column, w);
  model_->horizontalHeaderItem(WithDelta)->setToolTip(
      tr("Children whose parent is a model of the same task: the score change "
         "(score − parent's score) is counted for them only"));
  bars_->setMinimumHeight(220);
  scatter_->setMinimumHeight(220);

  auto* controls = new QHBoxLayout;
  controls->addWidget(new QLabel(tr("Task:"), this));
  controls->addWidget(taskSelector_);
  controls->addSpacing(16);
  controls->addWidget(new QLabel(tr("Bars:"), this));
  controls->addWidget(barMetric_);
  controls->addSpacing(16);
  controls->addWidget(new QLabel(tr("Scatter: score against"), this));
  controls->addWidget(hparamSelector_);
  controls->addWidget(new QLabel(tr("colour by"), this));
  controls->addWidget(colourBy_);
  controls->addStretch(1);
  auto* top = new QSplitter(Qt::Horizontal, this);
  top->addWidget(table_);
  top->addWidget(bars_);
  top->setStretchFactor(0, 1);
  top->setStretchFactor(1, 1);
  top->setSizes({620, 600});
  auto* all = new QSplitter(Qt::Vertical, this);
  all->addWidget(top);
  all->addWidget(scatter_);
  // The panel scrolls rather than keep the window larger than a small screen.
  auto* content = new QWidget;
  auto* layout = new QVBoxLayout(content);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addLayout(controls);
  layout->addWidget(all, 1);
  auto* scroll = new QScrollArea(this);
  scroll->setWidget(content);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  outer->addWidget(scroll);

  refreshTimer_->setSingleShot(true);
  connect(refreshTimer_, &QTimer::timeout, this, &MutationPanel::refresh);
  connect(taskSelector_, &QComboBox::currentIndexChanged, this, &MutationPanel::refresh);
  connect(barMetric_, &QComboBox::currentIndexChanged, this, &MutationPanel::fillBars);
  connect(hparamSelector_, &QComboBox::currentIndexChanged, this, &MutationPanel::fillScatter);
  connect(colourBy_, &QComboBox::currentIndexChanged, this, &MutationPanel::fillScatter);
  refresh();
}

void MutationPanel::watch(const ChildListModel* children) {
  children_ = children;
  connect(children, &QAbstractItemModel::rowsInserted, this, &MutationPanel::scheduleRefresh);
  connect(children, &QAbstractItemModel::dataChanged, this, &MutationPanel::scheduleRefresh);
  connect(children, &QAbstractItemModel::modelReset, this, &MutationPanel::refresh);
  refresh();
}

QString MutationPanel::task() const {
  return taskSelector_->currentIndex() > 0 ? taskSelector_->currentText() : QString();
}

std::string MutationPanel::taskFilter() const {
  return task().toStdString();
}

QString MutationPanel::scatterHParam() const {
  return hparamSelector_->currentText();
}

void MutationPanel::setTask(const QString& task) {
  const int i = taskSelector_->findText(task);
  taskSelector_->setCurrentIndex(std::max(0, i));
}

void MutationPanel::setScatterHParam(const QString& name) {
  const int i = hparamSelector_->findText(name);
  if (i >= 0) hparamSelector_->setCurrentIndex(i);
}

void MutationPanel::setColourByImproved(bool improved) {
  colourBy_->setCurrentIndex(improved ? 1 : 0);
}

int MutationPanel::scatterPointCount() const {
  int n = 0;
  for (int i = 0; i < scatter_->graphCount(); ++i)
    n += scatter_->graph(i)->dataCount();
  return n;
}

QStringList MutationPanel::scatterAxisLabels() const {
  const auto ticker = scatter_->xAxis->ticker().dynamicCast<QCPAxisTickerText>();
  return ticker ? QStringList(ticker->ticks().values()) : QStringList();
}

int MutationPanel::barCount() const {
  int n = 0;
  for (int i = 0; i < bars_->plottableCount(); ++i)
    if (auto* b = qobject_cast<QCPBars*>(bars_->plottable(i))) n += b->dataCount();
  return n;
}

QWidget* MutationPanel::barPlot() const {
  return bars_;
}

QWidget* MutationPanel::scatterPlot() const {
  return scatter_;
}

// Coalesces the list's updates: at most one recomputation per kRefreshMs while children arrive.
void MutationPanel::scheduleRefresh() {
  if (!refreshTimer_->isActive()) refreshTimer_->start(kRefreshMs);
}

void MutationPanel::refresh() {
  refreshTimer_->stop();
  finished_.clear();
  taskOrder_.clear();
  for (int r = 0; children_ && r < children_->rowCount(); ++r) {
    const auto& record = children_->record(r);
    if (std::find(taskOrder_.begin(), taskOrder_.end(), record.started.task) == taskOrder_.end())
      taskOrder_.push_back(record.started.task);
    if (record.done) finished_.push_back(*record.done);
  }
  updateSelectors();
  stats_ = mutationStats(finished_, taskFilter());
  fillTable();
  fillBars();
  fillScatter();
}

// The selectors list the tasks and hyperparameters known now, keeping the current choices.
void MutationPanel::updateSelectors() {
  const QSignalBlocker blockTasks(taskSelector_), blockHParams(hparamSelector_);
  const QString task = taskSelector_->currentText();
  while (taskSelector_->count() > 1)
    taskSelector_->removeItem(1);
  for (const auto& t : taskOrder_)
    taskSelector_->addItem(q(t));
  taskSelector_->setCurrentIndex(std::max(0, taskSelector_->findText(task)));

  QString hparam = hparamSelector_->currentText();
  hparamSelector_->clear();
  for (const auto& name : hparamNames(finished_))
    hparamSelector_->addItem(q(name));
  if (hparam.isEmpty()) hparam = QStringLiteral("opt_lr");
  hparamSelector_->setCurrentIndex(std::max(0, hparamSelector_->findText(hparam)));
}

void MutationPanel::fillTable() {
  model_->setRowCount(0);
  for (std::size_t i = 0; i < stats_.size(); ++i) {
    const MutationStat& s = stats_[i];
    const bool delta = s.withDelta > 0;
    QList<QStandardItem*> row{
        cell(q(s.label), static_cast<qlonglong>(i)),
        cell(QString::number(s.children), static_cast<qlonglong>(s.children)),
        cell(QString::number(s.improved), static_cast<qlonglong>(s.improved)),
        cell(QString::number(100.0 * s.improvedRate(), 'f', 1) + QLatin1Char('%'),
             s.improvedRate()),
        cell(QString::number(s.withDelta), static_cast<qlonglong>(s.withDelta)),
        cell(delta ? signedNumber(s.meanDelta) : QStringLiteral("–"),
             delta ? QVariant(s.meanDelta) : QVariant()),
        cell(delta ? signedNumber(s.medianDelta) : QStringLiteral("–"),
             delta ? QVariant(s.medianDelta) : QVariant())};
    row[What]->setTextAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    row[What]->setToolTip(explanation(s));
    model_->appendRow(row);
  }
}

// One category per row on the x axis; a layer slot's cloned, shared and new rows side by side at
// the slot's position.
void MutationPanel::fillBars() {
  bars_->clearPlottables();
  const bool rate = barMetric_->currentIndex() == 0;
  bars_->yAxis->setLabel(rate ? tr("improved (%)") : tr("mean score change"));
  const QColor colours[SeriesCount] = {QColor(0x42, 0x6f, 0xb0), QColor(0xef, 0x6c, 0x00),
                                       QColor(0x00, 0x89, 0x7b), QColor(0x7c, 0xb3, 0x42)};
  const QString names[SeriesCount] = {tr("children / hyperparameter"), tr("layer cloned"),
                                      tr("layer shared"), tr("layer new")};
  QCPBars* series[SeriesCount];
  for (int k = 0; k < SeriesCount; ++k) {
    series[k] = new QCPBars(bars_->xAxis, bars_->yAxis);
    series[k]->setName(names[k]);
    series[k]->setPen(colours[k].darker(130));
    series[k]->setBrush(colours[k]);
  }
  auto ticker = QSharedPointer<QCPAxisTickerText>::create();
  std::map<std::string, double> slotX;
  double x = 0;
  for (const MutationStat& s : stats_) {
    if (!rate && s.withDelta == 0) continue;
    const double value = rate ? 100.0 * s.improvedRate() : s.meanDelta;
    const Series k = seriesOf(s);
    if (k == General) {
      ticker->addTick(++x, q(s.label));
      series[k]->addData(x, value);
      continue;
    }
    auto [it, fresh] = slotX.try_emplace(s.slot, x + 1);
    if (fresh) ticker->addTick(++x, q(s.slot));
    series[k]->addData(it->second + (k - Shared) * 0.27, value);
  }
  for (auto* b : series) {
    b->setWidth(slotX.empty() ? 0.7 : 0.26);
    if (b->dataCount() == 0) bars_->removePlottable(b);
  }
  bars_->xAxis->setTicker(ticker);
  bars_->xAxis->setTickLabelRotation(50);
  bars_->xAxis->setRange(0.3, x + 0.7);
  bars_->yAxis->rescale();
  if (rate) bars_->yAxis->setRange(0, 105);
  bars_->replot();
}

void MutationPanel::fillScatter() {
  scatter_->clearGraphs();
  const std::string name = scatterHParam().toStdString();
  if (titleOf(scatter_)) titleOf(scatter_)->setText(tr("Score against %1").arg(scatterHParam()));
  scatter_->xAxis->setLabel(scatterHParam());
  const auto points = scoreAgainst(finished_, name, taskFilter());
  const bool byImproved = colourBy_->currentIndex() == 1;
  std::map<QString, QCPGraph*> groups;
  const auto groupOf = [&](const ScorePoint& p) {
    const QString key = byImproved ? (p.improved ? tr("improved") : tr("not improved")) : q(p.task);
    QCPGraph*& g = groups[key];
    if (g) return g;
    g = scatter_->addGraph();
    g->setName(key);
    g->setLineStyle(QCPGraph::lsNone);
    const auto index = std::find(taskOrder_.begin(), taskOrder_.end(), p.task) - taskOrder_.begin();
    QColor colour = byImproved ? (p.improved ? QColor(0x2e, 0x7d, 0x32) : QColor(0x9e, 0x9e, 0x9e))
                               : QColor(q(routeColour(static_cast<std::size_t>(index))));
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colour, 7));
    return g;
  };
  // Booleans and categoricals sit on an indexed axis with their names.
  const std::vector<std::string>& labels = categoricalLabels(name);
  const bool indexed = !labels.empty() || isBooleanHParam(name);
  double lo = 1e300, hi = -1e300, yLo = 1e300, yHi = -1e300;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const ScorePoint& p = points[i];
    // Spread the points of one category a little, the same way every time.
    const double jitter = indexed ? (double((i * 37) % 11) / 10.0 - 0.5) * 0.3 : 0;
    groupOf(p)->addData(p.value + jitter, p.score);
    lo = std::min(lo, p.value);
    hi = std::max(hi, p.value);
    yLo = std::min(yLo, p.score);
    yHi = std::max(yHi, p.score);
  }
  if (indexed) {
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    if (isBooleanHParam(name)) {
      ticker->addTick(0, QStringLiteral("false"));
      ticker->addTick(1, QStringLiteral("true"));
      lo = 0, hi = 1;
    } else {
      for (std::size_t i = 0; i < labels.size(); ++i)
        ticker->addTick(double(i), q(labels[i]));
      lo = 0, hi = double(labels.size()) - 1;
    }
    scatter_->xAxis->setScaleType(QCPAxis::stLinear);
    scatter_->xAxis->setTicker(ticker);
    scatter_->xAxis->setRange(lo - 0.6, hi + 0.6);
  } else if (!points.empty()) {
    setNumericAxis(scatter_->xAxis, name, points, lo, hi);
  }
  if (!points.empty()) {
    const double pad = yHi > yLo ? (yHi - yLo) * 0.08 : 0.02;
    scatter_->yAxis->setRange(yLo - pad, yHi + pad);
  }
  scatter_->replot();
}

}  // namespace mu2net::ui
