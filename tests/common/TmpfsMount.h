#pragma once
// A small tmpfs mounted on a directory for the life of the object: a disk that can be filled or
// made read-only for real, even for root (whom file modes do not stop). Mounting needs root, as
// the project's tests and CI run; without it the test that needs one fails with a message.
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

namespace mu2net::testdata {

class TmpfsMount {
 public:
  /// Mounts a tmpfs of `size` (e.g. "4m") on `dir` (created if missing).
  TmpfsMount(const std::filesystem::path& dir, const std::string& size) : dir_(dir) {
    std::filesystem::create_directories(dir);
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, ("size=" + size + ",mode=0755").c_str()) != 0)
      error_ = "cannot mount a tmpfs on " + dir.string() + " (" + std::strerror(errno) +
               "); these tests need root, as CI runs them";
    else
      mounted_ = true;
  }
  ~TmpfsMount() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  bool ok() const { return mounted_; }
  const std::string& error() const { return error_; }
  const std::filesystem::path& dir() const { return dir_; }

  /// Makes the file system read-only: every write fails with EROFS, for root too.
  bool remountReadOnly() {
    return ::mount("tmpfs", dir_.c_str(), "tmpfs", MS_REMOUNT | MS_RDONLY, nullptr) == 0;
  }
  /// Fills the file system: afterwards no byte can be written to it (ENOSPC).
  void fill() {
    std::ofstream out(dir_ / "filler", std::ios::binary);
    const std::string block(4096, 'x');
    while (out.write(block.data(), static_cast<std::streamsize>(block.size())))
      out.flush();
    // The last partial block: byte by byte until nothing more fits.
    std::ofstream tail(dir_ / "filler", std::ios::binary | std::ios::app);
    for (int i = 0; i < 4096 && tail.put('x'); ++i)
      tail.flush();
  }

 private:
  std::filesystem::path dir_;
  bool mounted_ = false;
  std::string error_;
};

}  // namespace mu2net::testdata
