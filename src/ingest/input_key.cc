// InputKey (pretokdb/indexer.h): what a file is known by in a database.

#include <filesystem>
#include <string>

#include "ingest/source_file.h"
#include "pretokdb/indexer.h"

namespace pretokdb {

namespace {

namespace fs = std::filesystem;

// path relative to root if it lies under it (both absolute and normal).
bool RelativeUnder(const fs::path& path, const fs::path& root,
                   std::string* key) {
  const fs::path rel = path.lexically_relative(root);
  if (rel.empty() || rel.is_absolute()) return false;
  const std::string first = rel.begin()->string();
  if (first == ".." || first == ".") return false;
  *key = rel.string();
  return true;
}

fs::path LexicalAbsolute(const std::string& p) {
  std::error_code ec;
  fs::path a = fs::absolute(p, ec);
  return (ec ? fs::path(p) : a).lexically_normal();
}

}  // namespace

Status InputKey(const std::string& root, const std::string& path,
                std::string* key) {
  if (root.empty()) {
    *key = AbsolutePath(path);
    return Status::OK();
  }
  if (RelativeUnder(fs::path(AbsolutePath(path)).lexically_normal(),
                    fs::path(AbsolutePath(root)).lexically_normal(), key) ||
      RelativeUnder(LexicalAbsolute(path), LexicalAbsolute(root), key)) {
    return Status::OK();
  }
  return Status::InvalidArgument(
      path, "is not under --root " + root +
                " (every input must be; give a --root that holds them all)");
}

}  // namespace pretokdb
