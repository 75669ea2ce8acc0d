#pragma once
// The exception for configuration values that are refused: an unknown key, a value not in its
// list, an empty list. The message always names the offending key in the form used by the
// experiment file (e.g. `search_space.opt_lr`) and says what was expected and what was found.
#include <stdexcept>

namespace mu2net {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace mu2net
