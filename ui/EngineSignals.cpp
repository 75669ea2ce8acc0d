#include "EngineSignals.h"

#include <QMetaMethod>
#include <QtDebug>

namespace mu2net::ui {

namespace {

// Calls f(signal) for every signal EngineSignals declares, in declaration order.
template <typename F>
void forEachSignal(F&& f) {
  const QMetaObject& meta = EngineSignals::staticMetaObject;
  for (int i = meta.methodOffset(); i < meta.methodCount(); ++i)
    if (meta.method(i).methodType() == QMetaMethod::Signal) f(meta.method(i));
}

// "runStarted" → "onRunStarted".
QByteArray handlerName(const QMetaMethod& signal) {
  QByteArray name = signal.name();
  name[0] = static_cast<char>(QChar::toUpper(name[0]));
  return "on" + name;
}

}  // namespace

EngineSignals::EngineSignals(QObject* parent) : QObject(parent) {
  registerMetaTypes();
}

void EngineSignals::relayTo(EngineSignals* target) const {
  forEachSignal([&](const QMetaMethod& signal) { connect(this, signal, target, signal); });
}

int EngineSignals::connectHandlers(QObject* receiver) const {
  const QMetaObject& handlers = *receiver->metaObject();
  int connected = 0;
  forEachSignal([&](const QMetaMethod& signal) {
    const QByteArray name = handlerName(signal);
    const QByteArray arguments = signal.methodSignature().mid(signal.name().size());
    const int slot = handlers.indexOfSlot(name + arguments);
    if (slot >= 0) {
      connect(this, signal, receiver, handlers.method(slot));
      ++connected;
      return;
    }
    for (int k = 0; k < handlers.methodCount(); ++k)
      if (handlers.method(k).name() == name)
        qWarning("mu2net: %s::%s does not take the arguments of the signal %s",
                 handlers.className(), name.constData(), signal.methodSignature().constData());
  });
  return connected;
}

}  // namespace mu2net::ui
