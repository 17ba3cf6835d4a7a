#include "status_error.h"

namespace py = pybind11;

namespace pretokdb::python {

namespace {

// The name of the pretokdb.errors class of each code.
const char* ClassName(Status::Code code) {
  switch (code) {
    case Status::Code::kNotFound:
      return "NotFoundError";
    case Status::Code::kCorruption:
      return "CorruptionError";
    case Status::Code::kInvalidArgument:
      return "InvalidArgumentError";
    case Status::Code::kIOError:
      return "InputOutputError";
    case Status::Code::kBusy:
      return "BusyError";
    case Status::Code::kAborted:
      return "AbortedError";
    case Status::Code::kOk:
      break;
  }
  return "Error";
}

}  // namespace

py::str DecodeReplace(const std::string& s) {
  PyObject* str = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
  if (str == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(str);
}

void ThrowStatus(const Status& s) {
  // Imported on each error, not cached: errors are rare, and a cached class
  // would outlive the module state across interpreter restarts.
  py::object cls = py::module_::import("pretokdb.errors").attr(ClassName(s.code()));
  PyErr_SetObject(cls.ptr(), DecodeReplace(s.message()).ptr());
  throw py::error_already_set();
}

}  // namespace pretokdb::python
