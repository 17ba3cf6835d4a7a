#include "cli/train_bpe_command.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cli/text_format.h"
#include "cli/train_progress.h"
#include "ingest/source_file.h"
#include "pretokdb/bpe.h"
#include "pretokdb/options.h"
#include "pretokdb/reader.h"
#include "pretokdb/tokenizer_files.h"
#include "text/utf8.h"

namespace pretokdb {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kExitError = 1;
constexpr int kExitStopped = 130;

const char* const kFiles[] = {"vocab.json", "merges.txt", "tokenizer.json",
                              "tokenizer.tiktoken", "tiktoken.json"};

int Fail(const std::string& message) {
  std::fprintf(stderr, "pretok-db: error: %s\n", message.c_str());
  return kExitError;
}

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The process's peak resident set size in bytes (Linux: ru_maxrss in KiB).
uint64_t PeakResidentBytes() {
  struct rusage usage;
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<uint64_t>(usage.ru_maxrss) * 1024;
}

// Fails now, before any training, if the files could not be written into
// `out` later: `out` must be a directory we can create files in, or not
// exist under a directory we can create it in. Probes by creating (and
// removing) a file or directory, since permission bits say nothing for
// root. Leaves nothing behind.
Status CheckOutputDir(const std::string& out) {
  std::error_code ec;
  fs::path dir = fs::absolute(out, ec);
  if (ec) return Status::IOError(out, ec.message());
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) return Status::IOError(out, "not a directory");
    std::string probe = (dir / ".pretokdb-probe-XXXXXX").string();
    int fd = mkstemp(probe.data());
    if (fd < 0) return Status::IOError(out, std::strerror(errno));
    close(fd);
    unlink(probe.c_str());
    return Status::OK();
  }
  fs::path parent = dir.parent_path();
  while (!fs::exists(parent, ec) && parent != parent.parent_path()) {
    parent = parent.parent_path();
  }
  if (!fs::is_directory(parent, ec)) {
    return Status::IOError(out, "cannot create it: " + parent.string() +
                                    " is not a directory");
  }
  std::string probe = (parent / ".pretokdb-probe-XXXXXX").string();
  if (mkdtemp(probe.data()) == nullptr) {
    return Status::IOError(out, "cannot create it: " + std::string(std::strerror(errno)));
  }
  rmdir(probe.c_str());
  return Status::OK();
}

Status CheckSpecialTokens(const std::vector<std::string>& tokens) {
  std::set<std::string> seen;
  for (const std::string& t : tokens) {
    if (t.empty()) return Status::InvalidArgument("--special-token", "empty token");
    if (!IsValidUtf8(t.data(), t.size())) {
      return Status::InvalidArgument("--special-token",
                                     "'" + EscapeToken(t) + "' is not valid UTF-8");
    }
    if (!seen.insert(t).second) {
      return Status::InvalidArgument("--special-token",
                                     "'" + EscapeToken(t) + "' is given twice");
    }
  }
  return Status::OK();
}

// SIGINT/SIGTERM set `stop` (training ends at the next merge, nothing is
// written); a second signal ends the process at once. Nothing is written
// before training ends, so either way --out is as it was.
class StopOnSignal {
 public:
  explicit StopOnSignal(std::atomic<bool>* stop)
      : signals_(io_, SIGINT, SIGTERM), stop_(stop) {
    Wait();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~StopOnSignal() {
    io_.stop();
    thread_.join();
  }

 private:
  void Wait() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
      if (ec) return;
      if (stop_->exchange(true)) _exit(128 + signo);
      Wait();
    });
  }
  boost::asio::io_context io_;
  boost::asio::signal_set signals_;
  std::atomic<bool>* stop_;
  std::thread thread_;
};

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f s", s);
  return buf;
}

void PrintSummary(const TrainBpeArgs& args, const BpeModel& model,
                  const BpeStats& stats, double write_seconds,
                  double total_seconds) {
  std::printf("trained %llu merges (vocabulary %zu: %zu special, 256 bytes) from "
              "%llu distinct pretokens (%llu below --min-count) in %s\n",
              static_cast<unsigned long long>(stats.merges), model.vocab.size(),
              model.special_tokens.size(),
              static_cast<unsigned long long>(stats.words),
              static_cast<unsigned long long>(stats.words_dropped),
              Seconds(total_seconds).c_str());
  std::printf("  reading %s, pair count %s, merges %s (%.0f merges/s), writing %s\n",
              Seconds(stats.read_seconds).c_str(), Seconds(stats.count_seconds).c_str(),
              Seconds(stats.merge_seconds).c_str(),
              stats.merge_seconds > 0 ? stats.merges / stats.merge_seconds : 0.0,
              Seconds(write_seconds).c_str());
  std::printf("  peak RSS %s (trainer's estimate %s)\n",
              FormatBytes(PeakResidentBytes()).c_str(),
              FormatBytes(stats.memory_bytes).c_str());
  std::string files;
  for (const char* f : kFiles) files += std::string(files.empty() ? "" : ", ") + f;
  std::printf("wrote %s: %s\n", args.out.c_str(), files.c_str());
}

void PrintJson(const TrainBpeArgs& args, uint64_t memory_limit,
               const BpeModel& model, const BpeStats& stats,
               const std::vector<std::string>& warnings, double write_seconds,
               double total_seconds) {
  nlohmann::json j;
  j["db"] = AbsolutePath(args.db);
  j["out"] = AbsolutePath(args.out);
  j["files"] = kFiles;
  j["vocab_size"] = model.vocab.size();
  j["vocab_size_requested"] = args.vocab_size;
  j["special_tokens"] = model.special_tokens;
  j["pattern"] = model.pattern;
  j["min_count"] = args.min_count;
  j["pretokens_kept"] = stats.words;
  j["pretokens_dropped"] = stats.words_dropped;
  j["merges"] = stats.merges;
  j["merges_requested"] = stats.merges_requested;
  j["ran_out_of_pairs"] = stats.ran_out_of_pairs;
  j["memory_limit"] = memory_limit;
  j["memory_estimate_bytes"] = stats.memory_bytes;
  j["peak_rss_bytes"] = PeakResidentBytes();
  j["seconds"] = {{"read", stats.read_seconds},
                  {"pair_count", stats.count_seconds},
                  {"merges", stats.merge_seconds},
                  {"write", write_seconds},
                  {"total", total_seconds}};
  j["merges_per_second"] =
      stats.merge_seconds > 0 ? stats.merges / stats.merge_seconds : 0.0;
  j["warnings"] = warnings;
  std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

// The options from the command line and the database (its special tokens
// by default); 0, or the exit status of a refusal.
int MakeOptions(const TrainBpeArgs& args, const DbStats& db, uint64_t memory_limit,
                BpeOptions* options) {
  options->vocab_size = args.vocab_size;
  if (!args.no_special_tokens) {
    options->special_tokens = args.special_tokens.empty() ? db.special_tokens
                                                          : args.special_tokens;
  }
  const uint64_t base = 256 + options->special_tokens.size();
  if (args.vocab_size < base) {
    return Fail("--vocab-size: " + std::to_string(args.vocab_size) +
                " is less than 256 bytes + " +
                std::to_string(options->special_tokens.size()) +
                " special tokens = " + std::to_string(base));
  }
  options->min_count = args.min_count;
  options->threads = args.threads;
  options->memory_limit = memory_limit;
  options->db_stats = &db;
  return 0;
}

// A special token the database counted as a pretoken (it was indexed with
// other separators) is trained on as ordinary bytes, like any pretoken:
// say so (even with --quiet, as index does with its warnings), since its
// bytes may then come out as a second token.
void WarnOfSpecialTokensCounted(const CountReader& reader,
                                const std::vector<std::string>& special_tokens) {
  for (const std::string& t : special_tokens) {
    uint64_t count = 0;
    if (reader.Get(t, &count).ok() && count > 0) {
      std::fprintf(stderr,
                   "pretok-db: warning: special token '%s' is also a pretoken of "
                   "the database (counted %llu times); it is trained on as bytes\n",
                   EscapeToken(t).c_str(), static_cast<unsigned long long>(count));
    }
  }
}

int Run(const TrainBpeArgs& args) {
  const Clock::time_point start = Clock::now();
  // Everything that can be refused is, before the database is read.
  if (args.no_special_tokens && !args.special_tokens.empty()) {
    return Fail("--special-token and --no-special-tokens exclude each other");
  }
  if (Status s = CheckSpecialTokens(args.special_tokens); !s.ok()) return Fail(s.message());
  uint64_t memory_limit = DefaultMemoryLimit();
  if (!args.memory_limit.empty()) {
    // The option's validator refuses a bad value first (exit 2).
    if (std::string e = MemoryLimitError(args.memory_limit); !e.empty()) {
      return Fail("--memory-limit: " + e);
    }
    ParseSize(args.memory_limit, &memory_limit);
  }
  if (args.out.empty()) return Fail("--out: empty path");
  if (Status s = CheckOutputDir(args.out); !s.ok()) return Fail(s.message());

  std::unique_ptr<CountReader> reader;
  if (Status s = CountReader::Open(args.db, &reader); !s.ok()) return Fail(s.message());
  DbStats db;
  if (Status s = reader->GetStats(&db); !s.ok()) return Fail(s.message());
  BpeOptions options;
  if (int rc = MakeOptions(args, db, memory_limit, &options)) return rc;
  WarnOfSpecialTokensCounted(*reader, options.special_tokens);

  std::atomic<bool> stop{false};
  options.stop = &stop;
  TrainProgress progress(args.quiet);
  options.on_progress = [&progress](uint64_t done, uint64_t total) {
    progress.OnMerge(done, total);
  };
  // Kept through the writing: a signal then comes too late to stop
  // anything and is ignored (a second one still ends the process).
  StopOnSignal on_signal(&stop);
  BpeModel model;
  BpeStats stats;
  progress.Start();
  Status s = TrainBpe(*reader, options, &model, &stats);
  progress.Finish();
  if (s.IsAborted() || (s.ok() && stop.load())) {
    std::fprintf(stderr, "pretok-db: stopped; nothing written to %s\n", args.out.c_str());
    return kExitStopped;
  }
  if (!s.ok()) return Fail(s.message());

  const Clock::time_point write_start = Clock::now();
  std::vector<std::string> warnings;
  s = WriteTokenizerFiles(model, args.out, &warnings);
  if (!s.ok()) return Fail(s.message());
  const double write_seconds = SecondsSince(write_start);
  for (const std::string& w : warnings) {
    std::fprintf(stderr, "pretok-db: warning: %s\n", w.c_str());
  }
  if (stats.ran_out_of_pairs) {  // a smaller vocabulary than asked: even with --quiet
    std::fprintf(stderr,
                 "pretok-db: warning: no pair left to merge after %llu of %llu merges: "
                 "the vocabulary has %zu tokens, not %llu\n",
                 static_cast<unsigned long long>(stats.merges),
                 static_cast<unsigned long long>(stats.merges_requested),
                 model.vocab.size(), static_cast<unsigned long long>(args.vocab_size));
  }
  const double total_seconds = SecondsSince(start);
  if (args.json) {
    PrintJson(args, memory_limit, model, stats, warnings, write_seconds, total_seconds);
  } else if (!args.quiet) {
    PrintSummary(args, model, stats, write_seconds, total_seconds);
  }
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) return Fail("stdout: write failed");
  return 0;
}

}  // namespace

CLI::App* AddTrainBpeCommand(CLI::App* app, TrainBpeArgs* args) {
  CLI::App* cmd = app->add_subcommand(
      "train-bpe", "Train a byte-level BPE tokenizer from the counts; write its files into --out");
  cmd->add_option("--db", args->db, "Database directory")->capture_default_str();
  cmd->add_option("--vocab-size", args->vocab_size,
                  "Tokens in all: special tokens + 256 bytes + merges")
      ->required()
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 31));
  cmd->add_option("--out", args->out,
                  "Directory for vocab.json, merges.txt, tokenizer.json, "
                  "tokenizer.tiktoken, tiktoken.json (created if needed)")
      ->required();
  cmd->add_option("--special-token", args->special_tokens,
                  "Special token, ids 0..k-1 in the order given; repeatable "
                  "(default: the database's own)")
      ->allow_extra_args(false);
  cmd->add_flag("--no-special-tokens", args->no_special_tokens, "No special tokens");
  cmd->add_option("--min-count", args->min_count,
                  "Leave out pretokens counted fewer times")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--threads", args->threads,
                  "Threads for the first pair count (default: one per core)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--memory-limit", args->memory_limit,
                  "Most memory training may take, K/M/G = powers of 1024 "
                  "(default: 1G, or half the available memory if less)")
      ->check(CLI::Validator(MemoryLimitError, "SIZE"));
  cmd->add_flag("--quiet", args->quiet, "No progress output, no summary");
  cmd->add_flag("--json", args->json, "Print a JSON summary object");
  return cmd;
}

int RunTrainBpe(const TrainBpeArgs& args) {
  try {
    return Run(args);
  } catch (const std::bad_alloc&) {
    return Fail("out of memory (try a larger --min-count or a smaller --vocab-size)");
  }
}

}  // namespace pretokdb
