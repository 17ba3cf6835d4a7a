#include "ingest/opening_store.h"

#include <new>
#include <system_error>

namespace pretokdb {

OpeningStore::OpeningStore(RocksStore* store) : ready_(store) {
  std::promise<Status> done;
  done.set_value(Status::OK());
  opened_ = done.get_future().share();
}

OpeningStore::OpeningStore(OpenFunction open) {
  auto run = [this, open = std::move(open)]() -> Status {
    try {
      return open(&owned_);
    } catch (const std::bad_alloc&) {
      return Status::IOError("out of memory while opening the database");
    }
  };
  try {
    opened_ = std::async(std::launch::async, run).share();
  } catch (const std::system_error&) {
    // No thread to be had: open it here.
    std::promise<Status> done;
    done.set_value(run());
    opened_ = done.get_future().share();
  }
}

OpeningStore::~OpeningStore() {
  if (opened_.valid()) opened_.wait();
}

Status OpeningStore::Wait(RocksStore** store) {
  *store = nullptr;
  Status s = opened_.get();
  if (!s.ok()) return s;
  *store = ready_ != nullptr ? ready_ : owned_.get();
  return Status::OK();
}

}  // namespace pretokdb
