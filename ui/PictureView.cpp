#include "PictureView.h"

#include <QGraphicsScene>
#include <QGraphicsView>

namespace mu2net::ui {

void setUpPictureView(QGraphicsView* view) {
  view->setScene(new QGraphicsScene(view));
  view->setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
  view->setDragMode(QGraphicsView::ScrollHandDrag);
  view->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  view->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  view->setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
  view->setResizeAnchor(QGraphicsView::AnchorViewCenter);
  view->setBackgroundBrush(Qt::white);
}

}  // namespace mu2net::ui
