#include "model/Safetensors.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>
#include <stdexcept>
#include <system_error>

namespace mu2net {

namespace {

// ordered_json keeps the entries in the file's order, which is the order a writer chose (timm's
// files list them module by module) and the order in which the importer reports problems.
using json = nlohmann::ordered_json;

// Tensor names come from the file; a crafted one may be huge. Messages show a bounded prefix.
std::string shown(std::string_view name) {
  constexpr std::size_t kMaxShown = 120;
  if (name.size() <= kMaxShown) return "'" + std::string(name) + "'";
  return "'" + std::string(name.substr(0, kMaxShown)) + "...'";
}

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& what) {
  throw std::runtime_error("safetensors file " + file.string() + ": " + what);
}

// Thrown from the parser callback; caught in parseSafetensorsHeader to keep its message.
struct StructureError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

SafetensorsDType parseDType(const json& value, const std::filesystem::path& file,
                            const std::string& name) {
  if (!value.is_string()) fail(file, "tensor " + shown(name) + ": \"dtype\" is not a string");
  const auto& s = value.get_ref<const std::string&>();
  if (s == "F32") return SafetensorsDType::F32;
  if (s == "F16") return SafetensorsDType::F16;
  if (s == "BF16") return SafetensorsDType::BF16;
  if (s == "F64") return SafetensorsDType::F64;
  fail(file, "tensor " + shown(name) + " has dtype " + shown(s) +
                 "; only F32, F16, BF16 and F64 are supported");
}

std::uint64_t parseUnsigned(const json& value, const std::filesystem::path& file,
                            const std::string& name, const char* field) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_number_integer())  // a signed integer that is not unsigned is negative
    fail(file, "tensor " + shown(name) + ": \"" + field + "\" holds the negative value " +
                   std::to_string(value.get<std::int64_t>()));
  fail(file, "tensor " + shown(name) + ": \"" + field +
                 "\" must hold non-negative integers, found " + value.dump());
}

SafetensorsEntry parseEntry(const std::string& name, const json& value, std::uint64_t dataSize,
                            const std::filesystem::path& file) {
  if (name.empty()) fail(file, "a tensor has an empty name");
  if (!value.is_object()) fail(file, "tensor " + shown(name) + " is not a JSON object");
  for (const auto& [key, unused] : value.items())
    if (key != "dtype" && key != "shape" && key != "data_offsets")
      fail(file, "tensor " + shown(name) + " has the unknown field " + shown(key));
  for (const char* key : {"dtype", "shape", "data_offsets"})
    if (!value.contains(key)) fail(file, "tensor " + shown(name) + " has no \"" + key + "\" field");

  SafetensorsEntry entry;
  entry.name = name;
  entry.dtype = parseDType(value["dtype"], file, name);

  const json& shape = value["shape"];
  if (!shape.is_array()) fail(file, "tensor " + shown(name) + ": \"shape\" is not an array");
  // The byte count is computed with overflow checks: a crafted shape whose product wraps around
  // modulo 2^64 to the size of its byte range must not pass.
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t elements = 1;
  bool empty = false, overflow = false;
  for (const json& d : shape) {
    const std::uint64_t dim = parseUnsigned(d, file, name, "shape");
    if (dim > static_cast<std::uint64_t>(std::numeric_limits<int64_t>::max()))
      fail(file, "tensor " + shown(name) + ": dimension " + std::to_string(dim) + " is too large");
    entry.shape.push_back(static_cast<int64_t>(dim));
    if (dim == 0)
      empty = true;
    else if (elements > kMax / dim)
      overflow = true;
    else
      elements *= dim;
  }
  if (empty) {  // a zero dimension makes the product 0, whatever came before it
    elements = 0;
    overflow = false;
  }
  const std::uint64_t size = dtypeSize(entry.dtype);
  if (elements > kMax / size) overflow = true;

  const json& offsets = value["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2)
    fail(file, "tensor " + shown(name) + ": \"data_offsets\" is not a pair [begin, end]");
  entry.begin = parseUnsigned(offsets[0], file, name, "data_offsets");
  entry.end = parseUnsigned(offsets[1], file, name, "data_offsets");
  if (entry.begin > entry.end)
    fail(file, "tensor " + shown(name) + ": data_offsets [" + std::to_string(entry.begin) + ", " +
                   std::to_string(entry.end) + "] end before they begin");
  if (entry.end > dataSize)
    fail(file, "tensor " + shown(name) + ": data_offsets [" + std::to_string(entry.begin) + ", " +
                   std::to_string(entry.end) + "] lie outside the data area of " +
                   std::to_string(dataSize) + " bytes (truncated file?)");
  if (overflow || elements * size != entry.end - entry.begin) {
    std::string shapeText = "[";
    for (std::size_t i = 0; i < entry.shape.size(); ++i)
      shapeText += (i ? ", " : "") + std::to_string(entry.shape[i]);
    fail(file, "tensor " + shown(name) + ": shape " + shapeText + "] of " + toString(entry.dtype) +
                   " does not fill its byte range of " + std::to_string(entry.end - entry.begin) +
                   " bytes");
  }
  return entry;
}

}  // namespace

std::string toString(SafetensorsDType dtype) {
  switch (dtype) {
    case SafetensorsDType::F16:
      return "F16";
    case SafetensorsDType::BF16:
      return "BF16";
    case SafetensorsDType::F32:
      return "F32";
    case SafetensorsDType::F64:
      return "F64";
  }
  throw std::logic_error("unknown SafetensorsDType");
}

std::size_t dtypeSize(SafetensorsDType dtype) {
  switch (dtype) {
    case SafetensorsDType::F16:
    case SafetensorsDType::BF16:
      return 2;
    case SafetensorsDType::F32:
      return 4;
    case SafetensorsDType::F64:
      return 8;
  }
  throw std::logic_error("unknown SafetensorsDType");
}

std::uint64_t SafetensorsEntry::numel() const {
  return std::accumulate(
      shape.begin(), shape.end(), std::uint64_t{1},
      [](std::uint64_t a, int64_t d) { return a * static_cast<std::uint64_t>(d); });
}

const SafetensorsEntry* SafetensorsHeader::find(std::string_view name) const {
  const auto it =
      std::find_if(entries.begin(), entries.end(), [&](const auto& e) { return e.name == name; });
  return it == entries.end() ? nullptr : &*it;
}

SafetensorsHeader parseSafetensorsHeader(std::string_view text, std::uint64_t dataSize,
                                         const std::filesystem::path& file) {
  // A valid header nests three levels deep (top object, entry object, shape array). The callback
  // refuses deeper nesting before it can cost memory, and duplicate keys, which ordered_json would
  // otherwise resolve silently to one of the values.
  std::vector<std::set<std::string>> keysPerLevel;
  int depth = 0;
  const json::parser_callback_t check = [&](int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        keysPerLevel.emplace_back();
        [[fallthrough]];
      case json::parse_event_t::array_start:
        if (++depth > 3) throw StructureError("the JSON header is nested more than 3 levels deep");
        break;
      case json::parse_event_t::object_end:
        keysPerLevel.pop_back();
        [[fallthrough]];
      case json::parse_event_t::array_end:
        --depth;
        break;
      case json::parse_event_t::key:
        if (!keysPerLevel.back().insert(parsed.get<std::string>()).second)
          throw StructureError("the JSON header repeats the key " +
                               shown(parsed.get<std::string>()));
        break;
      case json::parse_event_t::value:
        break;
    }
    return true;
  };
  json root;
  try {
    root = json::parse(text.begin(), text.end(), check);
  } catch (const StructureError& e) {
    fail(file, e.what());
  } catch (const json::exception& e) {
    fail(file, std::string("the header is not valid JSON: ") + e.what());
  }
  if (!root.is_object()) fail(file, "the JSON header is not an object");

  SafetensorsHeader header;
  header.file = file;
  header.dataStart = 8 + text.size();
  header.fileSize = header.dataStart + dataSize;
  for (const auto& [name, value] : root.items()) {
    if (name == "__metadata__") {
      if (!value.is_object()) fail(file, "\"__metadata__\" is not an object");
      for (const auto& [key, v] : value.items()) {
        if (!v.is_string())
          fail(file, "\"__metadata__\" key " + shown(key) + " does not map to a string");
        header.metadata.emplace(key, v.get<std::string>());
      }
      continue;
    }
    header.entries.push_back(parseEntry(name, value, dataSize, file));
  }

  // Overlap check over the entries sorted by their first byte; empty ranges overlap nothing.
  std::vector<const SafetensorsEntry*> byOffset;
  for (const auto& e : header.entries)
    if (e.end > e.begin) byOffset.push_back(&e);
  std::sort(byOffset.begin(), byOffset.end(),
            [](const auto* a, const auto* b) { return a->begin < b->begin; });
  for (std::size_t i = 1; i < byOffset.size(); ++i)
    if (byOffset[i]->begin < byOffset[i - 1]->end)
      fail(file, "tensors " + shown(byOffset[i - 1]->name) + " and " + shown(byOffset[i]->name) +
                     " overlap in the data area");
  return header;
}

SafetensorsHeader readSafetensorsHeader(const std::filesystem::path& file) {
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(file, ec);
  if (ec) fail(file, "cannot read its size: " + ec.message());
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(file, "cannot open it");
  if (size < 8)
    fail(file, "the file has " + std::to_string(size) +
                   " bytes, fewer than the 8 of the header length (truncated file?)");
  std::array<unsigned char, 8> prefix{};
  in.read(reinterpret_cast<char*>(prefix.data()), 8);
  if (in.gcount() != 8) fail(file, "cannot read the header length");
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i)
    n = (n << 8) | prefix[static_cast<std::size_t>(i)];
  if (n > kMaxSafetensorsHeaderBytes)
    fail(file, "the header length " + std::to_string(n) + " exceeds the limit of " +
                   std::to_string(kMaxSafetensorsHeaderBytes) + " bytes");
  if (n > size - 8)
    fail(file, "the header length " + std::to_string(n) + " exceeds the " +
                   std::to_string(size - 8) + " bytes that follow it (truncated file?)");
  std::string text(static_cast<std::size_t>(n), '\0');
  in.read(text.data(), static_cast<std::streamsize>(n));
  if (static_cast<std::uint64_t>(in.gcount()) != n) fail(file, "cannot read the JSON header");
  return parseSafetensorsHeader(text, size - 8 - n, file);
}

}  // namespace mu2net
