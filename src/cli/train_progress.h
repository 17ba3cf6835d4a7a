// What `pretok-db train-bpe` shows while it trains.
//
// On a terminal: one live line on stderr (merges done of total, merges/s,
// resident memory), redrawn twice a second; before the first merge it says
// that the counts are being read. Otherwise: a plain line every 5 seconds.
// Quiet: nothing. The trainer reports merges through OnMerge (cheap: two
// atomic stores); a thread of its own draws.

#ifndef PRETOKDB_CLI_TRAIN_PROGRESS_H_
#define PRETOKDB_CLI_TRAIN_PROGRESS_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace pretokdb {

class TrainProgress {
 public:
  explicit TrainProgress(bool quiet);
  ~TrainProgress();

  void Start();
  // From the training thread, after each merge.
  void OnMerge(uint64_t done, uint64_t total);
  // Stops the display and leaves the terminal on a fresh line.
  void Finish();

 private:
  void Loop();
  std::string Line() const;

  const bool quiet_;
  const bool tty_;
  std::atomic<uint64_t> done_{0};
  std::atomic<uint64_t> total_{0};
  std::chrono::steady_clock::time_point start_;
  // When the first merge was reported, for a rate of merges alone.
  std::atomic<int64_t> first_merge_ns_{0};
  std::mutex mu_;  // guards stopping_
  std::condition_variable cv_;
  bool stopping_ = false;
  bool drew_ = false;
  std::thread thread_;
};

}  // namespace pretokdb

#endif  // PRETOKDB_CLI_TRAIN_PROGRESS_H_
