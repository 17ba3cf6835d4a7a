// What `pretok-db index` shows while it runs.
//
// On a terminal: one live line on stderr (bytes done of total, MB/s, ETA,
// resident memory, spills), redrawn twice a second. Otherwise: a plain log
// line every few seconds. Quiet: nothing. Independently, an event log file
// gets one JSON object per line for every IndexEvent (start, spill,
// checkpoint, finish, error), for runs that last days.

#ifndef PRETOKDB_CLI_PROGRESS_H_
#define PRETOKDB_CLI_PROGRESS_H_

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include "pretokdb/indexer.h"
#include "pretokdb/options.h"

namespace pretokdb {

class ProgressReporter {
 public:
  // log may be null. Neither indexer nor log is owned.
  ProgressReporter(const Indexer* indexer, bool quiet, std::FILE* log);
  ~ProgressReporter();

  void Start();
  // Stops the display and leaves the terminal on a fresh line; with
  // final_line, prints the last state once (not after an error, whose
  // message must stand alone).
  void Finish(bool final_line = false);
  // Thread-safe; the indexer calls it from worker threads.
  void OnEvent(const IndexEvent& event);

 private:
  void Loop();
  std::string Line() const;

  const Indexer* const indexer_;
  const bool quiet_;
  const bool tty_;
  std::FILE* const log_;
  std::mutex mu_;  // guards log_ writes and the stop flag
  std::condition_variable cv_;
  bool stopping_ = false;
  bool drew_ = false;
  std::thread thread_;
};

}  // namespace pretokdb

#endif  // PRETOKDB_CLI_PROGRESS_H_
