#pragma once
// Readers for the on-disk dataset layouts the workbench accepts. Torch-free and Qt-free.
//
// Every reader either returns complete, valid ImageSets (ImageSet::valid() holds) or throws
// DataError whose message names the file or folder and the problem (missing, truncated, wrong
// magic number, count mismatch, label out of range, undecodable image, inconsistent sizes,
// corrupt gzip). Files may be gzip-compressed or raw; compression is detected from the first two
// bytes (1f 8b), not from the name.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mu2net/data/DataError.h"
#include "mu2net/data/ImageSet.h"

namespace mu2net {

/// The folder layouts readDataset() understands.
enum class DatasetFormat {
  Idx,          ///< "idx": MNIST-style IDX files (train-*, t10k-*, optional val-*)
  CifarBinary,  ///< "cifar-binary": CIFAR-10 binary batches (data_batch_N.bin, test_batch.bin)
  ImageFolder,  ///< "image-folder": train/, test/, optional validation/ or val/, one subfolder per
                ///< class
};

/// "idx", "cifar-binary" or "image-folder" → the format; anything else throws DataError listing
/// the valid names.
DatasetFormat parseDatasetFormat(std::string_view name);
/// The name parseDatasetFormat() accepts for the format.
std::string formatName(DatasetFormat format);

/// One IDX image file (magic 0x00000803: unsigned bytes, 3 dimensions count × rows × columns) and
/// its IDX label file (magic 0x00000801: unsigned bytes, 1 dimension). Headers are big-endian.
/// Result: channels = 1, labels = the label bytes. Counts must agree; the data must be exactly as
/// long as the header declares.
ImageSet readIdx(const std::filesystem::path& images, const std::filesystem::path& labels);

/// CIFAR-10 binary batch files, concatenated in the order given. Each record is 1 label byte and
/// 3 × 1024 bytes of 32 × 32 R, G and B planes (row-major); the result is NHWC with 3 channels.
/// A file whose size is not a whole number of 3073-byte records is truncated (DataError).
ImageSet readCifarBinary(const std::vector<std::filesystem::path>& files);

/// Everything a dataset folder holds. Invariants: train and test are non-empty; every label is in
/// [0, numClasses); classNames is either empty (unknown) or has exactly numClasses entries.
struct DatasetSource {
  ImageSet train;
  ImageSet test;
  std::optional<ImageSet> validation;  ///< the dataset's own validation split, when it has one
  int numClasses = 0;
  std::vector<std::string> classNames;  ///< label order; empty when the layout carries no names
};

/// Reads a dataset folder in the given layout:
/// - Idx: train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
///   t10k-labels-idx1-ubyte, each optionally with ".gz" (the raw file wins when both exist);
///   optional val-images-idx3-ubyte + val-labels-idx1-ubyte as the validation split.
///   No class names; numClasses = max label + 1 over all splits.
/// - CifarBinary: data_batch_N.bin[.gz] (train, in increasing N), test_batch.bin[.gz], optional
///   batches.meta.txt (one class name per non-empty line; then every label must be < its count,
///   else numClasses = max label + 1).
/// - ImageFolder: train/ and test/ (optional validation/ or val/), each with one subfolder per
///   class holding .png/.jpg/.jpeg files (other files are ignored). Class names = the subfolder
///   names of train/, sorted byte-wise; a class folder in test/ or validation/ that train/ lacks is
///   an error. Within a split all images must have the same size; channels = 1 when every image
///   of the dataset is grey, else 3 (grey images replicated).
DatasetSource readDataset(const std::filesystem::path& path, DatasetFormat format);

}  // namespace mu2net
