#pragma once
// The name of a slot's origin as the store writes it and the statistics label it.
#include "mu2net/evolution/LayerCloning.h"

namespace mu2net {

/// "shared", "cloned" or "new".
const char* slotKindName(SlotOrigin::Kind kind);

}  // namespace mu2net
