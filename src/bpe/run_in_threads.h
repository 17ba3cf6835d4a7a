// Runs fn(0), ..., fn(n - 1) at once, each on a thread of its own (fn(0)
// on the calling one), and returns when all have returned. For the
// trainer's few parallel steps, each long enough (milliseconds at least)
// that starting threads costs nothing in comparison.

#ifndef PRETOKDB_BPE_RUN_IN_THREADS_H_
#define PRETOKDB_BPE_RUN_IN_THREADS_H_

#include <functional>
#include <thread>
#include <vector>

namespace pretokdb {

inline void RunInThreads(int n, const std::function<void(int)>& fn) {
  std::vector<std::thread> threads;
  threads.reserve(n > 1 ? n - 1 : 0);
  for (int i = 1; i < n; ++i) threads.emplace_back(fn, i);
  fn(0);
  for (std::thread& t : threads) t.join();
}

}  // namespace pretokdb

#endif  // PRETOKDB_BPE_RUN_IN_THREADS_H_
