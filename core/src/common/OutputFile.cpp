#include "mu2net/common/OutputFile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

namespace mu2net {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const fs::path& file, const std::string& what, int error) {
  throw OutputError("cannot write " + file.string() + ": " + what +
                    (error ? std::string(" (") + std::strerror(error) + ")" : std::string()));
}

// Writes everything to `fd`; returns 0 or the errno of the failure.
int writeAll(int fd, std::string_view bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? errno : EIO;
    done += static_cast<std::size_t>(n);
  }
  return 0;
}

// An existing target that is not a regular file (a device, a FIFO): written in place.
void writeInPlace(const fs::path& file, std::string_view bytes) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail(file, "cannot open it", errno);
  int error = writeAll(fd, bytes);
  // Devices and pipes cannot be synced (EINVAL, EROFS); any other failure is a lost write.
  if (!error && ::fsync(fd) != 0 && errno != EINVAL && errno != EROFS) error = errno;
  if (::close(fd) != 0 && !error) error = errno;
  if (error) fail(file, "the write failed", error);
}

}  // namespace

void writeOutputFile(const fs::path& file, std::string_view bytes) {
  struct stat st {};
  if (::stat(file.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) fail(file, "it is a directory", 0);
    if (!S_ISREG(st.st_mode)) return writeInPlace(file, bytes);
  }
  // A unique temporary name in the target's directory, so that the rename is atomic and two
  // writers never share one.
  static std::atomic<unsigned> counter{0};
  const fs::path dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
  fs::path tmp;
  int fd = -1;
  for (int attempt = 0; fd < 0; ++attempt) {
    tmp = dir / ("." + file.filename().string() + ".tmp." + std::to_string(::getpid()) + "." +
                 std::to_string(counter++));
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && (errno != EEXIST || attempt > 100))
      fail(file, "cannot create a file there", errno);
  }
  int error = writeAll(fd, bytes);
  if (!error && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && !error) error = errno;
  if (!error && ::rename(tmp.c_str(), file.c_str()) != 0) error = errno;
  if (error) {
    ::unlink(tmp.c_str());
    fail(file, "the write failed", error);
  }
  // Make the rename itself durable (best effort: not every file system syncs directories).
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace mu2net
