// The database of an indexing run, which may still be opening.
//
// Creating a database costs a run ~25 ms (RocksDB writes and syncs its
// MANIFEST, IDENTITY and an OPTIONS file per column family, in a staging
// directory renamed into place, then opens it again): a quarter of a run on
// 10 MB. Counting needs nothing from a new database until its first
// commit, so a run into a new one creates it on a thread of its own while
// the workers count, and every commit first waits for it here.
//
// Thread-safe: Wait() may be called from any thread, any number of times.

#ifndef PRETOKDB_INGEST_OPENING_STORE_H_
#define PRETOKDB_INGEST_OPENING_STORE_H_

#include <functional>
#include <future>
#include <memory>

#include "pretokdb/status.h"
#include "store/rocks_store.h"

namespace pretokdb {

class OpeningStore {
 public:
  using OpenFunction = std::function<Status(std::unique_ptr<RocksStore>*)>;

  // A store that is open already; the caller keeps owning it.
  explicit OpeningStore(RocksStore* store);
  // Runs `open` on a thread of its own. It sets the store or fails; an
  // exception it throws fails the open.
  explicit OpeningStore(OpenFunction open);
  // Waits for the open to end (and closes the store it made, if any).
  ~OpeningStore();

  OpeningStore(const OpeningStore&) = delete;
  OpeningStore& operator=(const OpeningStore&) = delete;

  // Waits for the open to end. OK: *store is the open store. Otherwise the
  // open's error, and the same error again at every later call.
  Status Wait(RocksStore** store);

 private:
  RocksStore* ready_ = nullptr;
  std::unique_ptr<RocksStore> owned_;  // set by the opening thread
  std::shared_future<Status> opened_;
};

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_OPENING_STORE_H_
