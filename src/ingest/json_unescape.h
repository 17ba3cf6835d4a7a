// Decoding a JSON string's escapes (RFC 8259, section 7) where simdjson
// 3.0's get_string() refuses: an escaped lone surrogate (\ud800 not followed
// by an escaped low surrogate, or a low surrogate alone). Python's
// json.loads keeps such a surrogate in its str; JSON Lines input takes it as
// U+FFFD (README, "JSON Lines"), so this decoder writes U+FFFD for each one
// and decodes every other escape as JSON does.
//
// Pure and thread-safe.

#ifndef PRETOKDB_INGEST_JSON_UNESCAPE_H_
#define PRETOKDB_INGEST_JSON_UNESCAPE_H_

#include <cstddef>
#include <string>

namespace pretokdb {

// Decodes the JSON string whose content starts at p (just after its opening
// quote) up to its closing quote, appending the UTF-8 result to *out.
// Sets *end (if not null) to just past the closing quote. Returns false,
// appending an unspecified prefix, on an escape JSON does not have (\x,
// \u12, \U0041), a raw control character (below 0x20), or no closing
// quote before limit. The other bytes are copied as they are:
// REQUIRES: [p, limit) is valid UTF-8 (simdjson checks the whole line).
bool UnescapeJsonString(const char* p, const char* limit, std::string* out,
                        const char** end = nullptr);

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_JSON_UNESCAPE_H_
