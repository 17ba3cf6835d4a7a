// pretokdb._core: the C++ half of the Python package pretokdb. The package's
// Python half (pretokdb/*.py) holds the public functions, their argument
// checks and docstrings; this half runs the library.

#include <pybind11/pybind11.h>

#include "bindings.h"

PYBIND11_MODULE(_core, m) {
  m.doc() =
      "The C++ half of pretokdb: indexing, reading and training through the "
      "library's public headers. Use the functions of the pretokdb package, "
      "which check their arguments and document them.";
  pretokdb::python::DefineIndex(m);
  pretokdb::python::DefineReader(m);
  pretokdb::python::DefineBpe(m);
}
