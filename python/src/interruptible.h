// Long library calls (indexing, training) that Ctrl-C can stop cleanly.
//
// Python runs its signal handlers (SIGINT's raises KeyboardInterrupt) only
// in the main thread, between bytecodes; a thread blocked in C++ never gets
// there. So the work runs on a thread of its own, with the GIL released,
// while the calling thread waits for it and, every few milliseconds, takes
// the GIL to let Python run its handlers. When one raises, the work is
// asked to stop (Indexer::RequestStop, BpeOptions::stop), the call waits
// until it has (an index run commits what it has counted, so the same call
// resumes), and the handler's exception is raised.

#ifndef PRETOKDB_PYTHON_INTERRUPTIBLE_H_
#define PRETOKDB_PYTHON_INTERRUPTIBLE_H_

#include <functional>

#include "pretokdb/status.h"

namespace pretokdb::python {

// Runs work() on a new thread and returns its Status; to be called with the
// GIL held. If a Python signal handler raises meanwhile, calls stop() once,
// waits for work() to return, and throws that exception (pybind11's
// error_already_set). An exception thrown by work() is rethrown here.
//
// The work thread, and every thread it starts (the indexer's workers,
// RocksDB's), has all signals blocked: the process's signals then go to
// threads that do not block them (Python's), and never interrupt the
// library's system calls with EINTR.
Status RunInterruptibly(const std::function<Status()>& work,
                        const std::function<void()>& stop);

}  // namespace pretokdb::python

#endif  // PRETOKDB_PYTHON_INTERRUPTIBLE_H_
