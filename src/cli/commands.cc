#include "cli/commands.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <new>
#include <optional>
#include <nlohmann/json.hpp>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "cli/binary_check.h"
#include "cli/merge_command.h"
#include "cli/progress.h"
#include "cli/text_format.h"
#include "cli/train_bpe_command.h"
#include "pretokdb/indexer.h"
#include "pretokdb/options.h"
#include "pretokdb/reader.h"
#include "pretokdb/version.h"
#include "text/pattern.h"
#include "text/utf8.h"
#include "ingest/source_file.h"

namespace pretokdb {

namespace {

constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitStopped = 130;

int Fail(const std::string& message) {
  std::fprintf(stderr, "pretok-db: error: %s\n", message.c_str());
  return kExitError;
}

int Fail(const Status& s) { return Fail(s.message()); }

// Buffered stdout or file output that reports write errors (a full disk,
// a closed pipe) instead of losing them.
class Output {
 public:
  Output() : file_(stdout) {}
  ~Output() {
    if (file_ != nullptr && file_ != stdout) std::fclose(file_);
  }
  bool Open(const std::string& path) {
    if (path.empty() || path == "-") return true;
    file_ = std::fopen(path.c_str(), "wb");
    return file_ != nullptr;
  }
  void Write(std::string_view s) {
    buf_.append(s);
    if (buf_.size() >= (1 << 20)) Drain();
  }
  bool Close() {
    Drain();
    bool ok = !failed_ && std::fflush(file_) == 0 && !std::ferror(file_);
    if (file_ != stdout) {
      ok = std::fclose(file_) == 0 && ok;
      file_ = nullptr;
    }
    return ok;
  }

 private:
  void Drain() {
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), file_) != buf_.size()) {
      failed_ = true;
    }
    buf_.clear();
  }
  std::FILE* file_;
  std::string buf_;
  bool failed_ = false;
};

std::string CountLine(uint64_t count, std::string_view rest) {
  std::string line = std::to_string(count);
  line.push_back('\t');
  line.append(rest);
  line.push_back('\n');
  return line;
}

// {"token": "...", "hex": "...", "count": N} and a newline: the token as
// text (invalid UTF-8 as U+FFFD), and its exact bytes as lowercase hex.
std::string JsonCountLine(std::string_view token, uint64_t count) {
  nlohmann::ordered_json j;
  j["token"] = std::string(token);
  j["hex"] = ToHex(token);
  j["count"] = count;
  std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line.push_back('\n');
  return line;
}

// ---- index -----------------------------------------------------------------

// --pattern takes a built-in name only and --regex a regex only: a name is
// never guessed from a regex ("ok" is both). "" if text is valid.
std::string PatternNameError(const std::string& text) {
  PatternSpec spec;
  if (ResolvePatternName(text, &spec).ok()) return "";
  const bool word = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
  if (word) {
    return "unknown pattern name '" + text +
           "' (known: gpt2, cl100k, o200k); a regular expression of your own "
           "goes to --regex";
  }
  return "'" + text + "' is not a pattern name (gpt2, cl100k, o200k); give a "
         "regular expression of your own with --regex";
}

std::string RegexArgError(const std::string& text) {
  if (text.empty()) return "empty regular expression";
  PatternSpec spec;
  if (ResolvePatternName(text, &spec).ok()) {
    return "'" + text + "' is a built-in pattern's name: give it as --pattern " + text;
  }
  return "";
}

struct IndexArgs {
  std::string db = "pretok.db";
  std::vector<std::string> special_tokens;
  bool no_special_tokens = false;
  std::string pattern = "gpt2";
  std::string regex;
  std::string invalid_utf8 = "replace";
  bool invalid_utf8_given = false;
  std::string jsonl;
  std::string bad_records = "skip";
  int workers = 0;
  std::string memory_limit;
  bool quiet = false;
  std::string log;
  std::optional<std::string> shard;  // "K/N"
  std::string root;
  bool quick_check = false;
  std::string shard_unit;  // tests only: the split's unit, a size
  std::string compressed_unit;  // tests only: a .zst's unit of frames, a size
  std::optional<std::string> stream_name;
  std::vector<std::string> files;
};

// "K/N" with 0 <= K < N, both whole numbers; "" if it is one, else what is
// wrong.
std::string ParseShard(const std::string& v, uint64_t* k, uint64_t* n) {
  const size_t slash = v.find('/');
  auto number = [](std::string_view t, uint64_t* out) {
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), *out);
    return !t.empty() && ec == std::errc() && end == t.data() + t.size();
  };
  if (slash == std::string::npos ||
      !number(std::string_view(v).substr(0, slash), k) ||
      !number(std::string_view(v).substr(slash + 1), n) || *n < 1 || *k >= *n) {
    return "'" + v + "' is not K/N with whole numbers 0 <= K < N (e.g. 0/4 .. 3/4)";
  }
  return "";
}

int Usage(const std::string& message) {
  std::fprintf(stderr, "pretok-db: error: %s (see --help)\n", message.c_str());
  return kExitUsage;
}

int RunIndex(const IndexArgs& args) {
  IndexOptions options;
  if (args.no_special_tokens && !args.special_tokens.empty()) {
    return Fail("--special-token and --no-special-tokens exclude each other");
  }
  if (args.no_special_tokens) {
    options.special_tokens.clear();
  } else if (!args.special_tokens.empty()) {
    options.special_tokens = args.special_tokens;
  }
  for (const std::string& t : options.special_tokens) {
    if (t.empty()) return Fail("--special-token: empty token");
    if (!IsValidUtf8(t.data(), t.size())) {
      return Fail("--special-token: '" + EscapeToken(t) + "' is not valid UTF-8");
    }
    if (args.invalid_utf8 == "replace" &&
        t.find("\xEF\xBF\xBD") != std::string::npos) {
      return Fail("--special-token: a token may not contain U+FFFD (it would "
                  "match replaced invalid bytes)");
    }
  }
  options.pattern = args.pattern;
  options.regex = args.regex;
  if (args.invalid_utf8 == "replace") {
    options.invalid_utf8 = InvalidUtf8::kReplace;
  } else if (args.invalid_utf8 == "skip") {
    options.invalid_utf8 = InvalidUtf8::kSkip;
  } else if (args.invalid_utf8 == "strict") {
    options.invalid_utf8 = InvalidUtf8::kStrict;
  } else {
    return Fail("--invalid-utf8: '" + args.invalid_utf8 +
                "' is not one of replace, skip, strict");
  }
  if (!args.jsonl.empty()) {
    if (args.invalid_utf8_given) {
      return Usage("--invalid-utf8 does not apply to --jsonl input: a record with "
                   "invalid UTF-8 is a bad record (see --bad-records)");
    }
    options.jsonl_field = args.jsonl;
  } else if (args.bad_records != "skip") {
    return Usage("--bad-records applies to --jsonl input only");
  }
  options.bad_records =
      args.bad_records == "strict" ? BadRecords::kStrict : BadRecords::kSkip;
  if (args.workers < 0 || args.workers > 1024) {
    return Fail("--workers: must be between 1 and 1024");
  }
  options.workers = args.workers;
  if (args.memory_limit.empty()) {
    options.memory_limit = DefaultMemoryLimit();
  } else if (std::string e = MemoryLimitError(args.memory_limit); !e.empty()) {
    return Fail("--memory-limit: " + e);  // the option's validator said so first
  } else {
    ParseSize(args.memory_limit, &options.memory_limit);
  }
  // RocksDB writes in the database's directory on every open; say so
  // plainly rather than with its own text about renaming LOG.
  if (access(args.db.c_str(), F_OK) == 0 && access(args.db.c_str(), W_OK) != 0) {
    return Fail(args.db + ": the database is read-only for this user; index needs to "
                "write in it (run as its owner, or copy it); query, top, stats and "
                "export only read it");
  }
  const bool stream =
      std::find(args.files.begin(), args.files.end(), "-") != args.files.end();
  if (stream && args.files.size() > 1) {
    return Fail("-: standard input is indexed alone, not with files, in a run");
  }
  if (args.stream_name) {
    if (!stream) {
      return Usage("--stream-name names standard input: give it with '-' as "
                   "the input");
    }
    if (args.stream_name->empty()) {
      return Usage("--stream-name: a stream's name cannot be empty");
    }
    options.stream_name = *args.stream_name;
  }
  if (args.shard) {
    if (std::string e = ParseShard(*args.shard, &options.shard_index, &options.shard_count);
        !e.empty()) {
      return Usage("--shard: " + e);
    }
    if (stream) {
      return Usage("--shard: standard input cannot be split into shards; index it "
                   "without --shard");
    }
  }
  if (!args.shard_unit.empty()) {
    if (!ParseSize(args.shard_unit, &options.shard_unit_bytes) ||
        options.shard_unit_bytes == 0) {
      return Usage("--shard-unit: '" + args.shard_unit + "' is not a size of at least 1 byte");
    }
  }
  options.quick_check = args.quick_check;
  if (!args.compressed_unit.empty()) {
    if (!ParseSize(args.compressed_unit, &options.compressed_unit_bytes) ||
        options.compressed_unit_bytes == 0) {
      return Usage("--compressed-unit: '" + args.compressed_unit +
                   "' is not a size of at least 1 byte");
    }
  }
  if (!args.root.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(args.root, ec)) {
      return Usage("--root: " + args.root + " is not a directory");
    }
    options.root = args.root;
    if (!stream) {
      for (const std::string& f : args.files) {
        std::string key;
        if (Status ks = InputKey(args.root, f, &key); !ks.ok()) return Usage(ks.message());
      }
    }
  }

  std::FILE* log = nullptr;
  if (!args.log.empty()) {
    log = std::fopen(args.log.c_str(), "a");
    if (log == nullptr) return Fail(Status::IOError(args.log, std::strerror(errno)));
  }

  std::unique_ptr<ProgressReporter> reporter;
  // Binary input is counted as the --invalid-utf8 policy says, but rarely
  // meant: once the run has checked everything and starts counting, say so
  // once per file, on stderr and in the --log. (Under strict, invalid bytes
  // refuse the file anyway.)
  const bool warn_binary = !stream && options.invalid_utf8 != InvalidUtf8::kStrict &&
                           options.jsonl_field.empty();
  options.on_event = [&reporter, &args, warn_binary](const IndexEvent& e) {
    if (!reporter) return;
    reporter->OnEvent(e);
    if (e.type != IndexEvent::Type::kStart || e.bytes == 0 || !warn_binary) return;
    for (const std::string& path : args.files) {
      std::string reason = FileBinaryReason(path);
      if (reason.empty()) continue;
      IndexEvent w(IndexEvent::Type::kWarning);
      w.path = path;
      w.message = reason + "; indexed anyway, as --invalid-utf8 " + args.invalid_utf8 + " says";
      reporter->OnEvent(w);
    }
  };
  Indexer indexer(args.db, options);
  reporter = std::make_unique<ProgressReporter>(&indexer, args.quiet, log);

  // SIGINT/SIGTERM: commit what is counted and stop; a second one kills.
  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  int signals_seen = 0;
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        if (++signals_seen > 1) _exit(128 + signo);
        indexer.RequestStop();
        signals.async_wait(on_signal);
      };
  signals.async_wait(on_signal);
  std::thread signal_thread([&io] { io.run(); });

  reporter->Start();
  Status s = stream ? indexer.RunStream(STDIN_FILENO) : indexer.Run(args.files);
  const bool up_to_date = s.ok() && !stream && indexer.progress().up_to_date;
  reporter->Finish(/*final_line=*/(s.ok() || s.IsAborted()) && !up_to_date);
  if (up_to_date && !args.quiet) {
    std::fprintf(stderr,
                 "pretok-db: every file is already indexed in %s; nothing was done\n",
                 args.db.c_str());
  }

  io.stop();
  signal_thread.join();
  // The run is over and what it counted committed; closing the database
  // (which waits for its compactions) is left. A signal now ends the
  // process at once with the stopped status, as a signal during the run
  // would, instead of killing it (the signal set, destroyed, would leave
  // the default action for that time).
  signals.clear();
  struct sigaction exit_now = {};
  exit_now.sa_handler = [](int signo) { _exit(128 + signo); };
  sigaction(SIGINT, &exit_now, nullptr);
  sigaction(SIGTERM, &exit_now, nullptr);
  if (log != nullptr) std::fclose(log);

  if (s.IsAborted() && stream) {
    std::fprintf(stderr, "pretok-db: %s\n", s.ToString().c_str());
    return kExitStopped;
  }
  if (s.IsAborted()) {
    std::fprintf(stderr,
                 "pretok-db: stopped; the counts so far are committed. To "
                 "resume, run the same command again.\n");
    return kExitStopped;
  }
  if (!s.ok()) return Fail(s);
  return 0;
}

// ---- query, top, export, stats -------------------------------------------

int OpenReader(const std::string& db, std::unique_ptr<CountReader>* reader) {
  Status s = CountReader::Open(db, reader);
  return s.ok() ? 0 : Fail(s);
}

int RunQuery(const std::string& db, bool hex, bool json,
             const std::vector<std::string>& tokens) {
  std::vector<std::string> keys;
  for (const std::string& t : tokens) {
    std::string key = t;
    if (hex && !FromHex(t, &key)) {
      return Fail("--hex: '" + t + "' is not hex (two digits per byte)");
    }
    keys.push_back(key);
  }
  std::unique_ptr<CountReader> reader;
  if (int rc = OpenReader(db, &reader)) return rc;
  Output out;
  for (size_t i = 0; i < keys.size(); ++i) {
    uint64_t count;
    Status s = reader->Get(keys[i], &count);
    if (!s.ok()) return Fail(s);
    if (json) {
      out.Write(JsonCountLine(keys[i], count));
    } else {
      out.Write(CountLine(count, hex ? ToHex(keys[i]) : EscapeToken(keys[i])));
    }
  }
  return out.Close() ? 0 : Fail("stdout: write failed");
}

int RunTop(const std::string& db, size_t n, bool json) {
  std::unique_ptr<CountReader> reader;
  if (int rc = OpenReader(db, &reader)) return rc;
  using Entry = std::pair<uint64_t, std::string>;
  // "Better" = higher count, then smaller token; the heap's top is the worst.
  auto better = [](const Entry& a, const Entry& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  };
  std::priority_queue<Entry, std::vector<Entry>, decltype(better)> heap(better);
  std::unique_ptr<CountIterator> it = reader->NewIterator();
  for (; it->Valid() && n > 0; it->Next()) {
    if (heap.size() < n) {
      heap.emplace(it->count(), std::string(it->token()));
    } else if (it->count() > heap.top().first) {
      // Keys arrive in ascending order, so an equal count never beats the
      // kept (smaller) token.
      heap.pop();
      heap.emplace(it->count(), std::string(it->token()));
    }
  }
  if (!it->status().ok()) return Fail(it->status());
  std::vector<Entry> entries;
  while (!heap.empty()) {
    entries.push_back(heap.top());
    heap.pop();
  }
  std::sort(entries.begin(), entries.end(), better);
  Output out;
  for (const Entry& e : entries) {
    out.Write(json ? JsonCountLine(e.second, e.first) : CountLine(e.first, EscapeToken(e.second)));
  }
  return out.Close() ? 0 : Fail("stdout: write failed");
}

int RunExport(const std::string& db, const std::string& format, const std::string& path) {
  std::unique_ptr<CountReader> reader;
  if (int rc = OpenReader(db, &reader)) return rc;
  Output out;
  if (!out.Open(path)) return Fail(Status::IOError(path, std::strerror(errno)));
  std::unique_ptr<CountIterator> it = reader->NewIterator();
  std::string line;
  for (; it->Valid(); it->Next()) {
    line.clear();
    if (format == "hex") {
      line = ToHex(it->token());
      line.push_back('\t');
      line.append(std::to_string(it->count()));
    } else if (format == "tsv") {
      line = EscapeToken(it->token());
      line.push_back('\t');
      line.append(std::to_string(it->count()));
    } else {
      out.Write(JsonCountLine(it->token(), it->count()));
      continue;
    }
    line.push_back('\n');
    out.Write(line);
  }
  if (!it->status().ok()) return Fail(it->status());
  return out.Close() ? 0 : Fail((path.empty() ? std::string("stdout") : path) + ": write failed");
}

int RunStats(const std::string& db, bool json) {
  std::unique_ptr<CountReader> reader;
  if (int rc = OpenReader(db, &reader)) return rc;
  DbStats st;
  Status s = reader->GetStats(&st);
  if (!s.ok()) return Fail(s);
  const auto replace = nlohmann::json::error_handler_t::replace;
  Output out;
  if (json) {
    nlohmann::json j;
    j["db"] = AbsolutePath(db);
    j["files"] = nlohmann::json::array();
    for (const SourceInfo& f : st.files) {
      nlohmann::json held = nlohmann::json::array();
      for (const ByteRange& r : f.held) held.push_back({r.begin, r.end});
      j["files"].push_back({{"path", f.path},
                            {"relative", f.relative},
                            {"size", f.size},
                            {"bytes_held", f.bytes_held},
                            {"held", held},
                            {"bytes_done", f.bytes_done},
                            {"first_document", f.first_document}});
    }
    j["streams"] = nlohmann::json::array();
    for (const StreamInfo& t : st.streams) {
      j["streams"].push_back({{"name", t.name},
                              {"bytes_done", t.bytes_done},
                              {"complete", t.complete}});
    }
    j["documents"] = st.documents;
    j["pretokens"] = st.pretokens;
    j["distinct_pretokens"] = st.distinct_pretokens;
    j["invalid_utf8_replaced"] = st.invalid_utf8_replaced;
    j["skipped_stretches"] = st.skipped_stretches;
    j["skipped_bytes"] = st.skipped_bytes;
    j["bad_records"] = st.bad_records;
    j["bad_records_by_reason"] = {{"invalid_json", st.bad.invalid_json},
                                  {"invalid_utf8", st.bad.invalid_utf8},
                                  {"missing_field", st.bad.missing_field},
                                  {"not_string", st.bad.not_string},
                                  {"too_long", st.bad.too_long}};
    j["spills"] = st.spills;
    j["elapsed_seconds"] = st.elapsed_seconds;
    j["config"] = {{"pattern", st.pattern},
                   {"pattern_regex", st.pattern_regex},
                   {"special_tokens", st.special_tokens},
                   {"invalid_utf8", st.invalid_utf8},
                   {"jsonl", st.jsonl_field}};
    out.Write(j.dump(2, ' ', false, replace));
    out.Write("\n");
    return out.Close() ? 0 : Fail("stdout: write failed");
  }
  char buf[512];
  auto line = [&](const char* key, const std::string& value) {
    std::snprintf(buf, sizeof(buf), "%-24s%s\n", key, value.c_str());
    out.Write(buf);
  };
  line("database", AbsolutePath(db));
  line("files", std::to_string(st.files.size()));
  for (const SourceInfo& f : st.files) {
    std::string state = f.bytes_done == f.bytes_held
                            ? "done"
                            : FormatBytes(f.bytes_done) + " done";
    if (f.bytes_held != f.size) {
      // A shard: say what of the file it holds.
      state = "holds " + std::to_string(f.bytes_held) + " bytes in " +
              std::to_string(f.held.size()) + " range" +
              (f.held.size() == 1 ? "" : "s") + ", " + state;
    }
    out.Write("  " + f.path + "  " + std::to_string(f.size) + " bytes, " + state + "\n");
  }
  if (!st.streams.empty()) {
    line("streams", std::to_string(st.streams.size()));
    for (const StreamInfo& t : st.streams) {
      out.Write("  " + t.name + "  " + std::to_string(t.bytes_done) + " bytes, " +
                (t.complete ? "done" : "not complete (resume: feed it again)") + "\n");
    }
  }
  line("documents", std::to_string(st.documents));
  line("pretokens", std::to_string(st.pretokens));
  line("distinct pretokens", std::to_string(st.distinct_pretokens));
  line("invalid UTF-8 replaced", std::to_string(st.invalid_utf8_replaced));
  if (st.skipped_stretches > 0) {
    line("skipped (too long)", std::to_string(st.skipped_stretches) +
                                   " stretches, " +
                                   std::to_string(st.skipped_bytes) + " bytes");
  }
  if (!st.jsonl_field.empty()) {
    std::string bad = std::to_string(st.bad_records);
    if (st.bad_records > 0) {
      const std::pair<const char*, uint64_t> reasons[] = {
          {"invalid JSON", st.bad.invalid_json}, {"invalid UTF-8", st.bad.invalid_utf8},
          {"missing field", st.bad.missing_field}, {"not a string", st.bad.not_string},
          {"too long", st.bad.too_long}};
      std::string parts;
      for (const auto& [name, n] : reasons) {
        if (n == 0) continue;
        parts += (parts.empty() ? "" : ", ") + std::string(name) + " " + std::to_string(n);
      }
      bad += " (" + parts + ")";
    }
    line("bad records (skipped)", bad);
  }
  line("spills", std::to_string(st.spills));
  std::snprintf(buf, sizeof(buf), "%.2f s", st.elapsed_seconds);
  line("elapsed", buf);
  line("pattern", st.pattern + "  " + st.pattern_regex);
  std::string tokens;
  for (const std::string& t : st.special_tokens) tokens += (tokens.empty() ? "" : " ") + EscapeToken(t);
  line("special tokens", tokens.empty() ? "(none)" : tokens);
  line("invalid UTF-8 policy", st.invalid_utf8);
  if (!st.jsonl_field.empty()) line("input", "JSON Lines, field " + st.jsonl_field);
  return out.Close() ? 0 : Fail("stdout: write failed");
}

}  // namespace

int RunCommandLine(int argc, char** argv) {
  CLI::App app{
      "pretok-db: counts the pretokens of text corpora (GPT-2, cl100k, "
      "o200k or your own pattern; documents split on special tokens) into a RocksDB database, with "
      "bounded memory, resumable after any crash."};
  app.require_subcommand(1);
  app.set_version_flag("--version",
                       "pretok-db " + Version() + " (" + StorageEngineVersion() + ")",
                       "Print the version and exit");
  app.set_help_all_flag("--help-all", "Help on every subcommand");

  IndexArgs index;
  CLI::App* index_cmd = app.add_subcommand(
      "index", "Count the pretokens of FILEs into the database (resumes an interrupted run)");
  index_cmd->add_option("--db", index.db, "Database directory")->capture_default_str();
  index_cmd->add_option("--special-token", index.special_tokens,
                        "Document separator, not counted; repeatable (default: <|endoftext|>)")
      ->allow_extra_args(false);
  index_cmd->add_flag("--no-special-tokens", index.no_special_tokens,
                      "No separators: each file is one document");
  CLI::Option* pattern_opt =
      index_cmd->add_option("--pattern", index.pattern,
                            "gpt2 | cl100k | o200k (a pattern of your own: --regex)")
          ->capture_default_str()
          ->check(CLI::Validator(PatternNameError, "NAME"));
  index_cmd->add_option("--regex", index.regex,
                        "A pattern of your own: a regular expression as for Python's "
                        "regex module (see README)")
      ->check(CLI::Validator(RegexArgError, "RE"))
      ->excludes(pattern_opt);
  CLI::Option* invalid_utf8_opt =
      index_cmd->add_option("--invalid-utf8", index.invalid_utf8,
                            "replace (U+FFFD, like Python) | skip (drop the bytes) "
                            "| strict (refuse the file)")
          ->capture_default_str();
  index_cmd->add_option("--jsonl", index.jsonl,
                        "JSON Lines: count the string in this field of each line's "
                        "object (a dotted path for nested fields: meta.text)")
      ->check(CLI::Validator(
          [](std::string& v) {
            const bool bad = v.empty() || v.front() == '.' || v.back() == '.' ||
                             v.find("..") != std::string::npos;
            return bad
                       ? "'" + v + "' is not a field path (names joined by '.', e.g. "
                                   "text or meta.text)"
                       : std::string();
          },
          "FIELD"));
  index_cmd->add_option("--bad-records", index.bad_records,
                        "With --jsonl, a line that is not JSON, lacks the field, holds no "
                        "string there, is too long or not UTF-8: skip (counted in stats) | "
                        "strict (refuse the input, naming its line)")
      ->capture_default_str()
      ->check(CLI::IsMember({"skip", "strict"}));
  index_cmd->add_option("--workers", index.workers, "Worker threads (default: one per core)")
      ->check(CLI::Range(1, 1024));
  index_cmd->add_option("--memory-limit", index.memory_limit,
                        "Memory for the whole process, K/M/G = powers of 1024 "
                        "(default: 1G, or half the available memory if less)")
      ->check(CLI::Validator(MemoryLimitError, "SIZE"));
  index_cmd->add_flag("--quiet", index.quiet, "No progress output");
  index_cmd->add_option("--log", index.log, "Append one JSON line per event to this file");
  index_cmd->add_option("--shard", index.shard,
                        "K/N: index only the K-th of N parts of the FILEs (0 <= K < N; "
                        "N machines, same FILEs and options, K = 0..N-1; see README)");
  index_cmd->add_option("--root", index.root,
                        "Know FILEs by their paths relative to this directory (they must "
                        "lie under it), so databases of other mount points merge");
  index_cmd->add_flag("--quick-check", index.quick_check,
                      "Check files seen again by size and first/last 64 KiB only, not "
                      "by re-reading what was counted (misses edits inside; see README)");
  // Tests only: the shard split's unit (default 64M); hidden from --help.
  index_cmd->add_option("--shard-unit", index.shard_unit, "")->group("");
  // Tests only: the compressed bytes per committed run of .zst frames
  // (default 64M); hidden from --help.
  index_cmd->add_option("--compressed-unit", index.compressed_unit, "")->group("");
  index_cmd->add_option("--stream-name", index.stream_name,
                        "With '-': checkpoint standard input under this name, so "
                        "that the same command fed the same stream again resumes "
                        "it (and a longer one grows it)");
  index_cmd->add_option("FILE", index.files, "Input files")->required();

  std::string db = "pretok.db";
  bool hex = false;
  std::vector<std::string> tokens;
  CLI::App* query_cmd = app.add_subcommand("query", "Print the count of each TOKEN");
  query_cmd->add_option("--db", db, "Database directory")->capture_default_str();
  query_cmd->add_flag("--hex", hex, "TOKENs are given and printed as hex of their bytes");
  bool json = false;
  query_cmd->add_flag("--json", json,
                      "One JSON object per line: {\"token\", \"hex\", \"count\"}");
  query_cmd->add_option("TOKEN", tokens, "Pretokens, as raw bytes (e.g. \" the\")")->required();

  int64_t top_n = 20;
  CLI::App* top_cmd = app.add_subcommand("top", "Print the most frequent pretokens");
  top_cmd->add_option("--db", db, "Database directory")->capture_default_str();
  top_cmd->add_option("-n", top_n, "How many (a whole number, at least 1)")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            int64_t n = 0;
            auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
            if (ec != std::errc() || end != v.data() + v.size() || n < 1) {
              return "'" + v + "' is not a whole number of at least 1";
            }
            return "";
          },
          "N>=1"))
      ->capture_default_str();
  top_cmd->add_flag("--json", json,
                    "One JSON object per line: {\"token\", \"hex\", \"count\"}");

  CLI::App* stats_cmd = app.add_subcommand("stats", "Print what the database holds");
  stats_cmd->add_option("--db", db, "Database directory")->capture_default_str();
  stats_cmd->add_flag("--json", json, "One JSON object");

  std::string format = "hex";
  std::string output;
  CLI::App* export_cmd = app.add_subcommand(
      "export", "Print every pretoken and its count, sorted by the pretoken's bytes");
  export_cmd->add_option("--db", db, "Database directory")->capture_default_str();
  CLI::Option* format_opt = export_cmd->add_option("--format", format, "hex | tsv | jsonl")
      ->check(CLI::IsMember({"hex", "tsv", "jsonl"}))
      ->capture_default_str();
  export_cmd->add_flag("--json", json, "JSON Lines: the same as --format jsonl");
  export_cmd->add_option("-o", output, "Write to this file instead of stdout");

  TrainBpeArgs train_bpe;
  CLI::App* train_bpe_cmd = AddTrainBpeCommand(&app, &train_bpe);
  MergeArgs merge;
  CLI::App* merge_cmd = AddMergeCommand(&app, &merge);

  // CLI11 reports an unknown word where the subcommand goes as a missing
  // subcommand; name it and list the real ones instead.
  if (argc > 1 && argv[1][0] != '-') {
    std::string names;
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands({})) {
      names += (names.empty() ? "" : ", ") + sub->get_name();
      known = known || sub->get_name() == argv[1];
    }
    if (!known) {
      std::fprintf(stderr,
                   "pretok-db: error: unknown subcommand '%s' (subcommands: %s; see --help)\n",
                   argv[1], names.c_str());
      return kExitUsage;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    std::replace(what.begin(), what.end(), '\n', ' ');
    std::fprintf(stderr, "pretok-db: error: %s (see --help)\n", what.c_str());
    return kExitUsage;
  }

  if (*export_cmd && json) {
    if (format_opt->count() > 0 && format != "jsonl") {
      std::fprintf(stderr,
                   "pretok-db: error: --json means --format jsonl, not --format %s "
                   "(see --help)\n", format.c_str());
      return kExitUsage;
    }
    format = "jsonl";
  }

  try {
    if (*index_cmd) {
      index.invalid_utf8_given = invalid_utf8_opt->count() > 0;
      return RunIndex(index);
    }
    if (*query_cmd) return RunQuery(db, hex, json, tokens);
    if (*top_cmd) return RunTop(db, static_cast<size_t>(top_n), json);
    if (*stats_cmd) return RunStats(db, json);
    if (*export_cmd) return RunExport(db, format, output);
    if (*train_bpe_cmd) return RunTrainBpe(train_bpe);
    if (*merge_cmd) return RunMerge(merge);
  } catch (const std::bad_alloc&) {
    return Fail("out of memory (try a smaller --memory-limit or fewer --workers)");
  } catch (const std::exception& e) {
    return Fail(e.what());
  }
  return kExitUsage;
}

}  // namespace pretokdb
