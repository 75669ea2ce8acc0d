// Fuzzing target for the mu2net-layout helper's input (see FuzzDriver.h): DOT text, mutated
// byte-wise and DOT-aware (duplicated lines, extreme attribute values, deep nesting, long
// chains), given to the real helper program on stdin, exactly as the workbench starts it. A
// finding is a crash of the helper, an exit code other than 0 (layout), 1 (refused) or 3 (timed
// out), anything on stdout but exactly one line of JSON with "nodes" (exit 0) or a printable
// "error" (otherwise), or a run past its time limit. The memory ceiling reported is the helper's
// own peak RSS (its limit is 2 GiB of address space). Usage:
//   fuzz_layout [--seconds S | --runs N] [--seed N] [--findings DIR]
#include <nlohmann/json.hpp>

#include <iostream>

#include "FuzzDriver.h"

using namespace mu2net::fuzz;
namespace fs = std::filesystem;

namespace {

Bytes text(const std::string& s) {
  return Bytes(s.begin(), s.end());
}

// A graph in the style of the workbench's (mu2net::toDot): boxes with two-line labels, a
// coloured route per task, an input node, task labels as plain text nodes.
const char* kWorkbenchStyle = R"(digraph system {
  rankdir=BT; nodesep=0.25; ranksep=0.35;
  node [shape=box, style="rounded,filled", fontname="DejaVu Sans", fontsize=10];
  input [shape=ellipse, label="input"];
  c1 [label="stem\n1.2k", fillcolor="#dddddd"];
  c2 [label="block0\n33k", fillcolor="#dddddd"];
  c3 [label="block1\n33k", fillcolor="#1f77b4", style="rounded,filled,dashed"];
  c4 [label="head\n650", fillcolor="#ff7f0e"];
  t0 [shape=plaintext, label="mnist\nval 97.1%"];
  t1 [shape=plaintext, label=<fashion<br/><b>val 88%</b>>];
  input -> c1 -> c2 -> c3 -> c4 -> t0 [color="#1f77b4", penwidth=2];
  c2 -> c4 -> t1 [color="#ff7f0e", penwidth=2];
  subgraph cluster_root { label="root"; c1; c2; }
}
)";

const char* kSmall = "digraph g { a -> b; b -> c; a -> c [label=\"x\"]; }\n";
const char* kUndirected = "strict graph u { node [shape=circle]; 1 -- 2 -- 3 -- 1; 4; }\n";

void mutateDot(Bytes& b, Rng& rng) {
  std::string s(b.begin(), b.end());
  static const char* kInserts[] = {"{",
                                   "}",
                                   "->",
                                   "--",
                                   ";",
                                   "subgraph",
                                   "\"",
                                   "<",
                                   ">",
                                   "node [width=1e9];",
                                   "ranksep=1e9;",
                                   "nodesep=-5;",
                                   "fontsize=1e9;",
                                   "a [shape=record, label=\"{a|{b|{c|d}}}\"];",
                                   "x [label=<<table><tr><td>1</td></tr></table>>];",
                                   "rankdir=LR;",
                                   "splines=ortho;",
                                   "concentrate=true;",
                                   "edge [weight=2147483647];",
                                   "edge [minlen=1000000];",
                                   "size=\"0.001,0.001\";",
                                   "ratio=1e9;",
                                   "n [label=\"\\N\\G\\E\\T\\H\\L\"];",
                                   "m [shape=polygon, sides=1000000];",
                                   "p [peripheries=1000000];",
                                   "digraph h { z }",
                                   "/* comment",
                                   "// line\n",
                                   "#line\n"};
  switch (rng.below(4)) {
    case 0: {  // an insertion of DOT syntax
      const std::size_t at = rng.below(s.size() + 1);
      s.insert(at, kInserts[rng.below(std::size(kInserts))]);
      break;
    }
    case 1: {  // duplicate a line
      std::vector<std::size_t> lines = {0};
      for (std::size_t i = 0; i < s.size(); ++i)
        if (s[i] == '\n') lines.push_back(i + 1);
      if (lines.size() < 3) break;
      const std::size_t k = rng.below(lines.size() - 1);
      s.insert(lines[k], s.substr(lines[k], lines[k + 1] - lines[k]));
      break;
    }
    case 2: {  // a long chain or a dense cluster before the final brace
      const std::size_t close = s.rfind('}');
      if (close == std::string::npos) break;
      std::string extra;
      const int n = rng.chance(0.7) ? static_cast<int>(20 + rng.below(300)) : 60000;
      if (rng.chance(0.5)) {
        for (int i = 0; i < n; ++i)
          extra += "k" + std::to_string(i) + "->k" + std::to_string(i + 1) + ";";
      } else {
        const int m = static_cast<int>(5 + rng.below(25));
        for (int i = 0; i < m; ++i)
          for (int j = 0; j < m; ++j)
            if (i != j) extra += "d" + std::to_string(i) + "->d" + std::to_string(j) + ";";
      }
      s.insert(close, extra);
      break;
    }
    default: {  // nesting
      const std::size_t at = s.find('{');
      if (at == std::string::npos) break;
      const std::size_t depth = rng.chance(0.5) ? 100 : 20000;
      std::string open, close;
      for (std::size_t i = 0; i < depth; ++i) {
        open += "subgraph {";
        close += "}";
      }
      s.insert(at + 1, open + "q" + close);
    }
  }
  b.assign(s.begin(), s.end());
}

Result runHelper(const Input& in, const fs::path& dir) {
  const fs::path input = dir / "input.dot", output = dir / "output.json", errors = dir / "err";
  {
    std::ofstream out(input, std::ios::binary);
    out.write(reinterpret_cast<const char*>(in.files[0].data()),
              static_cast<std::streamsize>(in.files[0].size()));
  }
  const pid_t pid = fork();
  if (pid == 0) {
    const int inFd = open(input.c_str(), O_RDONLY);
    const int outFd = open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int errFd = open(errors.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(inFd, 0);
    dup2(outFd, 1);
    dup2(errFd, 2);
    // The fuzzer's own address-space ceiling must not constrain the helper, which sets its own.
    rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
    setrlimit(RLIMIT_AS, &unlimited);
    execl(MU2NET_LAYOUT_PATH, MU2NET_LAYOUT_PATH, "--timeout-seconds", "5",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  Result r;
  r.peakKb = usage.ru_maxrss;
  std::ifstream out(output);
  const std::string all((std::istreambuf_iterator<char>(out)), {});
  if (WIFSIGNALED(status))
    return {Outcome::Finding, std::string("crash: helper killed by ") + strsignal(WTERMSIG(status)),
            r.peakKb};
  const int code = WEXITSTATUS(status);
  if (code != 0 && code != 1 && code != 3)
    return {Outcome::Finding, "exit code " + std::to_string(code), r.peakKb};
  if (all.empty() || all.back() != '\n' || all.find('\n') != all.size() - 1)
    return {Outcome::Finding, "stdout is not exactly one line: " + all.substr(0, 200), r.peakKb};
  nlohmann::json answer;
  try {
    answer = nlohmann::json::parse(all);
  } catch (const std::exception&) {
    return {Outcome::Finding, "stdout is not JSON: " + all.substr(0, 200), r.peakKb};
  }
  if (code == 0) {
    if (!answer.is_object() || !answer.contains("nodes"))
      return {Outcome::Finding, "exit 0 without a layout: " + all.substr(0, 200), r.peakKb};
    r.outcome = Outcome::Accepted;
    return r;
  }
  if (!answer.is_object() || !answer.contains("error") || !answer["error"].is_string() ||
      answer["error"].get<std::string>().empty())
    return {Outcome::Finding,
            "exit " + std::to_string(code) + " without an error: " + all.substr(0, 200), r.peakKb};
  const std::string message = answer["error"].get<std::string>();
  if (const std::string raw = rawLibraryText(message); !raw.empty())
    return {Outcome::Finding, "message " + raw + ": " + message.substr(0, 200), r.peakKb};
  r.outcome = Outcome::Refused;
  r.note = message.substr(0, 200);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  std::string name = "layout";
  options.findings = fs::current_path() / "fuzz-findings";
  options.work = fs::temp_directory_path() / ("mu2net-fuzz-" + std::to_string(getpid()));
  options.batch = 16;
  // The helper limits itself to 5 s here; allow for its start and a loaded machine.
  options.inputSeconds = 30;
  std::vector<char*> args(argv, argv + argc);
  std::string targetArg = "--target", targetValue = "layout";
  args.push_back(targetArg.data());
  args.push_back(targetValue.data());
  if (!parseOptions(static_cast<int>(args.size()), args.data(), options, name) ||
      name != "layout") {
    std::cerr << "usage: fuzz_layout [--seconds S] [--runs N] [--seed N] [--findings DIR]\n";
    return 2;
  }
  Target target;
  target.name = "layout";
  target.corpus = {{{text(kWorkbenchStyle)}}, {{text(kSmall)}}, {{text(kUndirected)}}};
  target.mutateText = mutateDot;
  target.maxFileBytes = 6 << 20;
  target.read = runHelper;
  target.ceilingMeaning = "peak RSS of the helper process";
  return runFuzzer(target, options);
}
