// svg2png: renders an SVG file into a square PNG, at build time. The workbench icon's PNG sizes
// are made from resources/desktop/mu2net-workbench.svg this way instead of being committed.
//
//   svg2png IN.svg SIZE OUT.png
//
// Exit codes: 0 written, 1 the SVG could not be read or the PNG not written, 2 bad arguments.
// Needs no display and no QGuiApplication: the icon has no text, so no fonts are involved.
#include <QImage>
#include <QPainter>
#include <QSvgRenderer>
#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fputs("usage: svg2png IN.svg SIZE OUT.png\n", stderr);
    return 2;
  }
  bool ok = false;
  const int size = QString::fromLocal8Bit(argv[2]).toInt(&ok);
  if (!ok || size < 1 || size > 4096) {
    std::fprintf(stderr, "svg2png: SIZE must be a whole number from 1 to 4096, got '%s'\n",
                 argv[2]);
    return 2;
  }
  QSvgRenderer svg(QString::fromLocal8Bit(argv[1]));
  if (!svg.isValid()) {
    std::fprintf(stderr, "svg2png: %s: not a readable SVG file\n", argv[1]);
    return 1;
  }
  QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
  image.fill(Qt::transparent);
  QPainter painter(&image);
  painter.setRenderHints(QPainter::Antialiasing | QPainter::SmoothPixmapTransform);
  svg.render(&painter);
  painter.end();
  if (!image.save(QString::fromLocal8Bit(argv[3]), "PNG")) {
    std::fprintf(stderr, "svg2png: %s: cannot write the PNG\n", argv[3]);
    return 1;
  }
  return 0;
}
