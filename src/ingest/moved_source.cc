#include "ingest/moved_source.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "ingest/source_growth.h"
#include "store/rocks_store.h"

namespace pretokdb {

namespace {

// False only when the path is known to be gone: an error other than "no
// such file" (a directory we may not search, say) keeps the source where
// it was, and an input with its content is counted again, as a copy.
bool MayExist(const std::string& path) {
  std::error_code ec;
  const std::filesystem::file_status st = std::filesystem::symlink_status(path, ec);
  if (ec) return ec != std::errc::no_such_file_or_directory &&
                 ec != std::errc::not_a_directory;
  return std::filesystem::exists(st);
}

// Whether file, with fingerprint fp, holds the content of source.
Status HoldsContentOf(const SourceFile& file, uint64_t fp,
                      const SourceRecord& source, bool* holds) {
  *holds = false;
  if (file.size() == source.size) {
    *holds = fp == source.fingerprint;
    return Status::OK();
  }
  if (file.size() < source.size) return Status::OK();
  return HasGrownByAppending(file, source, holds);
}

}  // namespace

Status FindMovedSources(const std::vector<std::unique_ptr<SourceFile>>& files,
                        const std::vector<uint64_t>& fingerprints,
                        std::vector<SourceRecord>* known,
                        std::vector<MovedSource>* moved) {
  moved->clear();
  std::vector<bool> claimed(known->size(), false);
  for (size_t i = 0; i < files.size(); ++i) {
    const SourceFile& f = *files[i];
    const bool is_known = std::any_of(
        known->begin(), known->end(),
        [&](const SourceRecord& r) { return !r.relative && r.path == f.path(); });
    if (is_known) continue;
    for (size_t k = 0; k < known->size(); ++k) {
      SourceRecord& r = (*known)[k];
      if (claimed[k] || r.relative || r.path == "-" || r.path.empty() ||
          r.path.front() != '/') {
        continue;
      }
      bool holds = false;
      PRETOKDB_RETURN_IF_ERROR(HoldsContentOf(f, fingerprints[i], r, &holds));
      if (!holds || MayExist(r.path)) continue;
      claimed[k] = true;
      moved->push_back(MovedSource{i, r.path});
      r.path = f.path();
      break;
    }
  }
  return Status::OK();
}

Status CommitMovedSources(const std::vector<MovedSource>& moved,
                          const std::vector<std::unique_ptr<SourceFile>>& files,
                          const std::vector<SourceRecord>& known,
                          RocksStore* store) {
  if (moved.empty()) return Status::OK();
  MetaWrites meta;
  for (const MovedSource& m : moved) {
    const std::string& path = files[m.input]->path();
    for (const SourceRecord& r : known) {
      if (!r.relative && r.path == path) {
        meta.puts.emplace_back(SourceKey(r.id), EncodeSource(r));
      }
    }
  }
  return store->Commit(std::vector<CountEntry>{}, meta);
}

}  // namespace pretokdb
