// Copyright (c) pretok-db authors.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "ingest_test_util.h"
#include "pretokdb/indexer.h"

namespace pretokdb {
namespace {

using testing_util::TempDir;
using testing_util::WriteFile;
namespace fs = std::filesystem;

TEST(InputKeyTest, RelativeToRoot) {
  TempDir dir;
  fs::create_directories(dir.File("data/sub"));
  WriteFile(dir.File("data/sub/a.txt"), "x");
  WriteFile(dir.File("b.txt"), "y");
  std::string key;
  ASSERT_TRUE(InputKey(dir.File("data"), dir.File("data/sub/a.txt"), &key).ok());
  EXPECT_EQ(key, "sub/a.txt");
  // Lexically normal, whatever the spelling of either path.
  ASSERT_TRUE(InputKey(dir.File("data/"), dir.File("data/./sub/../sub/a.txt"), &key).ok());
  EXPECT_EQ(key, "sub/a.txt");
  // The same files through a symlinked directory (another mount point).
  fs::create_directory_symlink(dir.File("data"), dir.File("mnt"));
  ASSERT_TRUE(InputKey(dir.File("mnt"), dir.File("mnt/sub/a.txt"), &key).ok());
  EXPECT_EQ(key, "sub/a.txt");
  // Without a root: the absolute path.
  ASSERT_TRUE(InputKey("", dir.File("mnt/sub/a.txt"), &key).ok());
  EXPECT_TRUE(fs::path(key).is_absolute());
}

TEST(InputKeyTest, OutsideRootIsRefused) {
  TempDir dir;
  fs::create_directories(dir.File("data"));
  WriteFile(dir.File("b.txt"), "y");
  WriteFile(dir.File("data2"), "z");
  std::string key;
  for (const std::string& p : {dir.File("b.txt"), dir.File("data/../b.txt"),
                               dir.File("data2"), dir.File("data")}) {
    const Status s = InputKey(dir.File("data"), p, &key);
    EXPECT_TRUE(s.IsInvalidArgument()) << p;
    EXPECT_NE(s.message().find("--root"), std::string::npos) << s.message();
  }
}

}  // namespace
}  // namespace pretokdb
