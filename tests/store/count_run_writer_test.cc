// Copyright (c) pretok-db authors.
//
// CountRunWriter against the writer it replaces, rocksdb::SstFileWriter,
// with the counts family's table options: the same bytes up to the
// properties block, the same properties, a file RocksDB reads back, checks
// and ingests.

#include "store/count_run_writer.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/sst_file_reader.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>
#include <rocksdb/table_properties.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "store/coding.h"
#include "store/count_merge_operator.h"

namespace pretokdb {
namespace {

namespace fs = std::filesystem;
using Entries = std::vector<std::pair<std::string, uint64_t>>;

class CountRunWriterTest : public testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pretokdb_run_writer_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    // The counts family's table options (store/rocks_store.cc).
    options_.compression = rocksdb::kLZ4Compression;
    options_.merge_operator = NewCountMergeOperator();
    rocksdb::BlockBasedTableOptions table;
    table.block_size = 16 << 10;
    options_.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  static std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  void WriteRocks(const std::string& path, const Entries& entries) {
    rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), options_);
    ASSERT_TRUE(writer.Open(path).ok());
    char value[8];
    for (const auto& [token, count] : entries) {
      EncodeFixed64(value, count);
      ASSERT_TRUE(writer.Merge(token, rocksdb::Slice(value, 8)).ok());
    }
    ASSERT_TRUE(writer.Finish().ok());
  }

  // Like SstFileWriter without a column family handle.
  void WriteOurs(const std::string& path, const Entries& entries,
                 CountRunOptions options = UnknownFamily()) {
    CountRunWriter writer(options);
    ASSERT_TRUE(writer.Open(path).ok());
    for (const auto& [token, count] : entries) {
      ASSERT_TRUE(writer.Add(token, count).ok());
    }
    uint64_t size = 0;
    const Status s = writer.Finish(&size);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(size, fs::file_size(path));
  }

  static CountRunOptions UnknownFamily() {
    CountRunOptions o;
    o.column_family_id =
        rocksdb::TablePropertiesCollectorFactory::Context::kUnknownColumnFamily;
    o.merge_operator_name = NewCountMergeOperator()->Name();
    return o;
  }

  // Where the properties block starts: footer -> metaindex -> its one
  // entry, "rocksdb.properties" -> handle.
  static size_t PropertiesOffset(const std::string& file) {
    std::string_view footer(file.data() + file.size() - 53, 53);
    footer.remove_prefix(1);  // checksum type
    uint64_t meta_offset = 0, meta_size = 0;
    EXPECT_TRUE(GetVarint64(&footer, &meta_offset));
    EXPECT_TRUE(GetVarint64(&footer, &meta_size));
    std::string_view meta(file.data() + meta_offset, meta_size);
    uint64_t shared = 0, key_size = 0, value_size = 0, offset = 0;
    EXPECT_TRUE(GetVarint64(&meta, &shared));
    EXPECT_TRUE(GetVarint64(&meta, &key_size));
    EXPECT_TRUE(GetVarint64(&meta, &value_size));
    EXPECT_EQ(meta.substr(0, key_size), "rocksdb.properties");
    meta.remove_prefix(key_size);
    EXPECT_TRUE(GetVarint64(&meta, &offset));
    return offset;
  }

  std::shared_ptr<const rocksdb::TableProperties> Properties(
      const std::string& path) {
    rocksdb::SstFileReader reader(options_);
    EXPECT_TRUE(reader.Open(path).ok());
    return reader.GetTableProperties();
  }

  // Both writers, then every check.
  void Compare(const Entries& entries) {
    const std::string theirs = Path("rocks.sst"), ours = Path("ours.sst");
    WriteRocks(theirs, entries);
    WriteOurs(ours, entries);
    const std::string a = Read(theirs), b = Read(ours);
    const size_t end = PropertiesOffset(a);
    ASSERT_EQ(end, PropertiesOffset(b));
    ASSERT_GE(b.size(), end);
    EXPECT_TRUE(a.compare(0, end, b, 0, end) == 0)
        << "data or index blocks differ; first difference at byte "
        << std::distance(
               a.begin(),
               std::mismatch(a.begin(), a.begin() + end, b.begin()).first);

    auto pa = Properties(theirs), pb = Properties(ours);
    ASSERT_TRUE(pa && pb);
    EXPECT_EQ(pa->num_entries, pb->num_entries);
    EXPECT_EQ(pa->num_merge_operands, pb->num_merge_operands);
    EXPECT_EQ(pa->num_deletions, pb->num_deletions);
    EXPECT_EQ(pa->num_range_deletions, pb->num_range_deletions);
    EXPECT_EQ(pa->raw_key_size, pb->raw_key_size);
    EXPECT_EQ(pa->raw_value_size, pb->raw_value_size);
    EXPECT_EQ(pa->data_size, pb->data_size);
    EXPECT_EQ(pa->index_size, pb->index_size);
    EXPECT_EQ(pa->num_data_blocks, pb->num_data_blocks);
    EXPECT_EQ(pa->format_version, pb->format_version);
    EXPECT_EQ(pa->index_key_is_user_key, pb->index_key_is_user_key);
    EXPECT_EQ(pa->index_value_is_delta_encoded,
              pb->index_value_is_delta_encoded);
    EXPECT_EQ(pa->column_family_id, pb->column_family_id);
    EXPECT_EQ(pa->comparator_name, pb->comparator_name);
    EXPECT_EQ(pa->merge_operator_name, pb->merge_operator_name);
    EXPECT_EQ(pa->compression_name, pb->compression_name);
    EXPECT_EQ(pa->orig_file_number, pb->orig_file_number);
    EXPECT_EQ(pa->db_session_id.size(), pb->db_session_id.size());
    EXPECT_NE(pa->db_session_id, pb->db_session_id);
    for (const char* name : {"rocksdb.external_sst_file.version",
                             "rocksdb.external_sst_file.global_seqno",
                             "rocksdb.block.based.table.index.type",
                             "rocksdb.block.based.table.prefix.filtering",
                             "rocksdb.block.based.table.whole.key.filtering"}) {
      ASSERT_TRUE(pb->user_collected_properties.count(name)) << name;
      EXPECT_EQ(pa->user_collected_properties.at(name),
                pb->user_collected_properties.at(name))
          << name;
    }

    // RocksDB checks every block of ours and reads back what went in.
    rocksdb::SstFileReader reader(options_);
    ASSERT_TRUE(reader.Open(ours).ok());
    ASSERT_TRUE(reader.VerifyChecksum().ok());
    std::unique_ptr<rocksdb::Iterator> it(
        reader.NewIterator(rocksdb::ReadOptions()));
    size_t i = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next(), ++i) {
      ASSERT_LT(i, entries.size());
      ASSERT_EQ(it->key().ToString(), entries[i].first) << "entry " << i;
      uint64_t count = 0;
      ASSERT_TRUE(DecodeFixed64Value(
          std::string_view(it->value().data(), it->value().size()), &count));
      ASSERT_EQ(count, entries[i].second) << "entry " << i;
    }
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    EXPECT_EQ(i, entries.size());
    // Point lookups go through the index's separators.
    for (size_t j = 0; j < entries.size(); j += 1 + entries.size() / 200) {
      it->Seek(entries[j].first);
      ASSERT_TRUE(it->Valid());
      EXPECT_EQ(it->key().ToString(), entries[j].first);
    }
  }

  static Entries Sorted(std::vector<std::string> tokens, std::mt19937_64* rnd) {
    std::sort(tokens.begin(), tokens.end());
    tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
    Entries entries;
    for (std::string& t : tokens) {
      const uint64_t count = (*rnd)() % 4 == 0 ? (*rnd)() : 1 + (*rnd)() % 1000;
      entries.emplace_back(std::move(t), count);
    }
    return entries;
  }

  std::string dir_;
  rocksdb::Options options_;
};

TEST_F(CountRunWriterTest, OneEntry) { Compare({{"hello", 1}}); }

TEST_F(CountRunWriterTest, FewEntries) {
  Compare({{" the", 7},
           {"key000001", 1},
           {"key000002", 2},
           {"\xff", ~uint64_t{0}}});
}

// Short tokens of any bytes: many 16 KiB blocks, all compressed.
TEST_F(CountRunWriterTest, ManyShortTokens) {
  std::mt19937_64 rnd(1);
  std::vector<std::string> tokens;
  for (int i = 0; i < 100000; ++i) {
    std::string t(1 + rnd() % 16, '\0');
    for (char& c : t)
      c = static_cast<char>(rnd() % 4 == 0 ? rnd() : 'a' + rnd() % 26);
    tokens.push_back(std::move(t));
  }
  Compare(Sorted(std::move(tokens), &rnd));
}

// Long keys that differ late, by one, around 0x00 and 0xff, or where one is
// a prefix of the next: a block boundary every few entries, and every
// branch of the separator between blocks.
TEST_F(CountRunWriterTest, SeparatorEdgeCases) {
  std::mt19937_64 rnd(2);
  const char bytes[] = {'\x00', '\x01', 'a', 'b', '\xfe', '\xff'};
  std::vector<std::string> tokens;
  std::string key(300, 'a');
  for (int i = 0; i < 5000; ++i) {
    switch (rnd() % 3) {
      case 0:  // a prefix of the next
        for (int k = 1 + rnd() % 3; k > 0; --k) key.push_back(bytes[rnd() % 6]);
        break;
      case 1: {  // one byte up, then a new tail
        size_t p = key.size() - 1 - rnd() % std::min<size_t>(key.size(), 40);
        while (p > 0 && static_cast<uint8_t>(key[p]) == 0xff) --p;
        key[p] = static_cast<char>(static_cast<uint8_t>(key[p]) + 1);
        key.resize(p + 1);
        while (key.size() < 300 + rnd() % 400) key.push_back(bytes[rnd() % 6]);
        break;
      }
      default:  // the shortest step: append 0x00
        key.push_back('\0');
    }
    tokens.push_back(key);
  }
  Compare(Sorted(std::move(tokens), &rnd));
}

// Random bytes do not compress by an eighth: stored raw. Keys of up to a
// few KiB end blocks anywhere in the last tenth of 16 KiB (the flush
// policy's deviation), and one larger than a block makes a block of its own.
TEST_F(CountRunWriterTest, IncompressibleAndHugeKeys) {
  std::mt19937_64 rnd(3);
  std::vector<std::string> tokens;
  for (int i = 0; i < 3000; ++i) {
    std::string t(i % 500 == 0 ? 40000 : 1 + rnd() % 3000, '\0');
    for (char& c : t) c = static_cast<char>(rnd());
    tokens.push_back(std::move(t));
  }
  Compare(Sorted(std::move(tokens), &rnd));
}

TEST_F(CountRunWriterTest, NoEntriesIsAnError) {
  CountRunWriter writer(UnknownFamily());
  ASSERT_TRUE(writer.Open(Path("empty.sst")).ok());
  uint64_t size = 0;
  EXPECT_TRUE(writer.Finish(&size).IsInvalidArgument());
}

TEST_F(CountRunWriterTest, TokensOutOfOrderAreAnError) {
  for (const Entries& entries :
       {Entries{{"b", 1}, {"a", 1}}, Entries{{"a", 1}, {"a", 2}},
        Entries{{"ab", 1}, {"a", 1}}}) {
    CountRunWriter writer(UnknownFamily());
    ASSERT_TRUE(writer.Open(Path("bad.sst")).ok());
    EXPECT_TRUE(writer.Add(entries[0].first, entries[0].second).ok());
    EXPECT_TRUE(
        writer.Add(entries[1].first, entries[1].second).IsInvalidArgument())
        << entries[0].first << " then " << entries[1].first;
    uint64_t size = 0;
    EXPECT_FALSE(writer.Finish(&size).ok());
  }
}

TEST_F(CountRunWriterTest, UncreatableFileIsAnError) {
  CountRunWriter writer(UnknownFamily());
  const Status s = writer.Open(Path("no/such/dir/x.sst"));
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
}

// Written for a database's family, files ingest and their counts add up;
// a file that names another family is refused.
TEST_F(CountRunWriterTest, IngestsIntoItsFamily) {
  rocksdb::Options db_options = options_;
  db_options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(db_options, Path("db"), &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  CountRunOptions family;
  family.column_family_id = db->DefaultColumnFamily()->GetID();
  family.column_family_name = db->DefaultColumnFamily()->GetName();
  family.merge_operator_name = db_options.merge_operator->Name();
  WriteOurs(Path("a.sst"), {{"a", 1}, {"b", 2}}, family);
  WriteOurs(Path("b.sst"), {{"b", 3}, {"c", 4}}, family);
  ASSERT_TRUE(db->IngestExternalFile({Path("a.sst")}, {}).ok());
  ASSERT_TRUE(db->IngestExternalFile({Path("b.sst")}, {}).ok());
  for (const auto& [key, want] : Entries{{"a", 1}, {"b", 5}, {"c", 4}}) {
    std::string value;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), key, &value).ok()) << key;
    uint64_t count = 0;
    ASSERT_TRUE(DecodeFixed64Value(value, &count));
    EXPECT_EQ(count, want) << key;
  }
  CountRunOptions other = family;
  other.column_family_id = family.column_family_id + 1;
  WriteOurs(Path("c.sst"), {{"d", 1}}, other);
  EXPECT_FALSE(db->IngestExternalFile({Path("c.sst")}, {}).ok());
}

}  // namespace
}  // namespace pretokdb
