// The versions of pretok-db and of the storage engine it was built with.

#ifndef PRETOKDB_VERSION_H_
#define PRETOKDB_VERSION_H_

#include <string>

namespace pretokdb {

// "X.Y.Z", the project's version (CMakeLists.txt's project()).
std::string Version();

// "RocksDB X.Y.Z", the RocksDB headers the library was built with.
std::string StorageEngineVersion();

}  // namespace pretokdb

#endif  // PRETOKDB_VERSION_H_
