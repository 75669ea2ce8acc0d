#pragma once
// Files of the experiment directory written so that a crash never leaves a half-written one under
// its real name: written to a temporary name, flushed, renamed.
#include <cstddef>
#include <filesystem>
#include <vector>

namespace mu2net {

/// Writes `size` bytes to `file` durably (temporary name, fsync, rename). A component file
/// (`componentFile`) honours the crash-test aid MU2NET_TEST_KILL_IN_COMPONENT_WRITE=N: the process
/// kills itself half-way through writing its N-th component file. Throws StoreError.
void writeFileDurably(const std::filesystem::path& file, const char* data, std::size_t size,
                      bool componentFile = false);
/// Flushes a directory's entries (after renames into it); errors are ignored.
void syncDirectory(const std::filesystem::path& dir);
/// The bytes of a component file; StoreError when it is missing, not a regular file or unreadable.
std::vector<char> readComponentBytes(const std::filesystem::path& file);

}  // namespace mu2net
