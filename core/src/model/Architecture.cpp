#include "mu2net/model/Architecture.h"

#include <charconv>
#include <stdexcept>

namespace mu2net {

namespace {

void requirePositive(int value, const char* field) {
  if (value <= 0)
    throw std::invalid_argument(std::string("ArchitectureConfig.") + field +
                                " must be positive, got " + std::to_string(value));
}

}  // namespace

void validate(const ArchitectureConfig& config) {
  requirePositive(config.imageSize, "imageSize");
  requirePositive(config.width, "width");
  if (config.depth < 0)
    throw std::invalid_argument("ArchitectureConfig.depth must be >= 0, got " +
                                std::to_string(config.depth));
  if (config.kind == ArchitectureKind::Vit) {
    requirePositive(config.patchSize, "patchSize");
    requirePositive(config.heads, "heads");
    requirePositive(config.mlpDim, "mlpDim");
    if (config.imageSize % config.patchSize != 0)
      throw std::invalid_argument(
          "ArchitectureConfig.imageSize (" + std::to_string(config.imageSize) +
          ") must be a multiple of patchSize (" + std::to_string(config.patchSize) + ")");
    if (config.stem == StemKind::Conv) {
      const int p = config.patchSize;
      if (p < 2 || (p & (p - 1)) != 0)
        throw std::invalid_argument(
            "ArchitectureConfig.stem: a conv stem needs a power-of-two patchSize >= 2, got " +
            std::to_string(p));
      if (config.width % (p / 2) != 0)
        throw std::invalid_argument("ArchitectureConfig.width (" + std::to_string(config.width) +
                                    ") must be a multiple of patchSize / 2 (" +
                                    std::to_string(p / 2) + ") for a conv stem");
    }
    if (config.width % config.heads != 0)
      throw std::invalid_argument("ArchitectureConfig.width (" + std::to_string(config.width) +
                                  ") must be a multiple of heads (" + std::to_string(config.heads) +
                                  ")");
  }
}

std::string toString(ArchitectureKind kind) {
  return kind == ArchitectureKind::Vit ? "vit" : "cnn";
}

ArchitectureKind parseArchitectureKind(std::string_view text) {
  if (text == "vit") return ArchitectureKind::Vit;
  if (text == "cnn") return ArchitectureKind::Cnn;
  throw std::invalid_argument("unknown architecture kind '" + std::string(text) +
                              "', expected 'vit' or 'cnn'");
}

std::string toString(StemKind stem) {
  return stem == StemKind::Patch ? "patch" : "conv";
}

StemKind parseStemKind(std::string_view text) {
  if (text == "patch") return StemKind::Patch;
  if (text == "conv") return StemKind::Conv;
  throw std::invalid_argument("unknown stem '" + std::string(text) +
                              "', expected 'patch' or 'conv'");
}

std::vector<int> convStemChannels(const ArchitectureConfig& config) {
  int k = 0;
  for (int p = config.patchSize; p > 1; p /= 2)
    ++k;
  std::vector<int> channels;
  for (int j = 0; j < k; ++j)
    channels.push_back(config.width >> (k - 1 - j));
  return channels;
}

std::string blockSlot(int i) {
  return "block_" + std::to_string(i);
}

bool parseBlockSlot(std::string_view slot, int* index) {
  constexpr std::string_view kPrefix = "block_";
  if (slot.substr(0, kPrefix.size()) != kPrefix) return false;
  const std::string_view digits = slot.substr(kPrefix.size());
  if (digits.empty()) return false;
  // Canonical form only, so that blockSlot(parse(s)) == s and two spellings never name one slot.
  if (digits.size() > 1 && digits.front() == '0') return false;
  for (char c : digits)
    if (c < '0' || c > '9') return false;
  int value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) return false;
  if (index) *index = value;
  return true;
}

std::vector<std::string> routeSlots(const ArchitectureConfig& config, int numBlocks) {
  if (numBlocks < 0)
    throw std::invalid_argument("routeSlots: numBlocks must be >= 0, got " +
                                std::to_string(numBlocks));
  std::vector<std::string> slots;
  slots.reserve(static_cast<std::size_t>(numBlocks) + 5);
  slots.push_back("embedding");
  if (config.kind == ArchitectureKind::Vit) {
    slots.push_back("cls");
    slots.push_back("posembed");
  }
  for (int i = 0; i < numBlocks; ++i)
    slots.push_back(blockSlot(i));
  slots.push_back("norm");
  slots.push_back("head");
  return slots;
}

}  // namespace mu2net
