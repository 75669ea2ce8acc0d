#pragma once
// Private to core: a check of the pickle inside a PyTorch zip archive (a component file, a root
// checkpoint) before LibTorch's unpickler sees it. LibTorch allocates what a pickle declares: a
// string opcode declaring 2 GB, or a memo index of 4 billion, in a 1 KB file makes it allocate
// gigabytes before it notices that the data is not there. The check walks every opcode and
// refuses a declared length beyond the data, or a memo index no pickle of that size can reach.
#include <string>
#include <vector>

namespace mu2net {

/// Throws std::runtime_error "<where> is corrupt: ..." when the archive's data.pkl declares more
/// than it holds (see above). Returns silently when the bytes are not a readable PyTorch archive
/// at all: the unpickler then reports that in its own words.
void checkPickleArchive(const std::vector<char>& archive, const std::string& where);

/// The same check on the bytes of one pickle; returns "" when it is sound, else the problem.
std::string pickleProblem(const std::string& pickle);

}  // namespace mu2net
