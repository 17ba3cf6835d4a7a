#include "cli/progress.h"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

#include "cli/text_format.h"
#include "util/sysinfo.h"

namespace pretokdb {

namespace {

const char* EventName(IndexEvent::Type type) {
  switch (type) {
    case IndexEvent::Type::kStart: return "start";
    case IndexEvent::Type::kSpill: return "spill";
    case IndexEvent::Type::kCheckpoint: return "checkpoint";
    case IndexEvent::Type::kWarning: return "warning";
    case IndexEvent::Type::kFinish: return "finish";
    case IndexEvent::Type::kError: return "error";
    case IndexEvent::Type::kHashCheck: return "hash_check";
  }
  return "unknown";
}

std::string UtcNow() {
  std::time_t t = std::time(nullptr);
  std::tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string FormatDuration(double seconds) {
  if (seconds < 0 || seconds > 1e8) return "?";
  long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof(buf), "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%ld:%02ld", s / 60, s % 60);
  }
  return buf;
}

}  // namespace

ProgressReporter::ProgressReporter(const Indexer* indexer, bool quiet,
                                   std::FILE* log)
    : indexer_(indexer), quiet_(quiet), tty_(isatty(STDERR_FILENO) == 1), log_(log) {}

ProgressReporter::~ProgressReporter() { Finish(); }

void ProgressReporter::Start() {
  if (quiet_) return;
  thread_ = std::thread([this] { Loop(); });
}

void ProgressReporter::Finish(bool final_line) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (quiet_) return;
  if (tty_ && drew_) std::fprintf(stderr, "\r\x1b[K");
  if (final_line) std::fprintf(stderr, "%s\n", Line().c_str());
}

std::string ProgressReporter::Line() const {
  IndexProgress p = indexer_->progress();
  double mbps = p.elapsed_seconds > 0 ? p.bytes_done / 1e6 / p.elapsed_seconds : 0;
  double pct = p.bytes_total > 0 ? 100.0 * p.bytes_done / p.bytes_total : 100.0;
  double eta = mbps > 0 ? (p.bytes_total - p.bytes_done) / 1e6 / mbps : -1;
  char buf[256];
  if (p.bytes_total == 0 && p.bytes_done > 0) {
    // A stream: its size is known only at its end.
    std::snprintf(buf, sizeof(buf), "%s read  %.1f MB/s  RSS %s  spills %llu",
                  FormatBytes(p.bytes_done).c_str(), mbps,
                  FormatBytes(ResidentBytes()).c_str(),
                  static_cast<unsigned long long>(p.spills));
    return buf;
  }
  std::snprintf(buf, sizeof(buf),
                "%s / %s (%.1f%%)  %.1f MB/s  ETA %s  RSS %s  spills %llu",
                FormatBytes(p.bytes_done).c_str(),
                FormatBytes(p.bytes_total).c_str(), pct, mbps,
                FormatDuration(eta).c_str(), FormatBytes(ResidentBytes()).c_str(),
                static_cast<unsigned long long>(p.spills));
  return buf;
}

void ProgressReporter::Loop() {
  const auto period = tty_ ? std::chrono::milliseconds(500) : std::chrono::seconds(5);
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, period, [this] { return stopping_; })) {
    if (tty_) {
      std::fprintf(stderr, "\r\x1b[K%s", Line().c_str());
      drew_ = true;
    } else {
      std::fprintf(stderr, "%s %s\n", UtcNow().c_str(), Line().c_str());
    }
    std::fflush(stderr);
  }
}

void ProgressReporter::OnEvent(const IndexEvent& event) {
  if (event.type == IndexEvent::Type::kWarning) {
    // Warnings say that something was not counted: shown even with --quiet.
    std::lock_guard<std::mutex> lock(mu_);
    std::fprintf(stderr, "%spretok-db: warning: %s: at byte %llu: %s\n",
                 drew_ ? "\r\x1b[K" : "", event.path.c_str(),
                 static_cast<unsigned long long>(event.offset),
                 event.message.c_str());
  }
  if (event.type == IndexEvent::Type::kHashCheck && event.recorded_bytes > 0 &&
      !quiet_) {
    // The one-time cost of a database made before hashes were kept.
    std::lock_guard<std::mutex> lock(mu_);
    std::fprintf(stderr,
                 "%spretok-db: recorded the hashes of the %s counted before "
                 "this version kept them (once): %.1f s\n",
                 drew_ ? "\r\x1b[K" : "", FormatBytes(event.recorded_bytes).c_str(),
                 event.elapsed_seconds);
  }
  if (log_ == nullptr) return;
  nlohmann::json j;
  j["time"] = UtcNow();
  j["event"] = EventName(event.type);
  switch (event.type) {
    case IndexEvent::Type::kStart:
      j["bytes_to_do"] = event.bytes;
      break;
    case IndexEvent::Type::kSpill:
      j["worker"] = event.worker;
      j["entries"] = event.entries;
      j["batch_bytes"] = event.batch_bytes;
      j["seconds"] = event.elapsed_seconds;
      j["rss_bytes"] = ResidentBytes();
      break;
    case IndexEvent::Type::kCheckpoint:
      j["worker"] = event.worker;
      j["path"] = event.path;
      j["offset"] = event.offset;
      break;
    case IndexEvent::Type::kWarning:
      j["worker"] = event.worker;
      j["path"] = event.path;
      j["offset"] = event.offset;
      j["bytes"] = event.bytes;
      j["message"] = event.message;
      break;
    case IndexEvent::Type::kHashCheck:
      j["bytes_checked"] = event.bytes;
      j["bytes_hashed_first_time"] = event.recorded_bytes;
      j["seconds"] = event.elapsed_seconds;
      break;
    case IndexEvent::Type::kFinish:
    case IndexEvent::Type::kError:
      j["bytes_done"] = event.bytes;
      j["elapsed_seconds"] = event.elapsed_seconds;
      if (!event.message.empty()) j["message"] = event.message;
      break;
  }
  // Paths and messages may hold bytes that are not UTF-8.
  std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard<std::mutex> lock(mu_);
  std::fprintf(log_, "%s\n", line.c_str());
  std::fflush(log_);
}

}  // namespace pretokdb
