// Standard base64 (RFC 4648 section 4: the alphabet A-Z a-z 0-9 + /, padded
// with '='), as tiktoken's ranks files use it (Python's base64.b64encode).

#ifndef PRETOKDB_BPE_BASE64_H_
#define PRETOKDB_BPE_BASE64_H_

#include <string>
#include <string_view>

namespace pretokdb {

std::string Base64Encode(std::string_view bytes);

}  // namespace pretokdb

#endif  // PRETOKDB_BPE_BASE64_H_
