#pragma once
// A small, self-contained mutation fuzzer for the project's readers, run by CTest for a bounded
// time (no libFuzzer or clang needed). Deterministic: a seed fixes the sequence of inputs, so
// `--runs N --seed S` reproduces a run exactly, and `--seconds T` bounds it in time.
//
// How it works: a target supplies a corpus of small valid inputs (each input is one or more
// files, built in the test) and a function that reads an input the way the program does. The
// driver mutates corpus entries (bit flips, byte sets, insertions, deletions, truncations,
// duplicated chunks, splices, and 16/32-bit header fields set to extremes such as 0, 1, 65535,
// 2^31 - 1 and 2^32 - 1; a target may add structure-aware mutations, e.g. re-computing PNG CRCs
// or gzip-compressing after mutation) and runs batches of inputs in a forked child whose address
// space is limited (RLIMIT_AS: the child's size at fork plus a ceiling, 1 GiB by default), so a
// runaway allocation fails there instead of taking the machine.
//
// A finding is: a crash (any signal), an input that runs longer than the per-input time limit,
// an allocation failure under the ceiling (std::bad_alloc), an exception of a type the reader
// does not promise, or a refusal whose message carries raw library text (a LibTorch stack trace,
// "[json.exception", "filesystem error:") or bytes a terminal cannot show, or does not name what
// it refuses (the target's check). Each finding's input is written to the findings folder.
//
// Per input the child measures its peak resident memory above what it had before the input
// (VmHWM after resetting it through /proc/self/clear_refs); the largest value is the reader's
// memory ceiling on hostile input, printed at the end.
//
// Longer than 500 lines: the driver is one self-contained header (mutations, the forked and
// bounded child, the checks of a finding), so that every fuzzing program needs only this file.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <new>
#include <sstream>
#include <string>
#include <vector>

namespace mu2net::fuzz {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

/// One input: the files a reader is given (their names are the target's business).
struct Input {
  std::vector<Bytes> files;
  int origin = 0;  ///< index of the corpus entry it came from
};

/// splitmix64: small, fast, and the same on every platform.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, n); 0 when n is 0.
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
  bool chance(double p) { return static_cast<double>(next() >> 11) * 0x1.0p-53 < p; }

 private:
  std::uint64_t state_;
};

/// What reading one input did.
enum class Outcome { Accepted, Refused, Finding };

struct Result {
  Outcome outcome = Outcome::Accepted;
  std::string note;  ///< the refusal's message, or what the finding is
  /// Peak memory of the reading in KiB when the target measured it itself (e.g. a helper
  /// process's maximum RSS); -1: the driver measures the child's own peak.
  std::int64_t peakKb = -1;
};

/// Text that a reader must never show a person: library tags, stack traces, raw bytes.
inline std::string rawLibraryText(const std::string& message) {
  for (const char* marker :
       {"[json.exception", "Exception raised from", "frame #", "filesystem error:", "basic_string",
        "std::bad_alloc", "terminate called"})
    if (message.find(marker) != std::string::npos) return std::string("contains '") + marker + "'";
  for (unsigned char c : message)
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
      char text[48];
      std::snprintf(text, sizeof text, "contains the control byte 0x%02X", c);
      return text;
    }
  return {};
}

/// Runs `read` and classifies what happened: returning is Accepted; an exception accepted by
/// `expected` (which also returns "" or why its message is not acceptable) is Refused (or a
/// Finding when the message is not); std::bad_alloc and anything else are Findings. `present`
/// turns the exception into what a person would see (the programs print errorText(e)).
template <typename Read, typename Expected, typename Present>
Result classify(Read&& read, Expected&& expected, Present&& present) {
  try {
    read();
    return {Outcome::Accepted, {}};
  } catch (const std::bad_alloc&) {
    return {Outcome::Finding, "std::bad_alloc: an allocation above the memory ceiling"};
  } catch (const std::exception& e) {
    const std::string message = present(e);
    bool known = false;
    const std::string problem = expected(e, known);
    if (!known)
      return {Outcome::Finding, "unexpected exception type " + std::string(typeid(e).name()) +
                                    ": " + message.substr(0, 300)};
    if (!problem.empty())
      return {Outcome::Finding, "message " + problem + ": " + message.substr(0, 300)};
    if (const std::string raw = rawLibraryText(message); !raw.empty())
      return {Outcome::Finding, "message " + raw + ": " + message.substr(0, 300)};
    return {Outcome::Refused, message.substr(0, 200)};
  } catch (...) {
    return {Outcome::Finding, "an exception that is not a std::exception"};
  }
}

/// A reader under test.
struct Target {
  std::string name;
  std::vector<Input> corpus;
  /// Reads the input (its files written under `dir` by the target itself); runs in the child.
  std::function<Result(const Input&, const fs::path& dir)> read;
  /// Optional structure-aware step after the generic mutation (e.g. fix CRCs, compress).
  std::function<void(Input&, Rng&)> finish;
  /// Optional extra mutation of a file (e.g. JSON-aware), chosen 1 time in 3 when given.
  std::function<void(Bytes&, Rng&)> mutateText;
  /// Largest file the mutator produces; longer results are cut.
  std::size_t maxFileBytes = 1 << 20;
  /// What the reported memory ceiling measures.
  std::string ceilingMeaning = "peak RSS above the reader's baseline";
};

struct Options {
  double seconds = 4;
  long long runs = -1;  ///< exact number of inputs (overrides seconds)
  std::uint64_t seed = 1;
  std::size_t batch = 64;    ///< inputs per forked child
  double inputSeconds = 10;  ///< per-input time limit
  std::int64_t ceilingBytes = std::int64_t{1} << 30;
  fs::path findings;  ///< where findings' inputs are written
  fs::path work;      ///< scratch folder for the readers' files
};

namespace detail {

inline const std::uint32_t kExtremes32[] = {
    0,      1,       2,          0x7f,       0x80,       0xff,       0x100,          0x7fff,
    0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 65535u * 65535u};

inline void mutateOnce(Bytes& b, Rng& rng, const std::vector<Input>& corpus) {
  switch (rng.below(10)) {
    case 0:  // flip a bit
      if (!b.empty()) b[rng.below(b.size())] ^= static_cast<std::uint8_t>(1u << rng.below(8));
      break;
    case 1: {  // set a byte to an interesting or random value
      if (b.empty()) break;
      static const std::uint8_t kBytes[] = {0, 1, 0x7f, 0x80, 0xff, '"', '{', '[', '\n', '\\'};
      b[rng.below(b.size())] = rng.chance(0.5) ? kBytes[rng.below(sizeof kBytes)]
                                               : static_cast<std::uint8_t>(rng.next());
      break;
    }
    case 2: {  // insert random bytes
      const std::size_t at = rng.below(b.size() + 1), n = 1 + rng.below(16);
      Bytes extra(n);
      for (auto& x : extra)
        x = static_cast<std::uint8_t>(rng.next());
      b.insert(b.begin() + static_cast<long>(at), extra.begin(), extra.end());
      break;
    }
    case 3: {  // delete a range
      if (b.empty()) break;
      const std::size_t at = rng.below(b.size());
      const std::size_t n = std::min(b.size() - at, 1 + rng.below(64));
      b.erase(b.begin() + static_cast<long>(at), b.begin() + static_cast<long>(at + n));
      break;
    }
    case 4:  // truncate
      b.resize(rng.below(b.size() + 1));
      break;
    case 5: {  // duplicate a chunk somewhere else
      if (b.empty()) break;
      const std::size_t from = rng.below(b.size());
      const std::size_t n = std::min(b.size() - from, 1 + rng.below(256));
      const Bytes chunk(b.begin() + static_cast<long>(from),
                        b.begin() + static_cast<long>(from + n));
      const std::size_t at = rng.below(b.size() + 1);
      b.insert(b.begin() + static_cast<long>(at), chunk.begin(), chunk.end());
      break;
    }
    case 6:
    case 7: {  // a 32-bit (big- or little-endian) or 16-bit header field set to an extreme
      if (b.size() < 4) break;
      const bool early = rng.chance(0.7);
      const std::size_t limit = early ? std::min<std::size_t>(b.size() - 3, 64) : b.size() - 3;
      std::size_t at = rng.below(limit);
      if (rng.chance(0.5)) at &= ~std::size_t{3};
      const std::uint32_t v = kExtremes32[rng.below(std::size(kExtremes32))];
      const int width = rng.chance(0.3) ? 2 : 4;
      const bool big = rng.chance(0.7);
      for (int k = 0; k < width; ++k) {
        const int shift = big ? 8 * (width - 1 - k) : 8 * k;
        b[at + static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(v >> shift);
      }
      break;
    }
    case 8: {  // splice with another corpus entry's file
      const Input& other = corpus[rng.below(corpus.size())];
      const Bytes& o = other.files[rng.below(other.files.size())];
      if (o.empty()) break;
      const std::size_t cut = rng.below(b.size() + 1), from = rng.below(o.size());
      b.resize(cut);
      b.insert(b.end(), o.begin() + static_cast<long>(from), o.end());
      break;
    }
    default: {  // overwrite a range with one repeated byte (long runs, zero fields)
      if (b.empty()) break;
      const std::size_t at = rng.below(b.size());
      const std::size_t n = std::min(b.size() - at, 1 + rng.below(32));
      std::fill_n(b.begin() + static_cast<long>(at), n,
                  rng.chance(0.5) ? std::uint8_t{0} : std::uint8_t{0xff});
    }
  }
}

inline Input mutate(const Target& target, Rng& rng) {
  const std::size_t origin = rng.below(target.corpus.size());
  Input in = target.corpus[origin];
  in.origin = static_cast<int>(origin);
  Bytes& file = in.files[rng.below(in.files.size())];
  const int rounds = 1 + static_cast<int>(rng.below(4));
  for (int r = 0; r < rounds; ++r) {
    if (target.mutateText && rng.below(3) == 0)
      target.mutateText(file, rng);
    else
      mutateOnce(file, rng, target.corpus);
  }
  if (file.size() > target.maxFileBytes) file.resize(target.maxFileBytes);
  if (target.finish) target.finish(in, rng);
  return in;
}

inline std::int64_t statusKb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(in, line))
    if (line.rfind(prefix, 0) == 0) return std::atoll(line.c_str() + prefix.size());
  return -1;
}

inline void resetPeak() {
  const int fd = open("/proc/self/clear_refs", O_WRONLY);
  if (fd < 0) return;
  [[maybe_unused]] const auto n = write(fd, "5", 1);
  close(fd);
}

inline void writeLine(int fd, const std::string& line) {
  const char* p = line.data();
  std::size_t left = line.size();
  while (left > 0) {
    const ssize_t n = write(fd, p, left);
    if (n <= 0) return;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

// The child: runs the batch, reporting "S i" before and "R i outcome peakKb note" after each.
[[noreturn]] inline void runBatch(const Target& target, const std::vector<Input>& batch,
                                  const Options& options, int out) {
  const std::int64_t sizeKb = statusKb("VmSize");
  if (sizeKb > 0) {
    rlimit limit{};
    limit.rlim_cur = limit.rlim_max =
        static_cast<rlim_t>(sizeKb) * 1024 + static_cast<rlim_t>(options.ceilingBytes);
    setrlimit(RLIMIT_AS, &limit);
  }
  const fs::path dir = options.work / ("child-" + std::to_string(getpid()));
  for (std::size_t i = 0; i < batch.size(); ++i) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    fs::create_directories(dir, ec);
    writeLine(out, "S " + std::to_string(i) + "\n");
    resetPeak();
    const std::int64_t before = statusKb("VmRSS");
    Result r = target.read(batch[i], dir);
    const std::int64_t peak = r.peakKb >= 0 ? before + r.peakKb : statusKb("VmHWM");
    std::string note = r.note;
    for (auto& c : note)
      if (c == '\n' || c == '\r') c = ' ';
    writeLine(out, "R " + std::to_string(i) + " " + std::to_string(static_cast<int>(r.outcome)) +
                       " " + std::to_string(std::max<std::int64_t>(0, peak - before)) + " " + note +
                       "\n");
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  _exit(0);
}

inline void saveFinding(const Options& options, const std::string& target, long long number,
                        const Input& input, const std::string& what) {
  std::error_code ec;
  const fs::path dir = options.findings / (target + "-" + std::to_string(number));
  fs::create_directories(dir, ec);
  for (std::size_t f = 0; f < input.files.size(); ++f) {
    std::ofstream out(dir / ("file" + std::to_string(f)), std::ios::binary);
    out.write(reinterpret_cast<const char*>(input.files[f].data()),
              static_cast<std::streamsize>(input.files[f].size()));
  }
  std::ofstream(dir / "finding.txt") << what << "\n";
}

}  // namespace detail

/// Runs the fuzzer; prints a summary and returns the process exit code (0: no findings).
inline int runFuzzer(const Target& target, const Options& options) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  Rng rng(options.seed);
  std::error_code ec;
  fs::create_directories(options.work, ec);
  long long executions = 0, accepted = 0, refused = 0, findings = 0;
  std::int64_t ceilingKb = 0;
  long long ceilingInput = -1;
  std::map<std::string, long long> findingKinds;

  const auto finding = [&](long long number, const Input& input, const std::string& what) {
    ++findings;
    std::string kind = what.substr(0, what.find(':'));
    ++findingKinds[kind];
    if (findingKinds[kind] <= 3)
      std::printf("  finding: input %lld (%zu file(s), %zu bytes in the first): %s\n", number,
                  input.files.size(), input.files.empty() ? 0 : input.files[0].size(),
                  what.c_str());
    detail::saveFinding(options, target.name, number, input, what);
  };

  // The corpus itself comes first: every valid input must be accepted.
  std::vector<Input> pending;
  for (std::size_t i = 0; i < target.corpus.size(); ++i) {
    Input in = target.corpus[i];
    in.origin = static_cast<int>(i);
    pending.push_back(in);
  }
  const long long corpusSize = static_cast<long long>(target.corpus.size());
  for (;;) {
    if (options.runs >= 0 ? executions >= options.runs
                          : (elapsed() >= options.seconds && executions >= corpusSize))
      break;
    std::vector<Input> batch;
    while (batch.size() < options.batch &&
           (options.runs < 0 || executions + static_cast<long long>(batch.size()) < options.runs)) {
      if (!pending.empty()) {
        batch.push_back(pending.front());
        pending.erase(pending.begin());
      } else {
        batch.push_back(detail::mutate(target, rng));
      }
    }
    if (batch.empty()) break;

    int pipeFds[2];
    if (pipe(pipeFds) != 0) {
      std::perror("pipe");
      return 2;
    }
    std::fflush(stdout);
    const pid_t child = fork();
    if (child < 0) {
      std::perror("fork");
      return 2;
    }
    if (child == 0) {
      close(pipeFds[0]);
      detail::runBatch(target, batch, options, pipeFds[1]);
    }
    close(pipeFds[1]);
    std::string buffer;
    long long started = -1;
    std::vector<bool> done(batch.size(), false);
    auto inputStart = Clock::now();
    bool killedForTime = false;
    for (;;) {
      pollfd p{pipeFds[0], POLLIN, 0};
      const int ready = poll(&p, 1, 100);
      if (ready > 0) {
        char chunk[4096];
        const ssize_t n = read(pipeFds[0], chunk, sizeof chunk);
        if (n <= 0) break;
        buffer.append(chunk, static_cast<std::size_t>(n));
        std::size_t newline;
        while ((newline = buffer.find('\n')) != std::string::npos) {
          const std::string line = buffer.substr(0, newline);
          buffer.erase(0, newline + 1);
          std::istringstream in(line);
          std::string tag;
          long long index = 0;
          in >> tag >> index;
          if (tag == "S") {
            started = index;
            inputStart = Clock::now();
            continue;
          }
          int outcome = 0;
          std::int64_t peakKb = 0;
          in >> outcome >> peakKb;
          std::string note;
          std::getline(in, note);
          if (!note.empty() && note[0] == ' ') note.erase(0, 1);
          const long long number = executions + index;
          const auto i = static_cast<std::size_t>(index);
          done[i] = true;
          if (peakKb > ceilingKb) {
            ceilingKb = peakKb;
            ceilingInput = number;
          }
          if (outcome == static_cast<int>(Outcome::Accepted)) {
            ++accepted;
          } else if (outcome == static_cast<int>(Outcome::Refused)) {
            ++refused;
            if (number < corpusSize) finding(number, batch[i], "corpus entry refused: " + note);
          } else {
            finding(number, batch[i], note);
          }
        }
      } else if (ready == 0 && started >= 0 &&
                 std::chrono::duration<double>(Clock::now() - inputStart).count() >
                     options.inputSeconds) {
        kill(child, SIGKILL);
        killedForTime = true;
      }
    }
    close(pipeFds[0]);
    int status = 0;
    waitpid(child, &status, 0);
    if (started >= 0 && !done[static_cast<std::size_t>(started)]) {
      const auto i = static_cast<std::size_t>(started);
      std::string what;
      if (killedForTime)
        what = "timeout: the input ran longer than " + std::to_string(options.inputSeconds) + " s";
      else if (WIFSIGNALED(status))
        what = std::string("crash: signal ") + strsignal(WTERMSIG(status));
      else
        what = "crash: the child exited with status " + std::to_string(WEXITSTATUS(status));
      finding(executions + started, batch[i], what);
      // The rest of the batch did not run: put it back in front of the queue.
      for (std::size_t k = i + 1; k < batch.size(); ++k)
        pending.insert(pending.begin() + static_cast<long>(k - i - 1), batch[k]);
      executions += started + 1;
      continue;
    }
    executions += static_cast<long long>(batch.size());
  }

  std::printf(
      "fuzz %s: %lld executions in %.1f s (%lld accepted, %lld refused), %lld finding(s); "
      "memory ceiling on hostile input: %.1f MiB %s (input %lld)\n",
      target.name.c_str(), executions, elapsed(), accepted, refused, findings,
      static_cast<double>(ceilingKb) / 1024.0, target.ceilingMeaning.c_str(), ceilingInput);
  for (const auto& [kind, count] : findingKinds)
    std::printf("  %lld x %s\n", count, kind.c_str());
  if (findings > 0)
    std::printf("  inputs written to %s/%s-*\n", options.findings.c_str(), target.name.c_str());
  std::error_code ignored;
  fs::remove_all(options.work, ignored);
  return findings > 0 ? 1 : 0;
}

/// Parses --seconds, --runs, --seed, --batch, --findings, --work; unknown flags are errors.
inline bool parseOptions(int argc, char** argv, Options& o, std::string& target) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--target")
      target = value();
    else if (a == "--seconds")
      o.seconds = std::atof(value().c_str());
    else if (a == "--runs")
      o.runs = std::atoll(value().c_str());
    else if (a == "--seed")
      o.seed = std::strtoull(value().c_str(), nullptr, 10);
    else if (a == "--batch")
      o.batch = static_cast<std::size_t>(std::max(1LL, std::atoll(value().c_str())));
    else if (a == "--findings")
      o.findings = value();
    else if (a == "--work")
      o.work = value();
    else
      return false;
  }
  return !target.empty();
}

}  // namespace mu2net::fuzz
