#pragma once
// Private to core: a check of the pickle inside a PyTorch zip archive (a component file, a root
// checkpoint) before LibTorch's unpickler sees it. LibTorch 1.13's unpickler trusts the pickle:
//  - it allocates what a string opcode or a memo index declares (2 GB for a 1 KB file);
//  - it does not check its value stack or its mark stack: an opcode that pops more values than
//    there are (TUPLE3 on two, REDUCE on one, SETITEMS without a MARK) corrupts the heap;
//  - it builds a storage of the size a persistent id declares over a record that may be smaller.
// The check walks every opcode, simulating the stack effect of each (values and marks, as
// CPython's unpickler does, refusing to pop below the top mark), the memo (a get of an index
// never put is refused), STOP (exactly one value and no open mark), and every storage's
// persistent id ('storage', <type>, key, location, numel) against its record's size.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mu2net {

/// Throws std::runtime_error "<where> is corrupt: ..." when the archive's data.pkl is not sound
/// (see above). Returns silently when the bytes are not a readable PyTorch archive at all: the
/// unpickler then reports that in its own words.
void checkPickleArchive(const std::vector<char>& archive, const std::string& where);

/// The size in bytes of the archive's record data/<key>, or nullopt when there is none.
using StorageRecordSize = std::function<std::optional<std::uint64_t>(const std::string& key)>;

/// The same check on the bytes of one pickle; returns "" when it is sound, else the problem.
/// Without `recordSize` a storage's persistent id is checked but not against a record.
std::string pickleProblem(const std::string& pickle, const StorageRecordSize& recordSize = {});

}  // namespace mu2net
