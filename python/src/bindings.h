// The parts of the extension module pretokdb._core, one file each; module.cc
// puts them together. Each is a thin layer over a public header.

#ifndef PRETOKDB_PYTHON_BINDINGS_H_
#define PRETOKDB_PYTHON_BINDINGS_H_

#include <pybind11/pybind11.h>

namespace pretokdb::python {

void DefineIndex(pybind11::module_& m);   // index.cc: pretokdb/indexer.h
void DefineReader(pybind11::module_& m);  // reader.cc: pretokdb/reader.h
void DefineBpe(pybind11::module_& m);     // bpe.cc: pretokdb/bpe.h

}  // namespace pretokdb::python

#endif  // PRETOKDB_PYTHON_BINDINGS_H_
