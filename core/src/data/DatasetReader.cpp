// The three dataset layouts (IDX, CIFAR binary, image folders) and the checks they share.
// Longer than 500 lines: one reader per layout beside the one set of helpers (gzip-aware input,
// exact reads, counts and label ranges) that makes every reader refuse bad input the same way.
#include "mu2net/data/DatasetReader.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include <zlib.h>

#include "common/BoundedFile.h"
#include "data/ImageDecoder.h"
#include "mu2net/common/InputLimits.h"
#include "mu2net/data/DatasetFolderCheck.h"

namespace mu2net {
namespace fs = std::filesystem;

namespace {

std::string hex32(std::uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08X", value);
  return text;
}

std::string plural(std::int64_t n, const char* noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

// A file that may be gzip-compressed, read sequentially in large chunks straight into the
// caller's buffer: MNIST's 47 MB of pixels are inflated in one gzread loop with no
// intermediate copy, which is what keeps reading 60,000 images well under a second.
class InputFile {
 public:
  explicit InputFile(const fs::path& path) : path_(path) {
    if (const std::string problem = notARegularFile(path_); !problem.empty())
      throw DataError(path_, problem == "does not exist" ? "file does not exist" : problem);
    raw_ = std::fopen(path_.c_str(), "rb");
    if (!raw_) throw DataError(path_, "cannot open file");
    unsigned char magic[2] = {0, 0};
    const auto got = std::fread(magic, 1, 2, raw_);
    gzip_ = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    if (gzip_) {
      std::fclose(raw_);
      raw_ = nullptr;
      gz_ = gzopen(path_.c_str(), "rb");
      if (!gz_) throw DataError(path_, "cannot open gzip file");
      // A larger input buffer than zlib's default 8 KB means fewer read() calls.
      gzbuffer(gz_, 1 << 18);
    } else {
      std::rewind(raw_);
    }
  }
  ~InputFile() {
    if (gz_) gzclose(gz_);
    if (raw_) std::fclose(raw_);
  }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  const fs::path& path() const { return path_; }
  bool gzip() const { return gzip_; }

  // Bytes between the read position and the end of a raw (uncompressed) file.
  std::int64_t rawBytesLeft() {
    const long position = std::ftell(raw_);
    std::error_code ec;
    const auto size = fs::file_size(path_, ec);
    if (position < 0 || ec) throw DataError(path_, "cannot determine the file's size");
    return static_cast<std::int64_t>(size) - position;
  }

  // Reads up to n bytes; fewer only at the end of the (decompressed) data. A damaged gzip
  // stream throws; a gzip stream that simply stops early reads short like a truncated raw file.
  std::size_t read(void* destination, std::size_t n) {
    auto* out = static_cast<unsigned char*>(destination);
    std::size_t total = 0;
    while (total < n) {
      if (!gzip_) {
        const auto got = std::fread(out + total, 1, n - total, raw_);
        total += got;
        if (got == 0) {
          if (std::ferror(raw_)) throw DataError(path_, "read error");
          break;
        }
        continue;
      }
      // gzread takes an unsigned int length: read in chunks of at most 1 GiB.
      const auto chunk = static_cast<unsigned>(std::min<std::size_t>(n - total, 1u << 30));
      const int got = gzread(gz_, out + total, chunk);
      if (got < 0) throwGzipError();
      total += static_cast<std::size_t>(got);
      if (static_cast<unsigned>(got) < chunk) {
        int code = Z_OK;
        gzerror(gz_, &code);
        if (code == Z_BUF_ERROR)
          endedEarly_ = true;
        else if (code != Z_OK)
          throwGzipError();
        break;
      }
    }
    return total;
  }

  // True when the data continues after what has been read (reading one more byte also makes
  // zlib verify the gzip trailer's CRC and length).
  bool hasMoreData() {
    unsigned char extra;
    return read(&extra, 1) == 1;
  }

  // Appended to "truncated" messages so a cut-off .gz is recognisable as such.
  std::string truncationNote() const { return endedEarly_ ? " (the gzip stream ends early)" : ""; }

 private:
  [[noreturn]] void throwGzipError() {
    int code = Z_OK;
    const char* message = gzerror(gz_, &code);
    throw DataError(path_, std::string("corrupt gzip data (") + (message ? message : "?") + ")");
  }

  fs::path path_;
  std::FILE* raw_ = nullptr;
  gzFile gz_ = nullptr;
  bool gzip_ = false;
  bool endedEarly_ = false;
};

std::uint32_t bigEndian32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

constexpr std::uint32_t kIdxImagesMagic = 0x00000803;
constexpr std::uint32_t kIdxLabelsMagic = 0x00000801;
// Far above any real dataset, low enough that count * rows * columns cannot overflow.
constexpr std::int64_t kMaxIdxBytes = std::int64_t{1} << 40;

void readExactly(InputFile& file, void* destination, std::size_t n, const std::string& what) {
  const auto got = file.read(destination, n);
  if (got < n)
    throw DataError(file.path(), "truncated: the header declares " + what + " (" +
                                     std::to_string(n) + " bytes) but only " + std::to_string(got) +
                                     " bytes follow" + file.truncationNote());
  if (file.hasMoreData())
    throw DataError(file.path(), "longer than its header declares (" + what +
                                     "): unexpected bytes after the data");
}

// Refuses a split whose pixels would exceed the limit, before anything is allocated.
void checkSplitBytes(const fs::path& path, std::int64_t bytes, const std::string& subject) {
  const std::int64_t limit = inputLimits().maxSplitBytes;
  if (bytes > limit)
    throw DataError(path, subject + ": " + describeBytes(bytes) + ", more than the limit of " +
                              describeBytes(limit) +
                              " per split (set MU2NET_MAX_SPLIT_BYTES to allow more)");
}

// Reads the n bytes a header declares into `out`. The allocation follows the data, not the
// header: a raw file must be exactly as long as declared before anything is allocated, and a
// gzip stream's buffer grows (doubling from at most 64 MiB, or 1032 times the compressed size)
// only as decompressed data arrives, so a small file cannot make the reader allocate more than
// twice what it really holds.
void readDeclared(InputFile& file, std::vector<std::uint8_t>& out, std::int64_t n,
                  const std::string& what) {
  const auto wanted = static_cast<std::size_t>(n);
  if (!file.gzip()) {
    const std::int64_t left = file.rawBytesLeft();
    if (left < n)
      throw DataError(file.path(), "truncated: the header declares " + what + " (" +
                                       std::to_string(n) + " bytes) but only " +
                                       std::to_string(std::max<std::int64_t>(left, 0)) +
                                       " bytes follow");
    if (left > n)
      throw DataError(file.path(), "longer than its header declares (" + what +
                                       "): unexpected bytes after the data");
    out.resize(wanted);
    readExactly(file, out.data(), wanted, what);
    return;
  }
  // Deflate expands at most 1032:1, so the compressed file's size bounds the first buffer too.
  constexpr std::size_t kFirstChunk = std::size_t{64} << 20;
  std::error_code ec;
  const auto compressed = fs::file_size(file.path(), ec);
  const std::size_t bound = ec ? kFirstChunk : static_cast<std::size_t>(compressed) * 1032 + 4096;
  out.resize(std::min({wanted, kFirstChunk, bound}));
  std::size_t have = 0;
  for (;;) {
    const auto got = file.read(out.data() + have, out.size() - have);
    have += got;
    if (have < out.size() || have == wanted) break;
    out.resize(std::min(wanted, 2 * out.size()));
  }
  if (have < wanted)
    throw DataError(file.path(), "truncated: the header declares " + what + " (" +
                                     std::to_string(n) + " bytes) but only " +
                                     std::to_string(have) + " bytes follow" +
                                     file.truncationNote());
  if (file.hasMoreData())
    throw DataError(file.path(), "longer than its header declares (" + what +
                                     "): unexpected bytes after the data");
}

void readHeader(InputFile& file, unsigned char* header, std::size_t n, const char* what) {
  const auto got = file.read(header, n);
  if (got < n)
    throw DataError(file.path(), std::string("truncated: the ") + what + " header needs " +
                                     std::to_string(n) + " bytes, the file has " +
                                     std::to_string(got) + file.truncationNote());
}

void checkMagic(const InputFile& file, std::uint32_t found, std::uint32_t expected,
                const char* meaning) {
  if (found != expected)
    throw DataError(file.path(), "wrong magic number " + hex32(found) + ", expected " +
                                     hex32(expected) + " (" + meaning + ")");
}

// Appends the records of one CIFAR binary file; maxClasses < 0 means no label check.
void appendCifarFile(const fs::path& path, int maxClasses, ImageSet& set,
                     std::vector<std::uint8_t>& buffer) {
  constexpr std::size_t kPlane = 32 * 32;
  constexpr std::size_t kRecord = 1 + 3 * kPlane;
  constexpr std::size_t kRecordsPerChunk = 1024;
  InputFile file(path);
  buffer.resize(kRecord * kRecordsPerChunk);
  std::int64_t recordsInFile = 0;
  for (;;) {
    const auto got = file.read(buffer.data(), buffer.size());
    const auto records = got / kRecord;
    if (got % kRecord != 0)
      throw DataError(path, "truncated: record " + std::to_string(recordsInFile + records) +
                                " has only " + std::to_string(got % kRecord) + " of its " +
                                std::to_string(kRecord) +
                                " bytes (1 label byte + 3 x 1024 pixels)" + file.truncationNote());
    const auto first = static_cast<std::size_t>(set.count);
    checkSplitBytes(path, static_cast<std::int64_t>((first + records) * 3 * kPlane),
                    "the CIFAR records read so far");
    set.pixels.resize((first + records) * 3 * kPlane);
    set.labels.resize(first + records);
    for (std::size_t r = 0; r < records; ++r) {
      const std::uint8_t* record = buffer.data() + r * kRecord;
      const int label = record[0];
      if (maxClasses >= 0 && label >= maxClasses)
        throw DataError(path, "label " + std::to_string(label) + " of record " +
                                  std::to_string(recordsInFile + static_cast<std::int64_t>(r)) +
                                  " is outside the " + std::to_string(maxClasses) +
                                  " classes named in batches.meta.txt");
      set.labels[first + r] = label;
      // Planar R, G, B → interleaved NHWC.
      std::uint8_t* out = set.pixels.data() + (first + r) * 3 * kPlane;
      const std::uint8_t* red = record + 1;
      for (std::size_t p = 0; p < kPlane; ++p) {
        out[3 * p] = red[p];
        out[3 * p + 1] = red[p + kPlane];
        out[3 * p + 2] = red[p + 2 * kPlane];
      }
    }
    set.count += static_cast<std::int64_t>(records);
    recordsInFile += static_cast<std::int64_t>(records);
    if (got < buffer.size()) break;
  }
  if (recordsInFile == 0) throw DataError(path, "empty file: no CIFAR records");
}

ImageSet readCifarChecked(const std::vector<fs::path>& files, int maxClasses) {
  if (files.empty()) throw DataError("readCifarBinary: no files given");
  ImageSet set;
  set.height = 32;
  set.width = 32;
  set.channels = 3;
  std::vector<std::uint8_t> buffer;  // one chunk buffer reused for every file
  for (const auto& file : files)
    appendCifarFile(file, maxClasses, set, buffer);
  return set;
}

void requireFolder(const fs::path& folder, const char* what) {
  if (!fs::exists(folder)) throw DataError(folder, std::string(what) + " folder does not exist");
  if (!fs::is_directory(folder))
    throw DataError(folder, std::string("not a folder (") + what + ")");
}

// "name" or "name.gz" in folder; the raw file wins when both exist (no decompression needed).
std::optional<fs::path> findMaybeGz(const fs::path& folder, const std::string& name) {
  if (fs::is_regular_file(folder / name)) return folder / name;
  if (fs::is_regular_file(folder / (name + ".gz"))) return folder / (name + ".gz");
  return std::nullopt;
}

fs::path requireMaybeGz(const fs::path& folder, const std::string& name) {
  if (auto found = findMaybeGz(folder, name)) return *found;
  // Something is there but it is not a file (a folder, a FIFO): say so, not "missing".
  for (const auto& candidate : {name, name + ".gz"}) {
    const std::string problem = notARegularFile(folder / candidate);
    if (problem != "does not exist")
      throw DataError(folder / candidate, problem + " (the dataset file " + name + " or " + name +
                                              ".gz must be a regular file)");
  }
  throw DataError(folder / name, "missing file (neither " + name + " nor " + name +
                                     ".gz exists in the dataset folder)");
}

int maxLabelPlusOne(const DatasetSource& source) {
  int classes = 0;
  auto update = [&](const ImageSet& set) {
    const auto [lo, hi] = set.labelRange();
    if (hi >= lo) classes = std::max(classes, hi + 1);
  };
  update(source.train);
  update(source.test);
  if (source.validation) update(*source.validation);
  return classes;
}

DatasetSource readIdxDataset(const fs::path& folder) {
  DatasetSource source;
  // Resolved one by one (not as call arguments) so the first missing file is the one reported.
  const auto trainImages = requireMaybeGz(folder, "train-images-idx3-ubyte");
  const auto trainLabels = requireMaybeGz(folder, "train-labels-idx1-ubyte");
  const auto testImages = requireMaybeGz(folder, "t10k-images-idx3-ubyte");
  const auto testLabels = requireMaybeGz(folder, "t10k-labels-idx1-ubyte");
  source.train = readIdx(trainImages, trainLabels);
  source.test = readIdx(testImages, testLabels);
  const auto valImages = findMaybeGz(folder, "val-images-idx3-ubyte");
  const auto valLabels = findMaybeGz(folder, "val-labels-idx1-ubyte");
  if (valImages && valLabels)
    source.validation = readIdx(*valImages, *valLabels);
  else if (valImages)
    requireMaybeGz(folder, "val-labels-idx1-ubyte");
  else if (valLabels)
    requireMaybeGz(folder, "val-images-idx3-ubyte");
  source.numClasses = maxLabelPlusOne(source);
  return source;
}

std::vector<std::string> readClassNames(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    throw DataError(file, "not a regular file (expected one class name per line)");
  const auto size = fs::file_size(file, ec);
  if (!ec && size > static_cast<std::uintmax_t>(InputLimits::kMaxClassNameFileBytes))
    throw DataError(file, "class-name file of " + describeBytes(static_cast<std::int64_t>(size)) +
                              " is larger than the limit of " +
                              describeBytes(InputLimits::kMaxClassNameFileBytes) +
                              " (expected one class name per line)");
  std::ifstream in(file);
  if (!in) throw DataError(file, "cannot open class-name file");
  std::vector<std::string> names;
  std::string line;
  int lineNumber = 0;
  while (std::getline(in, line)) {
    ++lineNumber;
    // Names are printed and stored: binary bytes are refused, not passed on to a terminal.
    if (!isPrintableUtf8(line.substr(0, line.find_last_not_of("\r") + 1)) ||
        line.size() > InputLimits::kMaxClassNameBytes)
      throw DataError(file, "line " + std::to_string(lineNumber) + " is not a class name ('" +
                                printable(line, 40) + "'): expected UTF-8 text of at most " +
                                std::to_string(InputLimits::kMaxClassNameBytes) +
                                " bytes per line; is this batches.meta.txt?");
    // Trim surrounding white space (and the \r of Windows line ends); CIFAR-10's own
    // batches.meta.txt ends with blank lines, which are not classes.
    const auto first = line.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) continue;
    const auto last = line.find_last_not_of(" \t\r\n");
    names.push_back(line.substr(first, last - first + 1));
  }
  if (names.empty()) throw DataError(file, "no class names in the file (expected one per line)");
  return names;
}

DatasetSource readCifarDataset(const fs::path& folder) {
  // data_batch_<N>.bin[.gz], ordered by N as a number (so 10 follows 9).
  std::map<long, fs::path> batches;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    const std::string prefix = "data_batch_";
    if (name.rfind(prefix, 0) != 0) continue;
    std::size_t end = prefix.size();
    while (end < name.size() && std::isdigit(static_cast<unsigned char>(name[end])))
      ++end;
    const std::string suffix = name.substr(end);
    if (end == prefix.size() || (suffix != ".bin" && suffix != ".bin.gz")) continue;
    const long number = std::stol(name.substr(prefix.size(), end - prefix.size()));
    auto [it, inserted] = batches.emplace(number, entry.path());
    if (!inserted && suffix == ".bin") it->second = entry.path();  // raw wins over .gz
  }
  if (batches.empty())
    throw DataError(folder, "missing training data: no data_batch_<N>.bin or .bin.gz files");
  std::vector<fs::path> trainFiles;
  for (const auto& [number, path] : batches)
    trainFiles.push_back(path);

  DatasetSource source;
  int maxClasses = -1;
  if (fs::exists(folder / "batches.meta.txt")) {
    source.classNames = readClassNames(folder / "batches.meta.txt");
    maxClasses = static_cast<int>(source.classNames.size());
  }
  source.train = readCifarChecked(trainFiles, maxClasses);
  source.test = readCifarChecked({requireMaybeGz(folder, "test_batch.bin")}, maxClasses);
  source.numClasses = maxClasses >= 0 ? maxClasses : maxLabelPlusOne(source);
  return source;
}

std::string lowerExtension(const fs::path& path) {
  std::string ext = path.extension().string();
  for (auto& c : ext)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

std::vector<fs::path> sortedEntries(const fs::path& folder, bool directories) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const auto name = entry.path().filename().string();
    if (name.empty() || name[0] == '.') continue;  // hidden files and folders
    if (directories ? entry.is_directory() : entry.is_regular_file()) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct DecodedSplit {
  std::vector<DecodedImage> images;
  std::vector<std::int32_t> labels;
};

// classNames is filled from train/ (train == true) and looked up for the other splits.
DecodedSplit decodeImageFolderSplit(const fs::path& folder, bool train,
                                    std::vector<std::string>& classNames) {
  requireFolder(folder, "split");
  const auto classFolders = sortedEntries(folder, true);
  if (classFolders.empty())
    throw DataError(folder, "empty folder: no class subfolders (expected one per class)");
  DecodedSplit split;
  fs::path firstFile;
  std::int64_t splitBytes = 0;
  for (const auto& classFolder : classFolders) {
    const std::string name = classFolder.filename().string();
    if (!isPrintableUtf8(name))
      throw DataError(classFolder,
                      "the class folder's name is not printable UTF-8 text; rename it "
                      "(class names are shown and stored)");
    std::int32_t label;
    if (train) {
      label = static_cast<std::int32_t>(classNames.size());
      classNames.push_back(name);
    } else {
      const auto it = std::find(classNames.begin(), classNames.end(), name);
      if (it == classNames.end())
        throw DataError(classFolder, "class folder has no counterpart in the train/ folder");
      label = static_cast<std::int32_t>(it - classNames.begin());
    }
    std::size_t imagesInClass = 0;
    for (const auto& file : sortedEntries(classFolder, false)) {
      const auto ext = lowerExtension(file);
      if (ext != ".png" && ext != ".jpg" && ext != ".jpeg") continue;
      auto image = decodeImageFile(file);
      splitBytes += static_cast<std::int64_t>(image.pixels.size());
      checkSplitBytes(folder, splitBytes, "the images decoded so far");
      if (split.images.empty()) {
        firstFile = file;
      } else if (image.height != split.images.front().height ||
                 image.width != split.images.front().width) {
        const auto& first = split.images.front();
        throw DataError(file, "inconsistent image size: " + std::to_string(image.width) + "x" +
                                  std::to_string(image.height) + " but " + firstFile.string() +
                                  " is " + std::to_string(first.width) + "x" +
                                  std::to_string(first.height) +
                                  " (all images of a split must have the same size)");
      }
      split.images.push_back(std::move(image));
      split.labels.push_back(label);
      ++imagesInClass;
    }
    if (imagesInClass == 0)
      throw DataError(classFolder, "empty folder: no .png, .jpg or .jpeg images");
  }
  return split;
}

ImageSet assembleImageSet(const DecodedSplit& split, std::int64_t channels) {
  ImageSet set;
  set.count = static_cast<std::int64_t>(split.images.size());
  set.height = split.images.front().height;
  set.width = split.images.front().width;
  set.channels = channels;
  set.pixels.resize(static_cast<std::size_t>(set.count * set.imageBytes()));
  set.labels = split.labels;
  const auto pixelsPerImage = static_cast<std::size_t>(set.height * set.width);
  for (std::size_t i = 0; i < split.images.size(); ++i) {
    const auto& image = split.images[i];
    std::uint8_t* out = set.pixels.data() + i * pixelsPerImage * static_cast<std::size_t>(channels);
    if (image.channels == channels) {
      std::memcpy(out, image.pixels.data(), image.pixels.size());
    } else {  // grey image in a colour dataset: replicate
      for (std::size_t p = 0; p < pixelsPerImage; ++p)
        out[3 * p] = out[3 * p + 1] = out[3 * p + 2] = image.pixels[p];
    }
  }
  return set;
}

DatasetSource readImageFolderDataset(const fs::path& folder) {
  DatasetSource source;
  const auto train = decodeImageFolderSplit(folder / "train", true, source.classNames);
  const auto test = decodeImageFolderSplit(folder / "test", false, source.classNames);
  std::optional<DecodedSplit> validation;
  if (fs::exists(folder / "validation"))
    validation = decodeImageFolderSplit(folder / "validation", false, source.classNames);
  else if (fs::exists(folder / "val"))
    validation = decodeImageFolderSplit(folder / "val", false, source.classNames);

  // One channel count for the whole dataset, so that every split of a task looks alike.
  bool colour = false;
  const std::array<const DecodedSplit*, 3> splits = {&train, &test,
                                                     validation ? &*validation : nullptr};
  for (const auto* split : splits) {
    if (!split) continue;
    for (const auto& image : split->images)
      colour |= image.channels == 3;
  }
  const std::int64_t channels = colour ? 3 : 1;
  source.train = assembleImageSet(train, channels);
  source.test = assembleImageSet(test, channels);
  if (validation) source.validation = assembleImageSet(*validation, channels);
  source.numClasses = static_cast<int>(source.classNames.size());
  return source;
}

}  // namespace

DatasetFormat parseDatasetFormat(std::string_view name) {
  if (name == "idx") return DatasetFormat::Idx;
  if (name == "cifar-binary") return DatasetFormat::CifarBinary;
  if (name == "image-folder") return DatasetFormat::ImageFolder;
  throw DataError("unknown dataset format '" + std::string(name) +
                  "' (valid: idx, cifar-binary, image-folder)");
}

std::string formatName(DatasetFormat format) {
  switch (format) {
    case DatasetFormat::Idx:
      return "idx";
    case DatasetFormat::CifarBinary:
      return "cifar-binary";
    case DatasetFormat::ImageFolder:
      return "image-folder";
  }
  return "unknown";
}

ImageSet readIdx(const fs::path& images, const fs::path& labels) {
  ImageSet set;
  std::int64_t imageCount = 0;
  {
    InputFile file(images);
    unsigned char header[16];
    readHeader(file, header, sizeof header, "IDX image");
    checkMagic(file, bigEndian32(header), kIdxImagesMagic,
               "IDX images: unsigned bytes, 3 dimensions");
    imageCount = bigEndian32(header + 4);
    set.height = bigEndian32(header + 8);
    set.width = bigEndian32(header + 12);
    set.channels = 1;
    if (imageCount == 0) throw DataError(images, "empty: the header declares 0 images");
    if (set.height == 0 || set.width == 0)
      throw DataError(images, "the header declares an image size of " + std::to_string(set.height) +
                                  "x" + std::to_string(set.width));
    if (set.height > 65536 || set.width > 65536 ||
        imageCount > kMaxIdxBytes / (set.height * set.width))
      throw DataError(images, "implausible header: " + plural(imageCount, "image") + " of " +
                                  std::to_string(set.height) + "x" + std::to_string(set.width));
    set.count = imageCount;
    const std::string what = plural(imageCount, "image") + " of " + std::to_string(set.height) +
                             "x" + std::to_string(set.width);
    checkSplitBytes(images, set.count * set.imageBytes(), "the header declares " + what);
    readDeclared(file, set.pixels, set.count * set.imageBytes(), what);
  }
  InputFile file(labels);
  unsigned char header[8];
  readHeader(file, header, sizeof header, "IDX label");
  checkMagic(file, bigEndian32(header), kIdxLabelsMagic, "IDX labels: unsigned bytes, 1 dimension");
  const std::int64_t labelCount = bigEndian32(header + 4);
  if (labelCount != imageCount)
    throw DataError(labels, "count mismatch: the header declares " + plural(labelCount, "label") +
                                " but " + images.string() + " declares " +
                                plural(imageCount, "image"));
  std::vector<std::uint8_t> bytes;
  readDeclared(file, bytes, labelCount, plural(labelCount, "label"));
  set.labels.assign(bytes.begin(), bytes.end());
  return set;
}

ImageSet readCifarBinary(const std::vector<fs::path>& files) {
  return readCifarChecked(files, -1);
}

namespace {

DatasetSource readDatasetAs(const fs::path& path, DatasetFormat format) {
  try {
    requireFolder(path, "dataset");
    if (fs::is_empty(path)) throw DataError(path, "empty folder: the dataset folder holds nothing");
    switch (format) {
      case DatasetFormat::Idx:
        return readIdxDataset(path);
      case DatasetFormat::CifarBinary:
        return readCifarDataset(path);
      case DatasetFormat::ImageFolder:
        return readImageFolderDataset(path);
    }
  } catch (const fs::filesystem_error& e) {
    // A folder that cannot be listed (permissions, I/O error): the path and the reason, without
    // the library's "filesystem error:" wording.
    throw DataError(e.path1().empty() ? path : e.path1(), "cannot read: " + e.code().message());
  } catch (const std::bad_alloc&) {
    throw DataError(path,
                    "out of memory while reading the dataset: it needs more memory than is "
                    "free; free some or use a smaller dataset");
  }
  throw DataError(path, "unknown dataset format");
}

}  // namespace

// A folder of another layout fails on a missing file: the message says which format fits.
DatasetSource readDataset(const fs::path& path, DatasetFormat format) {
  try {
    return readDatasetAs(path, format);
  } catch (const DataError& e) {
    const std::string hint = formatHint(path, format);
    if (hint.empty()) throw;
    throw DataError(std::string(e.what()) + "; " + hint);
  }
}

}  // namespace mu2net
