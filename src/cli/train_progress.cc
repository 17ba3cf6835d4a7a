#include "cli/train_progress.h"

#include <unistd.h>

#include <cstdio>

#include "cli/text_format.h"
#include "util/sysinfo.h"

namespace pretokdb {

namespace {

int64_t NanosSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

TrainProgress::TrainProgress(bool quiet)
    : quiet_(quiet), tty_(isatty(STDERR_FILENO) == 1) {}

TrainProgress::~TrainProgress() { Finish(); }

void TrainProgress::Start() {
  start_ = std::chrono::steady_clock::now();
  if (quiet_) return;
  thread_ = std::thread([this] { Loop(); });
}

void TrainProgress::OnMerge(uint64_t done, uint64_t total) {
  if (first_merge_ns_.load(std::memory_order_relaxed) == 0) {
    first_merge_ns_.store(NanosSince(start_), std::memory_order_relaxed);
  }
  total_.store(total, std::memory_order_relaxed);
  done_.store(done, std::memory_order_relaxed);
}

void TrainProgress::Finish() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (tty_ && drew_) std::fprintf(stderr, "\r\x1b[K");
  std::fflush(stderr);
}

std::string TrainProgress::Line() const {
  const uint64_t done = done_.load(std::memory_order_relaxed);
  const uint64_t total = total_.load(std::memory_order_relaxed);
  const int64_t first = first_merge_ns_.load(std::memory_order_relaxed);
  char buf[256];
  if (first == 0) {
    std::snprintf(buf, sizeof(buf), "reading the counts, counting pairs  RSS %s",
                  FormatBytes(ResidentBytes()).c_str());
    return buf;
  }
  const double seconds = (NanosSince(start_) - first) / 1e9;
  const double rate = seconds > 0 ? (done - 1) / seconds : 0;
  std::snprintf(buf, sizeof(buf), "%llu / %llu merges (%.1f%%)  %.0f merges/s  RSS %s",
                static_cast<unsigned long long>(done),
                static_cast<unsigned long long>(total),
                total > 0 ? 100.0 * done / total : 100.0, rate,
                FormatBytes(ResidentBytes()).c_str());
  return buf;
}

void TrainProgress::Loop() {
  const auto period = tty_ ? std::chrono::milliseconds(500) : std::chrono::seconds(5);
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, period, [this] { return stopping_; })) {
    if (tty_) {
      std::fprintf(stderr, "\r\x1b[Ktrain-bpe: %s", Line().c_str());
      drew_ = true;
    } else {
      std::fprintf(stderr, "train-bpe: %s\n", Line().c_str());
    }
    std::fflush(stderr);
  }
}

}  // namespace pretokdb
