// Walks a component archive's data.pkl before LibTorch's unpickler sees it (which trusts its
// input): every opcode's argument lengths, a simulation of the value stack, marks and memo, and
// every storage against its record's size. Longer than 500 lines: one switch over the pickle
// protocol's opcodes (0-5), each with its stack effect, which is clearest read in one place.
#include "model/PickleCheck.h"

#include <c10/core/ScalarType.h>
#include <caffe2/serialize/inline_container.h>

#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

namespace mu2net {
namespace {

std::uint64_t littleEndian(const unsigned char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}

const char* opName(unsigned char op) {
  // clang-format off
  static const std::map<unsigned char, const char*> names = {
      {'(', "MARK"}, {'.', "STOP"}, {'0', "POP"}, {'1', "POP_MARK"}, {'2', "DUP"}, {'F', "FLOAT"},
      {'I', "INT"}, {'J', "BININT"}, {'K', "BININT1"}, {'L', "LONG"}, {'M', "BININT2"},
      {'N', "NONE"}, {'P', "PERSID"}, {'Q', "BINPERSID"}, {'R', "REDUCE"}, {'S', "STRING"},
      {'T', "BINSTRING"}, {'U', "SHORT_BINSTRING"}, {'V', "UNICODE"}, {'X', "BINUNICODE"},
      {'a', "APPEND"}, {'b', "BUILD"}, {'c', "GLOBAL"}, {'d', "DICT"}, {'}', "EMPTY_DICT"},
      {'e', "APPENDS"}, {'g', "GET"}, {'h', "BINGET"}, {'i', "INST"}, {'j', "LONG_BINGET"},
      {'l', "LIST"}, {']', "EMPTY_LIST"}, {'o', "OBJ"}, {'p', "PUT"}, {'q', "BINPUT"},
      {'r', "LONG_BINPUT"}, {'s', "SETITEM"}, {'t', "TUPLE"}, {')', "EMPTY_TUPLE"},
      {'u', "SETITEMS"}, {'G', "BINFLOAT"}, {0x80, "PROTO"}, {0x81, "NEWOBJ"}, {0x82, "EXT1"},
      {0x83, "EXT2"}, {0x84, "EXT4"}, {0x85, "TUPLE1"}, {0x86, "TUPLE2"}, {0x87, "TUPLE3"},
      {0x88, "NEWTRUE"}, {0x89, "NEWFALSE"}, {0x8a, "LONG1"}, {0x8b, "LONG4"}, {'B', "BINBYTES"},
      {'C', "SHORT_BINBYTES"}, {0x8c, "SHORT_BINUNICODE"}, {0x8d, "BINUNICODE8"},
      {0x8e, "BINBYTES8"}, {0x8f, "EMPTY_SET"}, {0x90, "ADDITEMS"}, {0x91, "FROZENSET"},
      {0x92, "NEWOBJ_EX"}, {0x93, "STACK_GLOBAL"}, {0x94, "MEMOIZE"}, {0x95, "FRAME"},
      {0x96, "BYTEARRAY8"}, {0x97, "NEXT_BUFFER"}, {0x98, "READONLY_BUFFER"},
  };
  // clang-format on
  const auto it = names.find(op);
  return it == names.end() ? "?" : it->second;
}

// What the walk knows of a value on the stack: enough to read a storage's persistent id.
struct Value {
  enum Kind : unsigned char { Other, Str, Int, Tuple } kind = Other;
  std::string_view text;                            // Str
  std::int64_t number = 0;                          // Int
  std::shared_ptr<const std::vector<Value>> items;  // Tuple of at most kTupleItems
};
constexpr std::size_t kTupleItems = 5;  // ('storage', type, key, location, numel)

// The scalar type LibTorch pushes for GLOBAL 'torch <Name>Storage' (as an int), or -1.
std::int64_t storageType(std::string_view module, std::string_view name) {
  if (module != "torch") return -1;
#define MU2NET_STORAGE_TYPE(_, n) \
  if (name == #n "Storage") return static_cast<std::int64_t>(c10::ScalarType::n);
  AT_FORALL_SCALAR_TYPES_WITH_COMPLEX_AND_QINTS(MU2NET_STORAGE_TYPE)
#undef MU2NET_STORAGE_TYPE
  return -1;
}

}  // namespace

std::string pickleProblem(const std::string& pickle, const StorageRecordSize& recordSize) {
  const auto* data = reinterpret_cast<const unsigned char*>(pickle.data());
  const std::size_t size = pickle.size();
  std::size_t at = 0;
  std::size_t opAt = 0;
  unsigned char op = 0;
  const auto need = [&](std::uint64_t bytes, const char* what) -> std::string {
    if (bytes > size - at)
      return std::string(what) + " at byte " + std::to_string(at) + " declares " +
             std::to_string(bytes) + " bytes, but only " + std::to_string(size - at) + " follow";
    return {};
  };
  // A memo index counts the values stored so far: it cannot exceed the pickle's length.
  const auto memoIndex = [&](std::uint64_t index) -> std::string {
    if (index > size)
      return "memo index " + std::to_string(index) + " at byte " + std::to_string(at) +
             " is beyond what a pickle of " + std::to_string(size) + " bytes can hold";
    return {};
  };
  const auto here = [&] { return std::string(opName(op)) + " at byte " + std::to_string(opAt); };

  std::vector<Value> stack;
  std::vector<std::size_t> marks;  // stack depths at each open MARK
  std::unordered_map<std::uint64_t, Value> memo;
  // Values above the top mark: what an opcode other than a mark-consuming one may pop.
  const auto above = [&] { return stack.size() - (marks.empty() ? 0 : marks.back()); };
  const auto pop = [&](std::size_t n) -> std::string {
    if (above() < n)
      return here() + " needs " + std::to_string(n) + " value" + (n == 1 ? "" : "s") +
             " on the stack, but " + std::to_string(above()) + " " + (above() == 1 ? "is" : "are") +
             " there" + (marks.empty() ? "" : " above its MARK");
    stack.resize(stack.size() - n);
    return {};
  };
  // Pops the values above the top mark and the mark. `target`: a value (the list, dict or set
  // the items go to) must lie below the mark and above the previous one. `pairs`: key-value
  // pairs, an even count. `atLeast`: the fewest items.
  std::vector<Value> items;
  const auto popMark = [&](bool target, bool pairs, std::size_t atLeast) -> std::string {
    if (marks.empty()) return here() + " has no MARK to pop to";
    const std::size_t mark = marks.back();
    const std::size_t below = marks.size() > 1 ? marks[marks.size() - 2] : 0;
    if (target && mark <= below) return here() + " has no value below its MARK to add items to";
    const std::size_t count = stack.size() - mark;
    if (pairs && count % 2 != 0)
      return here() + " has " + std::to_string(count) +
             " values above its MARK, not key-value pairs";
    if (count < atLeast) return here() + " has no value above its MARK";
    items.assign(stack.begin() + static_cast<std::ptrdiff_t>(mark), stack.end());
    stack.resize(mark);
    marks.pop_back();
    return {};
  };
  const auto tuple = [&](std::vector<Value> elements) {
    Value v;
    if (elements.size() <= kTupleItems) {
      v.kind = Value::Tuple;
      v.items = std::make_shared<const std::vector<Value>>(std::move(elements));
    }
    stack.push_back(std::move(v));
  };
  // BINPERSID's argument: LibTorch builds a storage of numel × element size bytes over the
  // record data/<key>, which must hold exactly that.
  const auto storage = [&](const Value& id) -> std::string {
    const auto& e = id.items;
    if (id.kind != Value::Tuple || e->size() != kTupleItems || (*e)[0].kind != Value::Str ||
        (*e)[0].text != "storage" || (*e)[1].kind != Value::Int || (*e)[2].kind != Value::Str ||
        (*e)[3].kind != Value::Str || (*e)[4].kind != Value::Int)
      return here() + " is not a persistent id ('storage', <type>, key, location, numel)";
    const std::int64_t type = (*e)[1].number;
    const std::int64_t numel = (*e)[4].number;
    const std::string key((*e)[2].text);
    if (type < 0 || type >= static_cast<std::int64_t>(c10::ScalarType::NumOptions) ||
        type == static_cast<std::int64_t>(c10::ScalarType::Undefined))
      return here() + " declares storage '" + key + "' of an unknown type";
    const auto element =
        static_cast<std::int64_t>(c10::elementSize(static_cast<c10::ScalarType>(type)));
    if (numel < 0 || numel > std::numeric_limits<std::int64_t>::max() / element)
      return here() + " declares storage '" + key + "' of " + std::to_string(numel) + " values";
    if (!recordSize || numel == 0) return {};  // LibTorch reads no record for an empty storage
    const std::uint64_t bytes = static_cast<std::uint64_t>(numel * element);
    const std::optional<std::uint64_t> record = recordSize(key);
    if (!record) return here() + " declares storage '" + key + "', which has no record data/" + key;
    if (*record != bytes)
      return here() + " declares storage '" + key + "' of " + std::to_string(numel) + " values (" +
             std::to_string(bytes) + " bytes), but its record data/" + key + " holds " +
             std::to_string(*record) + " bytes";
    return {};
  };

  while (at < size) {
    opAt = at;
    op = data[at++];
    std::string problem;
    // 1. The argument: fixed size, length-prefixed, or lines of text.
    std::size_t argAt = at;
    std::uint64_t argLength = 0;
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
      case 'h':
      case 'q':
        fixed = 1;
        break;
      case 'M':
      case 0x83:
        fixed = 2;
        break;
      case 'J':
      case 0x84:
      case 'j':
      case 'r':
        fixed = 4;
        break;
      case 'G':
      case 0x95:  // BINFLOAT; FRAME (its length covers opcodes that follow inline)
        fixed = 8;
        break;
      default:
        break;
    }
    std::vector<std::string_view> lines;
    if (fixed >= 0) {
      if (!(problem = need(static_cast<std::uint64_t>(fixed), "an opcode")).empty()) return problem;
      argLength = static_cast<std::uint64_t>(fixed);
      at += static_cast<std::size_t>(fixed);
    } else {
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
        argLength = littleEndian(data + at, lengthBytes);
        at += static_cast<std::size_t>(lengthBytes);
        if (!(problem = need(argLength, "a string or number")).empty()) return problem;
        argAt = at;
        at += static_cast<std::size_t>(argLength);
      } else {
        // Text arguments ending at a newline (protocol 0): one line, two for GLOBAL and INST.
        int count = 0;
        switch (op) {
          case 'I':
          case 'L':
          case 'F':
          case 'S':
          case 'V':
          case 'P':
          case 'g':
          case 'p':
            count = 1;
            break;
          case 'c':
          case 'i':
            count = 2;
            break;
          default:
            return "unknown opcode " + std::to_string(op) + " at byte " + std::to_string(opAt);
        }
        for (int l = 0; l < count; ++l) {
          const void* end = std::memchr(data + at, '\n', size - at);
          if (!end) return "an unterminated text argument at byte " + std::to_string(at);
          const auto stop = static_cast<std::size_t>(static_cast<const unsigned char*>(end) - data);
          lines.emplace_back(pickle.data() + at, stop - at);
          at = stop + 1;
        }
      }
    }
    // 2. The memo index of GET and PUT opcodes.
    std::optional<std::uint64_t> index;
    switch (op) {
      case 'h':
      case 'q':
        index = data[argAt];
        break;
      case 'j':
      case 'r':
        index = littleEndian(data + argAt, 4);
        break;
      case 'g':
      case 'p': {
        std::uint64_t v = 0;
        const std::string_view line = lines[0];
        if (line.empty() || line.size() > 19) return here() + " has no decimal memo index";
        for (const char ch : line) {
          if (ch < '0' || ch > '9') return here() + " has no decimal memo index";
          v = v * 10 + static_cast<std::uint64_t>(ch - '0');
        }
        index = v;
        break;
      }
      case 0x94:
        index = memo.size();
        break;
      default:
        break;
    }
    if (index) {
      const std::size_t saved = at;
      at = argAt;
      problem = memoIndex(*index);
      at = saved;
      if (!problem.empty()) return problem;
    }
    // 3. The stack effect.
    switch (op) {
      case '.':  // STOP: what follows is not the pickle's business
        if (!marks.empty()) return here() + " leaves a MARK open";
        if (stack.size() != 1)
          return here() + " leaves " + std::to_string(stack.size()) +
                 " values on the stack, not one";
        return {};
      case '(':
        marks.push_back(stack.size());
        break;
      case 0x80:
      case 0x95:  // PROTO, FRAME
        break;
      case '0':  // POP: a value, or (as CPython does) the top mark when none is above it
        if (!marks.empty() && marks.back() == stack.size())
          marks.pop_back();
        else if (!(problem = pop(1)).empty())
          return problem;
        break;
      case '1':  // POP_MARK
        if (!(problem = popMark(false, false, 0)).empty()) return problem;
        break;
      case '2': {  // DUP
        if (above() < 1) return pop(1);
        const Value top = stack.back();
        stack.push_back(top);
        break;
      }
      case 'K':
        stack.push_back({Value::Int, {}, data[argAt], nullptr});
        break;
      case 'M':
        stack.push_back(
            {Value::Int, {}, static_cast<std::int64_t>(littleEndian(data + argAt, 2)), nullptr});
        break;
      case 'J':
        stack.push_back(
            {Value::Int,
             {},
             static_cast<std::int32_t>(static_cast<std::uint32_t>(littleEndian(data + argAt, 4))),
             nullptr});
        break;
      case 0x8a: {  // LONG1: little-endian two's complement
        Value v;
        if (argLength >= 1 && argLength <= 8) {
          std::uint64_t raw = littleEndian(data + argAt, static_cast<int>(argLength));
          const unsigned bits = static_cast<unsigned>(argLength) * 8;
          if (bits < 64 && (raw >> (bits - 1)) & 1) raw |= ~std::uint64_t{0} << bits;
          v = {Value::Int, {}, static_cast<std::int64_t>(raw), nullptr};
        }
        stack.push_back(std::move(v));
        break;
      }
      case 'X':
      case 0x8c:
      case 0x8d:
        stack.push_back(
            {Value::Str,
             std::string_view(pickle.data() + argAt, static_cast<std::size_t>(argLength)), 0,
             nullptr});
        break;
      case 'c': {  // GLOBAL: LibTorch pushes a storage class as its scalar type
        Value v;
        if (const std::int64_t type = storageType(lines[0], lines[1]); type >= 0)
          v = {Value::Int, {}, type, nullptr};
        stack.push_back(std::move(v));
        break;
      }
      case 'N':
      case 0x88:
      case 0x89:
      case 'G':
      case 'F':
      case 'I':
      case 'L':
      case 'S':
      case 'V':
      case 'P':
      case 'T':
      case 'U':
      case 'B':
      case 'C':
      case 0x8b:
      case 0x8e:
      case 0x96:
      case ']':
      case '}':
      case 0x8f:
      case 0x82:
      case 0x83:
      case 0x84:
      case 0x97:
        stack.emplace_back();
        break;
      case ')':
        tuple({});
        break;
      case 0x85:
      case 0x86:
      case 0x87: {  // TUPLE1, TUPLE2, TUPLE3
        const std::size_t n = static_cast<std::size_t>(op - 0x84);
        if (above() < n) return pop(n);
        std::vector<Value> elements(stack.end() - static_cast<std::ptrdiff_t>(n), stack.end());
        stack.resize(stack.size() - n);
        tuple(std::move(elements));
        break;
      }
      case 't':
        if (!(problem = popMark(false, false, 0)).empty()) return problem;
        tuple(std::move(items));
        break;
      case 'l':
      case 0x91:  // LIST, FROZENSET
        if (!(problem = popMark(false, false, 0)).empty()) return problem;
        stack.emplace_back();
        break;
      case 'd':  // DICT
        if (!(problem = popMark(false, true, 0)).empty()) return problem;
        stack.emplace_back();
        break;
      case 'i':  // INST
        if (!(problem = popMark(false, false, 0)).empty()) return problem;
        stack.emplace_back();
        break;
      case 'o':  // OBJ: the class, then its arguments
        if (!(problem = popMark(false, false, 1)).empty()) return problem;
        stack.emplace_back();
        break;
      case 'e':
      case 0x90:  // APPENDS, ADDITEMS: the list or set stays below the mark
        if (!(problem = popMark(true, false, 0)).empty()) return problem;
        stack.back() = Value();
        break;
      case 'u':  // SETITEMS
        if (!(problem = popMark(true, true, 0)).empty()) return problem;
        stack.back() = Value();
        break;
      case 'a':  // APPEND: list value -> list
        if (!(problem = pop(2)).empty()) return problem;
        stack.emplace_back();
        break;
      case 's':  // SETITEM: dict key value -> dict
        if (!(problem = pop(3)).empty()) return problem;
        stack.emplace_back();
        break;
      case 'R':
      case 'b':
      case 0x81:
      case 0x93:  // REDUCE, BUILD, NEWOBJ, STACK_GLOBAL
        if (!(problem = pop(2)).empty()) return problem;
        stack.emplace_back();
        break;
      case 0x92:  // NEWOBJ_EX: cls args kwargs -> obj
        if (!(problem = pop(3)).empty()) return problem;
        stack.emplace_back();
        break;
      case 'Q': {  // BINPERSID
        if (above() < 1) return pop(1);
        if (!(problem = storage(stack.back())).empty()) return problem;
        stack.back() = Value();
        break;
      }
      case 0x98:  // READONLY_BUFFER
        if (above() < 1) return pop(1);
        stack.back() = Value();
        break;
      case 'q':
      case 'r':
      case 'p':
      case 0x94:  // BINPUT, LONG_BINPUT, PUT, MEMOIZE
        if (above() < 1) return here() + " has no value on the stack to store";
        memo[*index] = stack.back();
        break;
      case 'h':
      case 'j':
      case 'g': {  // BINGET, LONG_BINGET, GET
        const auto it = memo.find(*index);
        if (it == memo.end())
          return here() + " reads memo index " + std::to_string(*index) +
                 ", which was never stored";
        stack.push_back(it->second);
        break;
      }
      default:
        return "unknown opcode " + std::to_string(op) + " at byte " + std::to_string(opAt);
    }
  }
  return "the pickle ends without its STOP opcode";
}

void checkPickleArchive(const std::vector<char>& archive, const std::string& where) {
  std::istringstream stream(std::string(archive.begin(), archive.end()));
  std::unique_ptr<caffe2::serialize::PyTorchStreamReader> reader;
  std::string pickle;
  try {
    reader = std::make_unique<caffe2::serialize::PyTorchStreamReader>(&stream);
    if (!reader->hasRecord("data.pkl")) return;
    auto [bytes, size] = reader->getRecord("data.pkl");
    pickle.assign(static_cast<const char*>(bytes.get()), size);
  } catch (const std::exception&) {
    return;  // not a readable archive: the unpickler says so itself
  }
  // The record LibTorch reads for a storage: data/<key> (PyTorch archives store them
  // uncompressed, so reading one costs a copy). Each key is read once.
  std::map<std::string, std::optional<std::uint64_t>, std::less<>> sizes;
  const auto recordSize = [&](const std::string& key) -> std::optional<std::uint64_t> {
    if (const auto it = sizes.find(key); it != sizes.end()) return it->second;
    std::optional<std::uint64_t> size;
    try {
      const std::string name = "data/" + key;
      if (reader->hasRecord(name)) size = std::get<1>(reader->getRecord(name));
    } catch (const std::exception&) {
      // unreadable: as missing
    }
    return sizes.emplace(key, size).first->second;
  };
  if (const std::string problem = pickleProblem(pickle, recordSize); !problem.empty())
    throw std::runtime_error(where + " is corrupt: in its data.pkl, " + problem);
}

}  // namespace mu2net
