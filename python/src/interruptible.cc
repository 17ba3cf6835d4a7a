#include "interruptible.h"

#include <pybind11/pybind11.h>
#include <signal.h>

#include <chrono>
#include <future>
#include <optional>
#include <thread>

namespace py = pybind11;

namespace pretokdb::python {

namespace {

// How often the waiting thread looks for a signal: short enough that Ctrl-C
// feels immediate, long enough to cost nothing.
constexpr std::chrono::milliseconds kSignalPollPeriod(20);

// Starts fn on a thread whose signal mask blocks every signal. A new thread
// inherits its creator's mask, so the mask is set around the creation.
std::thread StartWithSignalsBlocked(std::function<void()> fn) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  std::thread t(std::move(fn));
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return t;
}

}  // namespace

Status RunInterruptibly(const std::function<Status()>& work,
                        const std::function<void()>& stop) {
  std::packaged_task<Status()> task(work);
  std::future<Status> result = task.get_future();
  std::thread thread = StartWithSignalsBlocked([&task] { task(); });

  std::optional<py::error_already_set> raised;
  for (;;) {
    bool done;
    {
      py::gil_scoped_release no_gil;
      done = result.wait_for(kSignalPollPeriod) == std::future_status::ready;
    }
    if (done) break;
    if (PyErr_CheckSignals() != 0) {
      raised.emplace();  // takes the pending Python error
      stop();
      break;
    }
  }
  {
    // After a stop the work still commits what it has; nothing but the
    // work's end can end this wait (a second Ctrl-C is seen by Python
    // after it, as a second KeyboardInterrupt).
    py::gil_scoped_release no_gil;
    thread.join();
  }
  if (raised) throw std::move(*raised);
  return result.get();  // rethrows what work() threw
}

}  // namespace pretokdb::python
