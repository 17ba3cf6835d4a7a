#include "merge/merge_checks.h"

#include <map>

namespace pretokdb {

namespace {

constexpr char kSameConfig[] =
    " (databases merge only when built with the same --pattern, "
    "--special-token, --invalid-utf8 and --jsonl)";

}  // namespace

Status CheckSameConfig(const DatabaseState& first, const DatabaseState& other) {
  const DbConfig& a = first.config;
  const DbConfig& b = other.config;
  if (a.pattern != b.pattern) {
    return Status::InvalidArgument(
        other.path, "was built with pattern '" + b.pattern + "', " + first.path +
                        " with '" + a.pattern + "'" + kSameConfig);
  }
  if (a.special_tokens != b.special_tokens) {
    return Status::InvalidArgument(
        other.path, "was built with special tokens " +
                        DescribeSpecialTokens(b.special_tokens) + ", " + first.path +
                        " with " + DescribeSpecialTokens(a.special_tokens) + kSameConfig);
  }
  if (a.invalid_utf8 != b.invalid_utf8) {
    return Status::InvalidArgument(
        other.path, "was built with --invalid-utf8 " + b.invalid_utf8 + ", " +
                        first.path + " with " + a.invalid_utf8 + kSameConfig);
  }
  if (a.jsonl_field != b.jsonl_field) {
    auto describe = [](const std::string& f) {
      return f.empty() ? std::string("from text") : "with --jsonl " + f;
    };
    return Status::InvalidArgument(
        other.path, "was built " + describe(b.jsonl_field) + ", " + first.path +
                        " " + describe(a.jsonl_field) + kSameConfig);
  }
  return Status::OK();
}

Status CheckFinished(const DatabaseState& db) {
  constexpr size_t kMaxNamed = 4;
  std::string missing;
  size_t files = 0;
  for (const SourceRecord& r : db.records) {
    if (r.stream && !r.ended) {
      return Status::InvalidArgument(
          db.path, "its named stream '" + r.path + "' is not complete (feed it "
                   "again to the same index command to finish it, then merge)");
    }
    std::vector<std::string> ranges;
    for (uint64_t c = 0; c < r.chunks.size(); ++c) {
      auto it = db.checkpoints.find({r.id, c});
      const uint64_t from =
          it == db.checkpoints.end() ? r.chunks[c].begin : it->second.offset;
      if (from >= r.chunks[c].end) continue;
      ranges.push_back("[" + std::to_string(from) + ", " +
                       std::to_string(r.chunks[c].end) + ")");
    }
    if (ranges.empty() || ++files > kMaxNamed) continue;
    if (!missing.empty()) missing += "; ";
    missing += r.path + " bytes ";
    for (size_t i = 0; i < ranges.size() && i < kMaxNamed; ++i) {
      missing += (i == 0 ? "" : ", ") + ranges[i];
    }
    if (ranges.size() > kMaxNamed) missing += ", ...";
  }
  if (files == 0) return Status::OK();
  if (files > kMaxNamed) {
    missing += "; and " + std::to_string(files - kMaxNamed) + " more files";
  }
  return Status::InvalidArgument(
      db.path, "its index run did not finish: not counted: " + missing +
                   " (run the same index command on it again to finish it, then merge)");
}

Status CheckSourcesDistinct(const std::vector<const DatabaseState*>& sources) {
  // Every identity a source stands for -> the source.
  std::map<std::string, const DatabaseState*> owner;
  for (const DatabaseState* s : sources) {
    auto claim = [&](const std::string& id, const std::string& via) -> Status {
      auto [it, added] = owner.emplace(id, s);
      if (added || it->second == s) return Status::OK();
      const DatabaseState* other = it->second;
      if (id == s->identity && id == other->identity) {
        return Status::InvalidArgument(
            s->path, "is the same database as " + other->path +
                         " (or a copy of it): give it once");
      }
      return Status::InvalidArgument(
          s->path, "and " + other->path + " both hold the database merged from " +
                       via + " (its counts would be added twice)");
    };
    PRETOKDB_RETURN_IF_ERROR(claim(s->identity, s->path));
    for (const auto& [id, from] : s->merged) {
      PRETOKDB_RETURN_IF_ERROR(claim(id, from.path));
    }
  }
  return Status::OK();
}

Status CheckAgainstTarget(const std::vector<const DatabaseState*>& sources,
                          const DatabaseState& target, bool* all_merged) {
  *all_merged = false;
  std::vector<const DatabaseState*> merged, fresh;
  for (const DatabaseState* s : sources) {
    if (s->identity == target.identity) {
      return Status::InvalidArgument(
          s->path, "is the target " + target.path + " itself (or a copy of it)");
    }
    auto known = target.merged.find(s->identity);
    if (known == target.merged.end()) {
      fresh.push_back(s);
    } else if (known->second.digest == s->digest) {
      merged.push_back(s);
    } else {
      // Merged before, and written since (indexed into, or merged into):
      // merging it again would add its old counts twice, and leaving it
      // out would lose the new ones.
      return Status::InvalidArgument(
          s->path, "was merged into " + target.path +
                       " before and has changed since (indexed or merged "
                       "into): its old counts are there and its new ones "
                       "cannot be told apart; merge the sources into a new "
                       "target instead");
    }
  }
  if (fresh.empty()) {
    *all_merged = true;
    return Status::OK();
  }
  if (!merged.empty()) {
    std::string names;
    for (const DatabaseState* s : merged) names += (names.empty() ? "" : ", ") + s->path;
    return Status::InvalidArgument(
        target.path, "already holds " + names +
                         " (merged into it before; their counts are there): "
                         "leave " + (merged.size() == 1 ? "it" : "them") +
                         " out of this merge");
  }
  for (const DatabaseState* s : fresh) {
    for (const auto& [id, from] : s->merged) {
      if (id == target.identity) {
        return Status::InvalidArgument(
            s->path, "holds the target " + target.path +
                         " itself (merged into it before): its counts would be added twice");
      }
      if (target.merged.count(id) != 0) {
        return Status::InvalidArgument(
            s->path, "holds " + from.path + ", which " + target.path +
                         " holds already (merged into both): its counts would "
                         "be added twice");
      }
    }
  }
  return Status::OK();
}

}  // namespace pretokdb
