#include "common/StrictJson.h"

#include <regex>
#include <set>
#include <vector>

#include "mu2net/common/ErrorText.h"

namespace mu2net {
namespace {

using json = nlohmann::json;

// One open object or array while parsing: the keys seen so far (objects) or the number of
// elements started (arrays), so that a repeated key can be named by its full path.
struct Frame {
  bool object = false;
  std::set<std::string> keys;
  std::string key;
  std::size_t elements = 0;
};

std::string pathOf(const std::vector<Frame>& stack, std::size_t frames) {
  std::string path;
  for (std::size_t i = 0; i < frames; ++i) {
    const Frame& f = stack[i];
    if (f.object)
      path += (path.empty() ? "" : ".") + f.key;
    else
      path += "[" + std::to_string(f.elements - 1) + "]";
  }
  return path;
}

// nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error while
// parsing object key - unexpected end of input; expected string literal" as "line 1, column 2:
// unexpected end of input; expected string literal": where, then what, in our words.
std::string parseErrorText(const std::string& what) {
  const std::string clean = cleanErrorText(what);
  if (clean.find("empty input") != std::string::npos) return "the text is empty";
  static const std::regex kAt(R"(line (\d+), column (\d+))");
  std::smatch m;
  const std::string where = std::regex_search(clean, m, kAt)
                                ? "line " + m[1].str() + ", column " + m[2].str() + ": "
                                : std::string();
  std::string reason = clean;
  if (const auto dash = clean.find(" - "); dash != std::string::npos)
    reason = clean.substr(dash + 3);
  else if (const auto colon = clean.find(": "); colon != std::string::npos)
    reason = clean.substr(colon + 2);
  return where + reason;
}

struct RepeatedKey {
  std::string key;
};
struct TooDeep {
  std::string key;
};

}  // namespace

json parseStrictJson(const std::string& text) {
  std::vector<Frame> stack;
  const auto startElement = [&] {
    if (!stack.empty() && !stack.back().object) ++stack.back().elements;
  };
  const json::parser_callback_t callback = [&](int depth, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        startElement();
        if (depth >= kMaxJsonDepth) throw TooDeep{pathOf(stack, stack.size())};
        stack.push_back(Frame{event == json::parse_event_t::object_start, {}, {}, 0});
        break;
      case json::parse_event_t::key: {
        Frame& f = stack.back();
        f.key = parsed.get<std::string>();
        if (!f.keys.insert(f.key).second) throw RepeatedKey{pathOf(stack, stack.size())};
        break;
      }
      case json::parse_event_t::value:
        startElement();
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        if (!stack.empty()) stack.pop_back();
        break;
    }
    return true;
  };
  try {
    return json::parse(text, callback);
  } catch (const RepeatedKey& e) {
    throw StrictJsonError("key '" + cleanErrorText(e.key) +
                              "' appears twice in one object (JSON keys must be unique; remove "
                              "one of them)",
                          e.key);
  } catch (const TooDeep& e) {
    throw StrictJsonError("arrays and objects are nested more than " +
                              std::to_string(kMaxJsonDepth) + " levels deep" +
                              (e.key.empty() ? "" : " (at '" + cleanErrorText(e.key) + "')"),
                          {});
  } catch (const json::parse_error& e) {
    throw StrictJsonError(parseErrorText(e.what()), {});
  } catch (const json::exception& e) {
    throw StrictJsonError(cleanErrorText(e.what()), {});
  }
}

}  // namespace mu2net
