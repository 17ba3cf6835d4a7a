#include "ingest/jsonl_record.h"

#include <simdjson.h>

#include <cstring>
#include <utility>

#include "ingest/json_unescape.h"
#include "text/utf8.h"

namespace pretokdb {

namespace od = simdjson::ondemand;
using simdjson::error_code;

namespace {

// A parser grown past this by a long line is dropped before the next one,
// so that a single long record does not keep its memory.
constexpr size_t kKeepCapacity = size_t{1} << 20;

bool IsJsonSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && IsJsonSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 8259's number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
// simdjson's own parse refuses numbers beyond a double (1e400), which are
// JSON (json.loads gives inf): only the grammar is checked here.
bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  if (i < n && s[i] == '-') ++i;
  if (i == n) return false;
  if (s[i] == '0') {
    ++i;
  } else if (IsDigit(s[i])) {
    while (i < n && IsDigit(s[i])) ++i;
  } else {
    return false;
  }
  if (i < n && s[i] == '.') {
    ++i;
    if (i == n || !IsDigit(s[i])) return false;
    while (i < n && IsDigit(s[i])) ++i;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (i == n || !IsDigit(s[i])) return false;
    while (i < n && IsDigit(s[i])) ++i;
  }
  return i == n;
}

// What the walk found at the field path, so far (the last key wins).
enum class Found { kMissing, kNotString, kString };

}  // namespace

const char* DescribeBadRecord(BadRecord why) {
  switch (why) {
    case BadRecord::kInvalidJson:
      return "not valid JSON";
    case BadRecord::kInvalidUtf8:
      return "not valid UTF-8";
    case BadRecord::kMissingField:
      return "has no such field";
    case BadRecord::kNotString:
      return "holds no string in the field";
    case BadRecord::kTooLong:
      return "longer than the record limit";
    case BadRecord::kNone:
      break;
  }
  return "a record";
}

std::string StrictRecordError(uint64_t line, uint64_t byte, bool decompressed,
                              BadRecord why, std::string_view field_path) {
  std::string where = "byte " + std::to_string(byte);
  if (decompressed) where += " of the decompressed text";
  where = line != 0 ? "line " + std::to_string(line) + " (" + where + ")"
                    : "the line at " + where;
  return where + " " + DescribeBadRecord(why) + " (--jsonl " +
         std::string(field_path) + "); fix it, or index with --bad-records skip";
}

std::vector<std::string> SplitFieldPath(std::string_view field_path) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    const size_t dot = field_path.find('.', start);
    const std::string_view part = field_path.substr(
        start, dot == std::string_view::npos ? std::string_view::npos
                                             : dot - start);
    if (part.empty()) return {};
    parts.emplace_back(part);
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

struct JsonlRecordParser::Impl {
  std::vector<std::string> path;
  od::parser parser;
  std::string padded;   // the line, then simdjson's padding
  std::string decoded;  // the field, when simdjson could not decode it
  std::string scratch;  // other strings simdjson could not decode
  std::string key;      // the current key, decoded
  const char* line_end = nullptr;
  std::string_view text;

  // Checks a string (token: its raw token, from the quote); if `keep`, it
  // is the field's and becomes `text`.
  bool String(od::value& v, bool keep) {
    const std::string_view raw = v.raw_json_token();
    std::string_view s;
    if (v.get_string().get(s) == simdjson::SUCCESS) {
      if (keep) text = s;
      return true;
    }
    // simdjson 3.0 refuses lone surrogates; decode it ourselves (which also
    // tells a bad escape from a lone surrogate).
    std::string* out = keep ? &decoded : &scratch;
    out->clear();
    if (!UnescapeJsonString(raw.data() + 1, line_end, out)) return false;
    if (keep) text = *out;
    return true;
  }

  bool Scalar(od::value& v, od::json_type type) {
    const std::string_view raw = TrimRight(v.raw_json_token());
    switch (type) {
      case od::json_type::number:
        return IsJsonNumber(raw);
      case od::json_type::boolean:
        return raw == "true" || raw == "false";
      case od::json_type::null:
        return raw == "null";
      default:
        return false;
    }
  }

  // Walks v whole. If found is set, v is on the path: the object in which
  // path[level] is looked for.
  bool Walk(od::value& v, int depth, size_t level, Found* found) {
    if (depth > kMaxDepth) return false;
    od::json_type type;
    if (v.type().get(type) != simdjson::SUCCESS) return false;
    switch (type) {
      case od::json_type::object: {
        od::object obj;
        if (v.get_object().get(obj) != simdjson::SUCCESS) return false;
        return Object(obj, depth, level, found);
      }
      case od::json_type::array: {
        od::array arr;
        if (v.get_array().get(arr) != simdjson::SUCCESS) return false;
        for (auto element : arr) {
          od::value e;
          if (std::move(element).get(e) != simdjson::SUCCESS) return false;
          if (!Walk(e, depth + 1, 0, nullptr)) return false;
        }
        return true;
      }
      case od::json_type::string:
        return String(v, false);
      default:
        return Scalar(v, type);
    }
  }

  bool Object(od::object& obj, int depth, size_t level, Found* found) {
    for (auto member : obj) {
      od::field f;
      if (std::move(member).get(f) != simdjson::SUCCESS) return false;
      // Every key is decoded here: it checks the key's escapes (which
      // on-demand skips), and simdjson's unescaped_key() refuses lone
      // surrogates.
      key.clear();
      if (!UnescapeJsonString(f.key().raw(), line_end, &key)) return false;
      const bool on_path = found != nullptr && key == path[level];
      od::value& v = f.value();
      if (!on_path) {
        if (!Walk(v, depth + 1, 0, nullptr)) return false;
        continue;
      }
      od::json_type type;
      if (v.type().get(type) != simdjson::SUCCESS) return false;
      if (level + 1 == path.size()) {
        if (type == od::json_type::string) {
          if (!String(v, true)) return false;
          *found = Found::kString;
        } else {
          if (!Walk(v, depth + 1, 0, nullptr)) return false;
          *found = Found::kNotString;
        }
      } else if (type == od::json_type::object) {
        *found = Found::kMissing;  // unless found in this later object
        if (!Walk(v, depth + 1, level + 1, found)) return false;
      } else {
        if (!Walk(v, depth + 1, 0, nullptr)) return false;
        *found = Found::kMissing;
      }
    }
    return true;
  }
};

JsonlRecordParser::JsonlRecordParser(std::string_view field_path)
    : impl_(std::make_unique<Impl>()) {
  impl_->path = SplitFieldPath(field_path);
}

JsonlRecordParser::~JsonlRecordParser() = default;

bool JsonlRecordParser::IsBlank(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

BadRecord JsonlRecordParser::Check(std::string_view line) {
  if (IsBlank(line)) return BadRecord::kNone;
  std::string_view text;
  return Parse(line, &text);
}

BadRecord JsonlRecordParser::Parse(std::string_view line,
                                   std::string_view* text) {
  Impl& m = *impl_;
  if (line.size() > kMaxRecordBytes) return BadRecord::kTooLong;
  if (m.parser.capacity() > kKeepCapacity && line.size() <= kKeepCapacity) {
    m.parser = od::parser();
  }
  m.padded.resize(line.size() + simdjson::SIMDJSON_PADDING);
  std::memcpy(m.padded.data(), line.data(), line.size());
  std::memset(m.padded.data() + line.size(), 0, simdjson::SIMDJSON_PADDING);
  m.line_end = m.padded.data() + line.size();
  m.text = {};
  od::document doc;
  error_code e =
      m.parser.iterate(m.padded.data(), line.size(), m.padded.size()).get(doc);
  if (e != simdjson::SUCCESS) {
    // Python decodes the line before it parses it: invalid UTF-8 comes
    // first, whatever simdjson met first. (A line iterate() took is UTF-8.)
    return e == simdjson::UTF8_ERROR || !IsValidUtf8(line.data(), line.size())
               ? BadRecord::kInvalidUtf8
               : BadRecord::kInvalidJson;
  }
  od::json_type type;
  if (doc.type().get(type) != simdjson::SUCCESS) return BadRecord::kInvalidJson;
  Found found = Found::kMissing;
  if (type == od::json_type::object || type == od::json_type::array) {
    od::value root;
    if (doc.get_value().get(root) != simdjson::SUCCESS) {
      return BadRecord::kInvalidJson;
    }
    const bool object = type == od::json_type::object;
    if (!m.Walk(root, 1, 0, object ? &found : nullptr)) {
      return BadRecord::kInvalidJson;
    }
    // Anything after the root value is not JSON.
    if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
      return BadRecord::kInvalidJson;
    }
  } else {
    // A scalar line is JSON but no object: its whole text is the token.
    std::string_view raw;
    if (doc.raw_json_token().get(raw) != simdjson::SUCCESS) {
      return BadRecord::kInvalidJson;
    }
    std::string_view rest = TrimRight(std::string_view(
        raw.data(), static_cast<size_t>(m.line_end - raw.data())));
    bool ok;
    if (type == od::json_type::string) {
      m.scratch.clear();
      const char* end = nullptr;
      ok = UnescapeJsonString(rest.data() + 1, m.line_end, &m.scratch, &end) &&
           end == rest.data() + rest.size();
    } else if (type == od::json_type::number) {
      ok = IsJsonNumber(rest);
    } else if (type == od::json_type::boolean) {
      ok = rest == "true" || rest == "false";
    } else {
      ok = rest == "null";
    }
    if (!ok) return BadRecord::kInvalidJson;
  }
  switch (found) {
    case Found::kString:
      *text = m.text;
      return BadRecord::kNone;
    case Found::kNotString:
      return BadRecord::kNotString;
    case Found::kMissing:
      break;
  }
  return BadRecord::kMissingField;
}

}  // namespace pretokdb
