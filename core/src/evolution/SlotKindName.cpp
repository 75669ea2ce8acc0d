#include "mu2net/evolution/SlotKindName.h"

namespace mu2net {

const char* slotKindName(SlotOrigin::Kind kind) {
  switch (kind) {
    case SlotOrigin::Kind::Shared:
      return "shared";
    case SlotOrigin::Kind::Cloned:
      return "cloned";
    case SlotOrigin::Kind::New:
      return "new";
  }
  return "new";
}

}  // namespace mu2net
