#include "cli/merge_command.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>

#include "cli/text_format.h"
#include "pretokdb/merge.h"
#include "pretokdb/options.h"
#include "util/sysinfo.h"

namespace pretokdb {

namespace {

std::string ProgressLine(const MergeProgress& p) {
  const double rate = p.elapsed_seconds > 0 ? p.entries_read / p.elapsed_seconds : 0;
  char buf[256];
  std::snprintf(buf, sizeof(buf),
                "merge: %llu of ~%llu entries read, %llu written, %llu runs (%s), "
                "%.2fM entries/s, %.1f s, RSS %s",
                static_cast<unsigned long long>(p.entries_read),
                static_cast<unsigned long long>(p.entries_total),
                static_cast<unsigned long long>(p.entries_written),
                static_cast<unsigned long long>(p.runs), FormatBytes(p.bytes_written).c_str(),
                rate / 1e6, p.elapsed_seconds, FormatBytes(ResidentBytes()).c_str());
  return buf;
}

}  // namespace

CLI::App* AddMergeCommand(CLI::App* app, MergeArgs* args) {
  CLI::App* cmd = app->add_subcommand(
      "merge", "Merge databases SRC... into the one at --into (created if missing), "
               "exactly: as if all their inputs had been indexed into it");
  cmd->add_option("--into", args->into, "Target database directory")->required();
  cmd->add_option("--memory-limit", args->memory_limit,
                  "Memory for the whole process, K/M/G = powers of 1024 "
                  "(default: 1G, or half the available memory if less)")
      ->check(CLI::Validator(MemoryLimitError, "SIZE"));
  cmd->add_flag("--quiet", args->quiet, "No progress output");
  cmd->add_option("SRC", args->sources, "Source databases (only read)")->required();
  return cmd;
}

int RunMerge(const MergeArgs& args) {
  MergeOptions options;
  options.memory_limit = DefaultMemoryLimit();
  if (!args.memory_limit.empty()) ParseSize(args.memory_limit, &options.memory_limit);
  const bool tty = isatty(STDERR_FILENO) == 1;
  auto last = std::chrono::steady_clock::now();
  bool drew = false;
  if (!args.quiet) {
    // A live line on a terminal, else a line every 5 seconds.
    options.on_progress = [&](const MergeProgress& p) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last < std::chrono::milliseconds(tty ? 500 : 5000)) return;
      last = now;
      std::fprintf(stderr, tty ? "\r\033[K%s" : "%s\n", ProgressLine(p).c_str());
      drew = tty;
    };
  }
  MergeResult result;
  Status s = MergeDatabases(args.into, args.sources, options, &result);
  if (drew) std::fprintf(stderr, "\r\033[K");
  if (!s.ok()) {
    std::fprintf(stderr, "pretok-db: error: %s\n", s.message().c_str());
    return 1;
  }
  if (args.quiet) return 0;
  if (result.already_merged) {
    std::fprintf(stderr,
                 "pretok-db: every source is already merged into %s; nothing was done\n",
                 args.into.c_str());
    return 0;
  }
  std::fprintf(stderr, "%s\n", ProgressLine(result.progress).c_str());
  return 0;
}

}  // namespace pretokdb
