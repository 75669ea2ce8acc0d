#include "model/PickleCheck.h"

#include <caffe2/serialize/inline_container.h>

#include <cstdint>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace mu2net {
namespace {

std::uint64_t littleEndian(const unsigned char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}

}  // namespace

std::string pickleProblem(const std::string& pickle) {
  const auto* data = reinterpret_cast<const unsigned char*>(pickle.data());
  const std::size_t size = pickle.size();
  std::size_t at = 0;
  const auto need = [&](std::uint64_t bytes, const char* what) -> std::string {
    if (bytes > size - at)
      return std::string(what) + " at byte " + std::to_string(at) + " declares " +
             std::to_string(bytes) + " bytes, but only " + std::to_string(size - at) + " follow";
    return {};
  };
  // A memo index counts the values stored so far: it cannot exceed the pickle's length.
  const auto memo = [&](std::uint64_t index) -> std::string {
    if (index > size)
      return "memo index " + std::to_string(index) + " at byte " + std::to_string(at) +
             " is beyond what a pickle of " + std::to_string(size) + " bytes can hold";
    return {};
  };
  while (at < size) {
    const unsigned char op = data[at++];
    std::string problem;
    // Fixed-size arguments.
    int fixed = -1;
    switch (op) {
      case '(':
      case '.':
      case '0':
      case '1':
      case '2':
      case 'N':
      case 0x88:
      case 0x89:
      case ']':
      case 'a':
      case 'e':
      case 'l':
      case ')':
      case 't':
      case 0x85:
      case 0x86:
      case 0x87:
      case '}':
      case 'd':
      case 's':
      case 'u':
      case 'b':
      case 'R':
      case 0x81:
      case 0x92:
      case 'Q':
      case 'o':
      case 0x8f:
      case 0x90:
      case 0x91:
      case 0x93:
      case 0x94:
      case 0x97:
      case 0x98:
        fixed = 0;
        break;
      case 'K':
      case 0x80:
      case 0x82:
        fixed = 1;
        break;
      case 'M':
      case 0x83:
        fixed = 2;
        break;
      case 'J':
      case 0x84:
        fixed = 4;
        break;
      case 'G':
      case 0x95:  // BINFLOAT; FRAME (its length covers opcodes that follow inline)
        fixed = 8;
        break;
      case 'h':
      case 'q':  // BINGET, BINPUT
        if (at < size) problem = memo(data[at]);
        fixed = 1;
        break;
      case 'j':
      case 'r':  // LONG_BINGET, LONG_BINPUT
        if ((problem = need(4, "a memo index")).empty()) problem = memo(littleEndian(data + at, 4));
        fixed = 4;
        break;
      default:
        break;
    }
    if (!problem.empty()) return problem;
    if (fixed >= 0) {
      if (!(problem = need(static_cast<std::uint64_t>(fixed), "an opcode")).empty()) return problem;
      if (op == '.') return {};  // STOP: what follows is not the pickle's business
      at += static_cast<std::size_t>(fixed);
      continue;
    }
    // Length-prefixed arguments: 1, 4 or 8 bytes of length, then that many bytes.
    int lengthBytes = 0;
    switch (op) {
      case 'U':
      case 0x8c:
      case 'C':
      case 0x8a:
        lengthBytes = 1;
        break;
      case 'T':
      case 'X':
      case 'B':
      case 0x8b:
        lengthBytes = 4;
        break;
      case 0x8d:
      case 0x8e:
      case 0x96:
        lengthBytes = 8;
        break;
      default:
        break;
    }
    if (lengthBytes > 0) {
      if (!(problem = need(static_cast<std::uint64_t>(lengthBytes), "a length")).empty())
        return problem;
      const std::uint64_t length = littleEndian(data + at, lengthBytes);
      at += static_cast<std::size_t>(lengthBytes);
      if (!(problem = need(length, "a string or number")).empty()) return problem;
      at += static_cast<std::size_t>(length);
      continue;
    }
    // Text arguments ending at a newline (protocol 0): one line, two for GLOBAL and INST.
    int lines = 0;
    switch (op) {
      case 'I':
      case 'L':
      case 'F':
      case 'S':
      case 'V':
      case 'P':
      case 'g':
      case 'p':
        lines = 1;
        break;
      case 'c':
      case 'i':
        lines = 2;
        break;
      default:
        return "unknown opcode " + std::to_string(op) + " at byte " + std::to_string(at - 1);
    }
    for (int l = 0; l < lines; ++l) {
      const void* end = std::memchr(data + at, '\n', size - at);
      if (!end) return "an unterminated text argument at byte " + std::to_string(at);
      at = static_cast<std::size_t>(static_cast<const unsigned char*>(end) - data) + 1;
    }
  }
  return "the pickle ends without its STOP opcode";
}

void checkPickleArchive(const std::vector<char>& archive, const std::string& where) {
  std::string pickle;
  try {
    std::istringstream stream(std::string(archive.begin(), archive.end()));
    caffe2::serialize::PyTorchStreamReader reader(&stream);
    if (!reader.hasRecord("data.pkl")) return;
    auto [bytes, size] = reader.getRecord("data.pkl");
    pickle.assign(static_cast<const char*>(bytes.get()), size);
  } catch (const std::exception&) {
    return;  // not a readable archive: the unpickler says so itself
  }
  if (const std::string problem = pickleProblem(pickle); !problem.empty())
    throw std::runtime_error(where + " is corrupt: its data.pkl holds " + problem);
}

}  // namespace mu2net
