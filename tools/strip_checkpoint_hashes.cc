// Copyright (c) pretok-db authors.
//
// strip_checkpoint_hashes: rewrites every checkpoint of a database in the
// first format, the offset alone, as versions before checkpoints held a
// hash wrote them (store/checkpoint.h). The tests make "a database made
// before hashes" with it; nothing else needs it.
//
//   strip_checkpoint_hashes DB
//
// Prints how many checkpoints it rewrote. The database must not be in use.

#include <cstdio>
#include <string>

#include "store/checkpoint.h"
#include "store/records.h"
#include "store/rocks_store.h"
#include "store/source_catalog.h"

int main(int argc, char** argv) {
  using namespace pretokdb;
  if (argc != 2) {
    std::fprintf(stderr, "usage: strip_checkpoint_hashes DB\n");
    return 2;
  }
  std::unique_ptr<RocksStore> store;
  Status s = RocksStore::Open(argv[1], StoreOptions(), &store);
  Checkpoints checkpoints;
  if (s.ok()) s = ReadCheckpoints(*store, &checkpoints);
  MetaWrites meta;
  for (const auto& [key, checkpoint] : checkpoints) {
    meta.puts.emplace_back(CheckpointKey(key.first, key.second),
                           EncodeCheckpoint(Checkpoint::At(checkpoint.offset)));
  }
  if (s.ok()) s = store->Commit({}, meta);
  if (!s.ok()) {
    std::fprintf(stderr, "strip_checkpoint_hashes: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("%zu\n", meta.puts.size());
  return 0;
}
