// Copyright (c) pretok-db authors.

#include "store/count_merge_operator.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <stdlib.h>

#include <deque>
#include <filesystem>
#include <string>
#include <vector>

#include "store/coding.h"

namespace pretokdb {
namespace {

std::string Fixed(uint64_t v) {
  std::string s;
  PutFixed64(&s, v);
  return s;
}

uint64_t Value(const std::string& s) {
  uint64_t v = 0;
  EXPECT_TRUE(DecodeFixed64Value(s, &v)) << "value of " << s.size() << " bytes";
  return v;
}

class CountMergeOperatorTest : public testing::Test {
 protected:
  // Runs FullMergeV2; returns its result and the merged value in *out.
  bool FullMerge(const std::string* existing,
                 const std::vector<std::string>& operands, std::string* out) {
    rocksdb::Slice existing_slice;
    if (existing != nullptr) existing_slice = *existing;
    std::vector<rocksdb::Slice> slices(operands.begin(), operands.end());
    rocksdb::Slice key("k");
    rocksdb::MergeOperator::MergeOperationInput in(
        key, existing != nullptr ? &existing_slice : nullptr, slices, nullptr);
    rocksdb::Slice existing_operand(nullptr, 0);
    rocksdb::MergeOperator::MergeOperationOutput result(*out, existing_operand);
    const bool ok = op_->FullMergeV2(in, &result);
    if (ok && existing_operand.data() != nullptr) {
      *out = existing_operand.ToString();  // the operator may point at one
    }
    return ok;
  }

  bool PartialMerge(const std::vector<std::string>& operands,
                    std::string* out) {
    std::deque<rocksdb::Slice> slices(operands.begin(), operands.end());
    return op_->PartialMergeMulti(rocksdb::Slice("k"), slices, out, nullptr);
  }

  std::shared_ptr<rocksdb::MergeOperator> op_ = NewCountMergeOperator();
};

TEST_F(CountMergeOperatorTest, FullMergeAdds) {
  std::string out;
  ASSERT_TRUE(FullMerge(nullptr, {Fixed(1), Fixed(2), Fixed(39)}, &out));
  EXPECT_EQ(Value(out), 42u);
  const std::string existing = Fixed(uint64_t{1} << 40);
  ASSERT_TRUE(FullMerge(&existing, {Fixed(5)}, &out));
  EXPECT_EQ(Value(out), (uint64_t{1} << 40) + 5);
  ASSERT_TRUE(FullMerge(&existing, {}, &out));
  EXPECT_EQ(Value(out), uint64_t{1} << 40);
}

TEST_F(CountMergeOperatorTest, FullMergeRejectsMalformedOperand) {
  const std::string bad[] = {"", "abc", std::string(7, '\1'),
                             std::string(9, '\1'), Fixed(1) + Fixed(1)};
  for (const std::string& b : bad) {
    std::string out;
    EXPECT_FALSE(FullMerge(nullptr, {b}, &out)) << b.size();
    EXPECT_FALSE(FullMerge(nullptr, {Fixed(1), b, Fixed(2)}, &out)) << b.size();
    const std::string good = Fixed(3);
    EXPECT_FALSE(FullMerge(&good, {Fixed(1), b}, &out)) << b.size();
  }
}

TEST_F(CountMergeOperatorTest, FullMergeRejectsMalformedExistingValue) {
  for (const std::string& b : {std::string("abc"), std::string(),
                               std::string(16, '\0')}) {
    std::string out;
    EXPECT_FALSE(FullMerge(&b, {Fixed(1)}, &out)) << b.size();
  }
}

TEST_F(CountMergeOperatorTest, PartialMergeAdds) {
  std::string out;
  ASSERT_TRUE(PartialMerge({Fixed(10), Fixed(20)}, &out));
  EXPECT_EQ(Value(out), 30u);
  ASSERT_TRUE(PartialMerge({Fixed(7), Fixed(0), Fixed(8), Fixed(1000)}, &out));
  EXPECT_EQ(Value(out), 1015u);
}

TEST_F(CountMergeOperatorTest, PartialMergeRejectsMalformedOperand) {
  std::string out;
  EXPECT_FALSE(PartialMerge({Fixed(1), "xyz"}, &out));
  EXPECT_FALSE(PartialMerge({"", Fixed(1)}, &out));
  EXPECT_FALSE(PartialMerge({Fixed(1), std::string(9, '\0')}, &out));
}

// Inside RocksDB: merges add up on Get, across a flush and a compaction,
// and a malformed operand turns into Corruption, never a wrong count.
class CountMergeOperatorDbTest : public testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pretokdb_merge_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    rocksdb::Options options;
    options.create_if_missing = true;
    options.merge_operator = NewCountMergeOperator();
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir_ + "/db", &db).ok());
    db_.reset(db);
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  std::unique_ptr<rocksdb::DB> db_;
};

TEST_F(CountMergeOperatorDbTest, CountsAddUp) {
  rocksdb::WriteOptions wo;
  for (int i = 1; i <= 100; i++) {
    ASSERT_TRUE(db_->Merge(wo, "the", Fixed(i)).ok());
    if (i == 50) ASSERT_TRUE(db_->Flush(rocksdb::FlushOptions()).ok());
  }
  std::string v;
  ASSERT_TRUE(db_->Get(rocksdb::ReadOptions(), "the", &v).ok());
  EXPECT_EQ(Value(v), 5050u);
  ASSERT_TRUE(db_->CompactRange(rocksdb::CompactRangeOptions(), nullptr,
                                nullptr)
                  .ok());
  ASSERT_TRUE(db_->Get(rocksdb::ReadOptions(), "the", &v).ok());
  EXPECT_EQ(Value(v), 5050u);
  ASSERT_TRUE(db_->Merge(wo, "the", Fixed(1)).ok());
  ASSERT_TRUE(db_->Get(rocksdb::ReadOptions(), "the", &v).ok());
  EXPECT_EQ(Value(v), 5051u);
}

TEST_F(CountMergeOperatorDbTest, MalformedOperandIsCorruption) {
  rocksdb::WriteOptions wo;
  ASSERT_TRUE(db_->Merge(wo, "bad", Fixed(1)).ok());
  ASSERT_TRUE(db_->Merge(wo, "bad", "abc").ok());
  ASSERT_TRUE(db_->Merge(wo, "good", Fixed(2)).ok());
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), "bad", &v);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  ASSERT_TRUE(db_->Get(rocksdb::ReadOptions(), "good", &v).ok());
  EXPECT_EQ(Value(v), 2u);
}

}  // namespace
}  // namespace pretokdb
