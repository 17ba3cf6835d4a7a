#include "merge/database_state.h"

#include <fcntl.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "store/coding.h"
#include "store/source_catalog.h"

namespace pretokdb {

namespace {

bool HasPrefix(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::string EncodeMerged(const MergedRecord& m) { return m.digest + "\t" + m.path; }

MergedRecord DecodeMerged(std::string_view value) {
  MergedRecord m;
  const size_t tab = value.find('\t');
  if (tab == std::string_view::npos) {
    m.path = std::string(value);
  } else {
    m.digest = std::string(value.substr(0, tab));
    m.path = std::string(value.substr(tab + 1));
  }
  return m;
}

Status CheckNotBeingWritten(const std::string& path) {
  // RocksDB locks a database it opens for writing with an fcntl(F_SETLK)
  // write lock on the whole of DIR/LOCK (a killed process's lock goes with
  // it). F_GETLK asks whether such a lock is held without taking one, and
  // needs only a read-only descriptor. (Locks of this process are not
  // seen, but this process opens sources read-only.)
  const std::string lock = (std::filesystem::path(path) / "LOCK").string();
  const int fd = ::open(lock.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::OK();  // never opened for writing
    return Status::IOError(lock, std::strerror(errno));
  }
  struct flock probe;
  std::memset(&probe, 0, sizeof(probe));
  probe.l_type = F_WRLCK;
  probe.l_whence = SEEK_SET;
  probe.l_start = 0;
  probe.l_len = 0;
  const int r = ::fcntl(fd, F_GETLK, &probe);
  const int error = errno;
  ::close(fd);
  if (r != 0) return Status::IOError(lock, std::strerror(error));
  if (probe.l_type == F_UNLCK) return Status::OK();
  return Status::Busy(
      path, "is being written (process " + std::to_string(probe.l_pid) +
                " holds its lock: an index run or a merge into it); merge it "
                "once that run has finished");
}

Status OpenSourceDatabase(const std::string& path, uint64_t memory_budget,
                          DatabaseState* state) {
  StoreOptions options;
  options.read_only = true;
  options.memory_budget = memory_budget;
  state->path = path;
  PRETOKDB_RETURN_IF_ERROR(RocksStore::Open(path, options, &state->store));
  return ReadDatabaseState(state);
}

Status ReadDatabaseState(DatabaseState* state) {
  const RocksStore& store = *state->store;
  std::string raw;
  Status s = store.GetMeta(kConfigKey, &raw);
  state->has_config = s.ok();
  if (s.ok()) {
    if (!DecodeConfig(raw, &state->config)) {
      return Status::Corruption(state->path, "unreadable configuration record");
    }
  } else if (!s.IsNotFound()) {
    return s;
  }
  PRETOKDB_RETURN_IF_ERROR(store.GetIdentity(&state->identity));
  PRETOKDB_RETURN_IF_ERROR(ReadSources(store, &state->records));
  PRETOKDB_RETURN_IF_ERROR(ReadCheckpoints(store, &state->checkpoints));
  PRETOKDB_RETURN_IF_ERROR(ReadStreamChunks(store, &state->stream_chunks));

  state->merged.clear();
  state->stats.clear();
  std::unique_ptr<StoreIterator> it = store.NewMetaIterator();
  XXH3_state_t* digest = XXH3_createState();
  XXH3_64bits_reset(digest);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    // Not the time: a run with nothing to do adds to it, and changes
    // nothing that a merge would take.
    if (it->key() == kStatElapsedMs) continue;
    std::string sizes;
    PutFixed64(&sizes, it->key().size());
    PutFixed64(&sizes, it->value().size());
    XXH3_64bits_update(digest, sizes.data(), sizes.size());
    XXH3_64bits_update(digest, it->key().data(), it->key().size());
    XXH3_64bits_update(digest, it->value().data(), it->value().size());
  }
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx",
                static_cast<unsigned long long>(XXH3_64bits_digest(digest)));
  XXH3_freeState(digest);
  state->digest = hex;
  PRETOKDB_RETURN_IF_ERROR(it->status());
  for (it->Seek(kMergedPrefix); it->Valid() && HasPrefix(it->key(), kMergedPrefix);
       it->Next()) {
    std::string_view id = it->key().substr(kMergedPrefix.size());
    state->merged.emplace(std::string(id), DecodeMerged(it->value()));
  }
  PRETOKDB_RETURN_IF_ERROR(it->status());
  for (it->Seek(kStatPrefix); it->Valid() && HasPrefix(it->key(), kStatPrefix);
       it->Next()) {
    uint64_t v;
    if (!DecodeFixed64Value(it->value(), &v)) {
      return Status::Corruption(state->path, "malformed stat value");
    }
    state->stats[std::string(it->key())] = v;
  }
  return it->status();
}

}  // namespace pretokdb
