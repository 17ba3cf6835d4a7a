#include "ingest/opening_store.h"

#include <new>
#include <system_error>
#include <utility>

namespace pretokdb {

namespace {

// An open that has ended already, with status s.
std::shared_future<Status> Ended(Status s) {
  std::promise<Status> done;
  done.set_value(std::move(s));
  return done.get_future().share();
}

}  // namespace

OpeningStore::OpeningStore(RocksStore* store)
    : ready_(store), opened_(Ended(Status::OK())) {}

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
    opened_ = Ended(run());  // no thread to be had: open it here
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
