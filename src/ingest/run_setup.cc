#include "ingest/run_setup.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <vector>

#include "ingest/jsonl_record.h"

namespace pretokdb {

namespace fs = std::filesystem;

namespace {

const char* InvalidUtf8Name(InvalidUtf8 policy) {
  switch (policy) {
    case InvalidUtf8::kSkip:
      return "skip";
    case InvalidUtf8::kStrict:
      return "strict";
    case InvalidUtf8::kReplace:
      break;
  }
  return "replace";
}

}  // namespace

Status MakeRunSetup(const IndexOptions& options, RunSetup* setup) {
  PatternSpec pattern;
  if (!options.regex.empty()) {
    if (!options.pattern.empty() && options.pattern != "gpt2") {
      return Status::InvalidArgument(
          "a pattern name and a regex given together; give one");
    }
    PRETOKDB_RETURN_IF_ERROR(ResolveRegex(options.regex, &pattern));
  } else {
    PRETOKDB_RETURN_IF_ERROR(ResolvePatternName(options.pattern, &pattern));
  }
  PRETOKDB_RETURN_IF_ERROR(Pretokenizer::Create(pattern, &setup->pretokenizer));
  // Built-in patterns are stored by name, a user's by its text.
  setup->config.pattern =
      pattern.name == "custom" ? pattern.regex : pattern.name;
  setup->config.invalid_utf8 = InvalidUtf8Name(options.invalid_utf8);
  if (!options.jsonl_field.empty()) {
    if (SplitFieldPath(options.jsonl_field).empty()) {
      return Status::InvalidArgument(
          "--jsonl", "'" + options.jsonl_field +
                         "' is not a field path (names joined by '.', e.g. "
                         "text or meta.text)");
    }
    if (options.invalid_utf8 != InvalidUtf8::kReplace) {
      // Decoded JSON strings are always valid UTF-8: no policy applies.
      return Status::InvalidArgument(
          "--invalid-utf8", "does not apply to --jsonl input: a record with "
                            "invalid UTF-8 is a bad record (see --bad-records)");
    }
  }
  setup->config.jsonl_field = options.jsonl_field;
  // The tokens as the user gave them, deduplicated and sorted so that the
  // same set always compares equal.
  std::vector<std::string> tokens;
  for (const std::string& t : options.special_tokens) {
    if (!t.empty()) tokens.push_back(t);
  }
  std::sort(tokens.begin(), tokens.end());
  tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
  setup->config.special_tokens = tokens;

  setup->specials = std::make_unique<SpecialTokens>(options.special_tokens);
  const Pretokenizer& p = *setup->pretokenizer;
  setup->rules = std::make_unique<TextRules>(setup->specials.get(), p,
                                             options.invalid_utf8);
  setup->rules->jsonl_field = options.jsonl_field;
  setup->rules->bad_records = options.bad_records;
  return Status::OK();
}

Status OpenForIndexing(const std::string& db_path, const RunSetup& setup,
                       const MemoryPlan& memory,
                       std::unique_ptr<RocksStore>* store, bool* new_db) {
  StoreOptions options;
  options.create_if_missing = true;
  options.memory_budget = memory.rocksdb_bytes;
  PRETOKDB_RETURN_IF_ERROR(RocksStore::Open(db_path, options, store));
  return CheckConfig(**store, db_path, setup.config, new_db);
}

bool WillCreate(const std::string& db_path) {
  std::error_code ec;
  const fs::file_status st = fs::status(db_path, ec);
  if (st.type() == fs::file_type::not_found) return true;
  return !ec && fs::is_directory(st) && fs::is_empty(db_path, ec) && !ec;
}

Status CreateForIndexing(const std::string& db_path, const RunSetup& setup,
                         const MemoryPlan& memory, const MetaWrites& plan,
                         std::unique_ptr<RocksStore>* store) {
  bool new_db = false;
  PRETOKDB_RETURN_IF_ERROR(
      OpenForIndexing(db_path, setup, memory, store, &new_db));
  if (!new_db) {
    store->reset();
    return Status::Busy(db_path,
                        "another run created this database while this one "
                        "started; run the command again to go on with it");
  }
  return (*store)->Commit({}, plan);
}

Status CheckConfig(const RocksStore& store, const std::string& db_path,
                   const DbConfig& config, bool* new_db) {
  std::string raw;
  Status s = store.GetMeta(kConfigKey, &raw);
  *new_db = s.IsNotFound();
  if (*new_db) return Status::OK();
  PRETOKDB_RETURN_IF_ERROR(s);
  DbConfig existing;
  if (!DecodeConfig(raw, &existing)) {
    return Status::Corruption(db_path, "unreadable configuration record");
  }
  if (existing.special_tokens != config.special_tokens) {
    return Status::InvalidArgument(
        db_path, "database was built with special tokens " +
                     DescribeSpecialTokens(existing.special_tokens) +
                     "; this run asks for " +
                     DescribeSpecialTokens(config.special_tokens) +
                     " (use another --db)");
  }
  if (existing.pattern != config.pattern) {
    // A built-in pattern is stored by its name, a user's by its text.
    auto describe = [](const std::string& p) {
      return (BuiltinPatternRegex(p).empty() ? "regex '" : "pattern '") + p + "'";
    };
    return Status::InvalidArgument(
        db_path, "database was built with " + describe(existing.pattern) +
                     "; this run asks for " + describe(config.pattern) +
                     " (use another --db)");
  }
  if (existing.jsonl_field != config.jsonl_field) {
    auto describe = [](const std::string& f) {
      return f.empty() ? std::string("text (no --jsonl)") : "--jsonl " + f;
    };
    return Status::InvalidArgument(
        db_path, "database was built from " + describe(existing.jsonl_field) +
                     "; this run asks for " + describe(config.jsonl_field) +
                     " (use another --db)");
  }
  if (existing.invalid_utf8 != config.invalid_utf8) {
    return Status::InvalidArgument(
        db_path, "database was built with --invalid-utf8 " +
                     existing.invalid_utf8 + "; this run asks for " +
                     config.invalid_utf8 + " (use another --db)");
  }
  return Status::OK();
}

}  // namespace pretokdb
