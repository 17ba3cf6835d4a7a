// Library errors as Python exceptions.
//
// A Status that is not OK becomes the exception class of pretokdb.errors for
// its code (NotFoundError, InvalidArgumentError, ...), whose str() is the
// Status's message: what the pretok-db command prints after
// "pretok-db: error: ". The classes are defined in Python (errors.py), so
// that their docstrings and hierarchy live in one readable place.

#ifndef PRETOKDB_PYTHON_STATUS_ERROR_H_
#define PRETOKDB_PYTHON_STATUS_ERROR_H_

#include <pybind11/pybind11.h>

#include <string>

#include "pretokdb/status.h"

namespace pretokdb::python {

// Sets the Python error of `s` (not OK) and throws pybind11's
// error_already_set, which pybind11 hands back to Python. Needs the GIL.
[[noreturn]] void ThrowStatus(const Status& s);

inline void ThrowIfError(const Status& s) {
  if (!s.ok()) ThrowStatus(s);
}

// A C++ string that may hold any bytes (paths, messages) as a Python str:
// invalid UTF-8 becomes U+FFFD, as the CLI's JSON output has it.
pybind11::str DecodeReplace(const std::string& s);

}  // namespace pretokdb::python

#endif  // PRETOKDB_PYTHON_STATUS_ERROR_H_
