#pragma once
// The one way to include qcustomplot.h here. Its header uses Qt's keywords (`signals:`,
// `foreach`), which the ui library switches off (QT_NO_KEYWORDS, see ui/CMakeLists.txt): they are
// defined for this one include only. Include it last, after every header that declares a member
// called `slots` (core's event types).
#define signals Q_SIGNALS
#define slots Q_SLOTS
#define emit Q_EMIT
#define foreach Q_FOREACH
#include "qcustomplot.h"
#undef foreach
#undef emit
#undef slots
#undef signals
