#include "store/DurableFile.h"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>

#include <fstream>
#include <iterator>
#include <system_error>

#include "mu2net/store/ExperimentStore.h"

namespace mu2net {
namespace {

namespace fs = std::filesystem;

// Test aid for crash-safety tests: MU2NET_TEST_KILL_IN_COMPONENT_WRITE=N kills the process
// (SIGKILL) half-way through writing the N-th component file of this process.
void maybeKillDuringWrite(int fd, const char* data, std::size_t size) {
  static const char* env = std::getenv("MU2NET_TEST_KILL_IN_COMPONENT_WRITE");
  static long remaining = env ? std::atol(env) : 0;
  if (remaining <= 0 || --remaining > 0) return;
  if (::write(fd, data, size / 2) < 0) {
  }
  ::kill(::getpid(), SIGKILL);
}

}  // namespace

void writeFileDurably(const fs::path& file, const char* data, std::size_t size,
                      bool componentFile) {
  const fs::path tmp = file.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw StoreError("cannot create " + tmp.string());
  if (componentFile) maybeKillDuringWrite(fd, data, size);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd, data + done, size - done);
    if (n <= 0) {
      ::close(fd);
      throw StoreError("cannot write " + tmp.string() + " (disk full?)");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    throw StoreError("cannot flush " + tmp.string());
  }
  ::close(fd);
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) throw StoreError("cannot rename " + tmp.string() + ": " + ec.message());
}

void syncDirectory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

std::vector<char> readComponentBytes(const fs::path& file) {
  std::error_code ec;
  if (fs::exists(file, ec) && !fs::is_regular_file(file, ec))
    throw StoreError("component file " + file.string() + " is not a regular file");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw StoreError("component file " + file.string() + " is missing or unreadable");
  return std::vector<char>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace mu2net
