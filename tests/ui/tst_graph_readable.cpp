// The system graph stays readable with 30 tasks: a legend of task colours beside the picture,
// distinct colours, labels legible at the fitted zoom (level of detail), a fit after every new
// layout and resize until the user zooms or pans, and a DOT export with the screen's colours.
#include <QAbstractGraphicsShapeItem>
#include <QFile>
#include <QRegularExpression>
#include <QScrollBar>
#include <QTemporaryDir>

#include "GraphFixture.h"
#include "GraphLegend.h"

using namespace mu2net;
using namespace mu2net::ui;
using mu2net::testui::itemsOfKind;
using mu2net::testui::layOut;
using mu2net::testui::manyTasks;

namespace {

QRectF onScreen(const GraphView& view, const QGraphicsItem* item) {
  return view.mapFromScene(item->sceneBoundingRect()).boundingRect();
}

// True when the whole scene rect is visible and touches the viewport's edges on one axis.
bool isFitted(const GraphView& view) {
  const QRectF shown = view.mapFromScene(view.sceneRect()).boundingRect();
  const QRectF port = view.viewport()->rect();
  const bool inside = port.adjusted(-2, -2, 2, 2).contains(shown);
  const bool tight = shown.width() >= port.width() - 4 || shown.height() >= port.height() - 4;
  return inside && tight;
}

// Attribute `key` of the DOT statement of node `name`.
QString dotAttribute(const QString& dot, const QString& name, const QString& key) {
  const QRegularExpression line(QStringLiteral("\n  ") + name + QStringLiteral(" \\[([^\n]*)\\];"));
  const auto m = line.match(dot);
  if (!m.hasMatch()) return {};
  const auto a =
      QRegularExpression(QStringLiteral("[ ,\\[]") + key + QStringLiteral("=\"([^\"]*)\""))
          .match(QLatin1Char(' ') + m.captured(1));
  return a.hasMatch() ? a.captured(1) : QString();
}

// The text of an export of `view` (empty when it failed).
QString exported(const GraphView& view,
                 bool (GraphView::*exporter)(const QString&, QString*) const) {
  QTemporaryDir dir;
  const QString path = dir.filePath(QStringLiteral("export"));
  QString error;
  if (!(view.*exporter)(path, &error)) {
    qWarning("export failed: %s", qPrintable(error));
    return {};
  }
  QFile file(path);
  return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

}  // namespace

class TstGraphReadable : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void legendListsEveryTaskInItsColour() {
    GraphView view;
    view.resize(800, 620);
    view.show();
    const GraphSnapshot g = manyTasks(30);
    QVERIFY(layOut(view, g));
    const GraphLegend* legend = view.legend();
    QVERIFY(legend->isVisible());
    QCOMPARE(legend->taskCount(), 31);  // the root and 30 tasks
    // Beside the picture, not over it.
    QVERIFY(!legend->geometry().intersects(view.viewport()->geometry()));
    QVERIFY(legend->geometry().width() >= 90);
    // Every row can be reached: it is on screen or the legend scrolls.
    const bool allShown = legend->visualItemRect(legend->item(legend->count() - 1)).bottom() <=
                          legend->viewport()->height();
    QVERIFY(allShown || legend->verticalScrollBar()->maximum() > 0);

    QHash<QString, QColor> legendColours;
    QSet<QString> names;
    for (int i = 0; i < legend->count(); ++i) {
      const QString task = legend->item(i)->data(GraphLegend::TaskRole).toString();
      const QColor colour = legend->item(i)->data(GraphLegend::ColourRole).value<QColor>();
      legendColours.insert(task, colour);
      names.insert(colour.name());
      if (task != QLatin1String("root")) QVERIFY2(colour.hsvSaturationF() > 0.3, qPrintable(task));
    }
    QCOMPARE(names.size(), 31);  // no colour twice
    // Clicking a task in the legend highlights its route; clicking it again clears that.
    QListWidgetItem* second = legend->item(2);
    const QString secondTask = second->data(GraphLegend::TaskRole).toString();
    QTest::mouseClick(legend->viewport(), Qt::LeftButton, {},
                      legend->visualItemRect(second).center());
    QCOMPARE(view.highlightedTask(), secondTask);
    QTest::mouseClick(legend->viewport(), Qt::LeftButton, {},
                      legend->visualItemRect(second).center());
    QCOMPARE(view.highlightedTask(), QString());
    // The legend's colour is the colour of the task's label and of the boxes it created.
    for (auto* label : itemsOfKind(view, QStringLiteral("task"))) {
      const QString task = label->data(GraphView::TaskKey).toString();
      QCOMPARE(static_cast<QGraphicsSimpleTextItem*>(label)->brush().color(),
               legendColours.value(task));
    }
    for (auto* box : itemsOfKind(view, QStringLiteral("component"))) {
      const qint64 id = box->data(GraphView::IdKey).toLongLong();
      for (const auto& n : g.nodes)
        if (n.id == id && n.creatorTask != "root") {
          const QColor fill = static_cast<QAbstractGraphicsShapeItem*>(box)->brush().color();
          const QColor task = legendColours.value(QString::fromStdString(n.creatorTask));
          QVERIFY(fill.hue() >= 0 && std::abs(fill.hue() - task.hue()) <= 6);
        }
    }
  }

  // The graph dock's size in a 1600x1000 and in a 1024x700 window.
  void labelsStayLegibleAtTheFittedZoom_data() {
    QTest::addColumn<QSize>("size");
    QTest::addColumn<int>("tasks");
    QTest::newRow("30 tasks, 1600x1000") << QSize(800, 620) << 30;
    QTest::newRow("30 tasks, 1024x700") << QSize(520, 430) << 30;
    // Bottom to top, side by side: labels longer than their route's head box.
    QTest::newRow("6 tasks, 1024x700") << QSize(520, 430) << 6;
    QTest::newRow("6 tasks, small dock") << QSize(300, 260) << 6;
  }

  void labelsStayLegibleAtTheFittedZoom() {
    QFETCH(QSize, size);
    QFETCH(int, tasks);
    GraphView view;
    view.resize(size);
    view.show();
    QVERIFY(layOut(view, manyTasks(tasks)));
    QVERIFY(isFitted(view));
    const auto labels = itemsOfKind(view, QStringLiteral("task"));
    QCOMPARE(labels.size(), tasks + 1);
    const QRectF port = view.viewport()->rect();
    for (int i = 0; i < labels.size(); ++i) {
      const QRectF r = onScreen(view, labels[i]);
      QVERIFY2(r.height() >= 11, qPrintable(QStringLiteral("label %1 px high").arg(r.height())));
      QVERIFY2(port.adjusted(-1, -1, 1, 1).contains(r), "a task label runs off the view");
      for (int j = i + 1; j < labels.size(); ++j) {
        const QRectF both = r.intersected(onScreen(view, labels[j]));
        QVERIFY2(both.width() < 2 || both.height() < 2, "task labels overlap");
      }
    }
    // Component labels are shown only where they can be read (two lines of at least 9 px).
    for (auto* box : itemsOfKind(view, QStringLiteral("component")))
      for (auto* text : box->childItems())
        if (text->isVisible()) QVERIFY(onScreen(view, text).height() >= 18);

    // Zoomed in, everything is shown at its natural size again, accuracies included.
    while (view.transform().m11() < 1.0)
      view.zoomIn();
    for (auto* box : itemsOfKind(view, QStringLiteral("component")))
      for (auto* text : box->childItems())
        QVERIFY(text->isVisible());
    const auto* label = static_cast<QGraphicsSimpleTextItem*>(labels.first());
    QVERIFY(label->text().contains(QLatin1Char('%')));
  }

  void refitsUntilTheUserZooms() {
    GraphView view;
    view.resize(600, 500);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(layOut(view, manyTasks(3)));
    QVERIFY(isFitted(view));
    // A click (on a box, for its tooltip) neither zooms nor pans.
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, view.viewport()->rect().center());
    QVERIFY(!view.userZoomed());
    view.resize(900, 760);
    QTRY_VERIFY(isFitted(view));
    // A new layout is fitted too.
    QVERIFY(layOut(view, manyTasks(5)));
    QVERIFY(isFitted(view));

    // Once the user zooms, resizes and new layouts keep the user's view.
    view.zoomIn();
    QVERIFY(view.userZoomed());
    const double zoomed = view.transform().m11();
    view.resize(700, 600);
    QTest::qWait(50);
    QCOMPARE(view.transform().m11(), zoomed);
    QVERIFY(layOut(view, manyTasks(4)));
    QCOMPARE(view.transform().m11(), zoomed);

    // fit() forgets the zoom: resizes fit again.
    view.fit();
    QVERIFY(!view.userZoomed());
    view.resize(820, 640);
    QTRY_VERIFY(isFitted(view));
  }

  // Exports are drawn at natural size: every label in full, whatever the zoom on screen.
  void exportsShowEveryLabelInFull() {
    GraphView view;
    view.resize(800, 620);
    view.show();
    QVERIFY(layOut(view, manyTasks(30)));
    const QString text = exported(view, &GraphView::exportSvg);
    QVERIFY(text.contains(QStringLiteral("val 79.0%")));  // task-29's label with its accuracy
    QVERIFY(text.contains(QStringLiteral("1.17k")));      // a component's parameters
    // The screen keeps its level of detail.
    for (auto* box : itemsOfKind(view, QStringLiteral("component")))
      for (auto* label : box->childItems())
        QVERIFY(!label->isVisible());
  }

  void dotExportHasTheScreensColours() {
    GraphView view;
    view.resize(600, 500);
    const GraphSnapshot g = manyTasks(4);
    QVERIFY(layOut(view, g));
    const QString dot = exported(view, &GraphView::exportDot);
    const auto boxes = itemsOfKind(view, QStringLiteral("component"));
    QCOMPARE(boxes.size(), static_cast<int>(g.nodes.size()));
    for (auto* item : boxes) {
      const auto* box = static_cast<QAbstractGraphicsShapeItem*>(item);
      const QString node = QStringLiteral("c%1").arg(item->data(GraphView::IdKey).toLongLong());
      QCOMPARE(dotAttribute(dot, node, QStringLiteral("fillcolor")), box->brush().color().name());
      QCOMPARE(dotAttribute(dot, node, QStringLiteral("color")), box->pen().color().name());
      QCOMPARE(dotAttribute(dot, node, QStringLiteral("style")).contains(QLatin1String("dashed")),
               box->pen().style() == Qt::DashLine);
    }
    QCOMPARE(dotAttribute(dot, QStringLiteral("c1"), QStringLiteral("fillcolor")),
             QStringLiteral("#dddddd"));  // the root's grey
    for (auto* item : itemsOfKind(view, QStringLiteral("task"))) {
      const QString node = QStringLiteral("t%1").arg(item->data(GraphView::IdKey).toInt());
      QCOMPARE(dotAttribute(dot, node, QStringLiteral("fontcolor")),
               static_cast<QGraphicsSimpleTextItem*>(item)->brush().color().name());
    }
    for (auto* item : itemsOfKind(view, QStringLiteral("edge"))) {
      const QString colour = static_cast<QAbstractGraphicsShapeItem*>(item)->pen().color().name();
      QVERIFY2(dot.contains(QStringLiteral("[color=\"%1\"").arg(colour)), qPrintable(colour));
    }
    QVERIFY(dot.contains(QStringLiteral("[color=\"#555555\", style=dotted]")));
  }
};

QTEST_MAIN(TstGraphReadable)
#include "tst_graph_readable.moc"
