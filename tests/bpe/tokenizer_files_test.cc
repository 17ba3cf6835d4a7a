// Copyright (c) pretok-db authors.
//
// The tokenizer files of a model small enough to check by hand, the
// pattern each library is given, and how files are written (whole or not
// at all). tests/e2e/test_tokenizer_files.py loads trained models' files
// with the real libraries.

#include "pretokdb/tokenizer_files.h"
#include "pretokdb/options.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "bpe/atomic_file.h"
#include "bpe/base64.h"
#include "bpe/hf_pattern.h"
#include "bpe/model_check.h"
#include "text/pattern.h"

namespace pretokdb {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// <|endoftext|> (id 0), the 256 bytes (ids 1-256), then " t" (257) and
// " th" (258).
BpeModel TinyModel(const std::string& pattern = "gpt2") {
  BpeModel m;
  m.special_tokens = {"<|endoftext|>"};
  m.vocab = m.special_tokens;
  for (uint8_t b : Gpt2ByteOrder()) m.vocab.emplace_back(1, static_cast<char>(b));
  m.merges = {{" ", "t"}, {" t", "h"}};
  m.vocab.push_back(" t");
  m.vocab.push_back(" th");
  m.pattern = pattern;
  if (pattern == "gpt2") m.pattern_regex = std::string(kGpt2Pattern);
  if (pattern == "cl100k") m.pattern_regex = std::string(kCl100kPattern);
  if (pattern == "o200k") m.pattern_regex = std::string(kO200kPattern);
  return m;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> lines;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class TokenizerFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pretokdb-tokfiles-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(dir_, ec);
  }

  // Writes `model` into dir_/out; the files' names and contents.
  std::map<std::string, std::string> Write(const BpeModel& model,
                                           std::vector<std::string>* warnings = nullptr) {
    Status s = WriteTokenizerFiles(model, (dir_ / "out").string(), warnings);
    EXPECT_TRUE(s.ok()) << s.ToString();
    std::map<std::string, std::string> files;
    for (const auto& e : fs::directory_iterator(dir_ / "out")) {
      files[e.path().filename().string()] = ReadFile(e.path());
    }
    return files;
  }

  fs::path dir_;
};

TEST(Base64Test, Rfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  // High bits: bytes are unsigned.
  EXPECT_EQ(Base64Encode(std::string("\xff\xfe\x00", 3)), "//4A");
  EXPECT_EQ(Base64Encode(std::string("\x00", 1)), "AA==");
}

TEST_F(TokenizerFilesTest, WritesTheFiveFilesAndNothingElse) {
  auto files = Write(TinyModel());
  std::vector<std::string> names;
  for (const auto& [name, contents] : files) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"merges.txt", "tiktoken.json", "tokenizer.json",
                                             "tokenizer.tiktoken", "vocab.json"}));
}

TEST_F(TokenizerFilesTest, MergesTxtIsGpt2s) {
  auto files = Write(TinyModel());
  // The space byte is shown as U+0120 (Ġ).
  EXPECT_EQ(files["merges.txt"], "#version: 0.2\n\xC4\xA0 t\n\xC4\xA0t h\n");
}

TEST_F(TokenizerFilesTest, VocabJsonIsGpt2s) {
  const std::string vocab = Write(TinyModel())["vocab.json"];
  // One line, ids in order: the special token as itself, then GPT-2's
  // bytes-to-unicode order (33-126 first, shown as themselves; JSON
  // escapes the quote)...
  EXPECT_EQ(vocab.substr(0, 38), R"({"<|endoftext|>":0,"!":1,"\"":2,"#":3,)");
  // ... bytes 160 and 173, the last two, as U+0142 and U+0143, then the
  // merges' tokens.
  const std::string tail =
      "\"\xC5\x82\":255,\"\xC5\x83\":256,\"\xC4\xA0t\":257,\"\xC4\xA0th\":258}\n";
  ASSERT_GE(vocab.size(), tail.size());
  EXPECT_EQ(vocab.substr(vocab.size() - tail.size()), tail);

  const Json parsed = Json::parse(vocab);
  EXPECT_EQ(parsed.size(), 259u);
  EXPECT_EQ(parsed["\xC4\xA0"], 221);  // space: GPT-2's id 220, after one special
  EXPECT_EQ(parsed["\xC4\x80"], 189);  // byte 0 is U+0100, GPT-2's 188
  EXPECT_EQ(parsed["\xC4\x8A"], 199);  // newline (10) is U+010A, GPT-2's 198
  EXPECT_EQ(parsed["a"], 65);          // 97 - 33 + 1
}

TEST_F(TokenizerFilesTest, LargeVocabularyInIdOrder) {
  // 100,000 merges: every two-letter word, then each word of n letters and
  // a letter (written in well under a second; key-by-key insertion into an
  // ordered JSON object took minutes).
  BpeModel m = TinyModel();
  m.merges.clear();
  m.vocab.resize(257);
  std::vector<std::string> words;
  for (char c = 'a'; c <= 'z'; ++c) words.emplace_back(1, c);
  for (size_t w = 0; m.merges.size() < 100000; ++w) {
    for (char c = 'a'; c <= 'z' && m.merges.size() < 100000; ++c) {
      m.merges.push_back({words[w], std::string(1, c)});
      m.vocab.push_back(words[w] + c);
      words.push_back(words[w] + c);
    }
  }
  auto files = Write(m);
  const Json vocab = Json::parse(files["vocab.json"]);
  ASSERT_EQ(vocab.size(), m.vocab.size());
  EXPECT_EQ(vocab["aa"], 257);
  EXPECT_EQ(vocab[m.vocab.back()], m.vocab.size() - 1);
  // In id order: the last key is the last token.
  const std::string tail = "\"" + m.vocab.back() + "\":" + std::to_string(m.vocab.size() - 1) + "}\n";
  EXPECT_EQ(files["vocab.json"].substr(files["vocab.json"].size() - tail.size()), tail);
  EXPECT_EQ(Json::parse(files["tokenizer.json"])["model"]["vocab"], vocab);
  EXPECT_EQ(Lines(files["merges.txt"]).size(), 100001u);
}

TEST_F(TokenizerFilesTest, TiktokenRanksAreTheIds) {
  auto files = Write(TinyModel());
  const std::vector<std::string> lines = Lines(files["tokenizer.tiktoken"]);
  ASSERT_EQ(lines.size(), 258u);  // every token but the special one
  EXPECT_EQ(lines[0], "IQ== 1");       // "!"
  EXPECT_EQ(lines[220], "IA== 221");   // " "
  EXPECT_EQ(lines[188], "AA== 189");   // "\0"
  EXPECT_EQ(lines[254], "oA== 255");   // "\xA0"
  EXPECT_EQ(lines[255], "rQ== 256");   // "\xAD"
  EXPECT_EQ(lines[256], "IHQ= 257");   // " t"
  EXPECT_EQ(lines[257], "IHRo 258");   // " th"
  EXPECT_EQ(files["tiktoken.json"],
            "{\n  \"pat_str\": " + Json(std::string(kGpt2Pattern)).dump() +
                ",\n  \"special_tokens\": {\n    \"<|endoftext|>\": 0\n  }\n}\n");
}

TEST_F(TokenizerFilesTest, TokenizerJsonForGpt2) {
  const Json t = Json::parse(Write(TinyModel())["tokenizer.json"]);
  EXPECT_EQ(t["version"], "1.0");
  EXPECT_EQ(t["normalizer"], nullptr);
  EXPECT_EQ(t["post_processor"], nullptr);
  EXPECT_EQ(t["pre_tokenizer"], Json::parse(R"({"type": "ByteLevel",
      "add_prefix_space": false, "trim_offsets": true, "use_regex": true})"));
  EXPECT_EQ(t["decoder"]["type"], "ByteLevel");
  EXPECT_EQ(t["added_tokens"], Json::parse(R"([{"id": 0, "content": "<|endoftext|>",
      "single_word": false, "lstrip": false, "rstrip": false, "normalized": false,
      "special": true}])"));
  const Json& model = t["model"];
  EXPECT_EQ(model["type"], "BPE");
  EXPECT_EQ(model["ignore_merges"], false);
  EXPECT_EQ(model["byte_fallback"], false);
  EXPECT_EQ(model["unk_token"], nullptr);
  // The special token in vocab at its id too, and every other token as in
  // vocab.json.
  EXPECT_EQ(model["vocab"], Json::parse(Write(TinyModel())["vocab.json"]));
  EXPECT_EQ(model["vocab"]["<|endoftext|>"], 0);
  EXPECT_EQ(model["merges"], Json::parse("[\"\xC4\xA0 t\", \"\xC4\xA0t h\"]"));
}

TEST_F(TokenizerFilesTest, TokenizerJsonForCl100kSplitsOnTheRewrittenPattern) {
  std::vector<std::string> warnings;
  auto files = Write(TinyModel("cl100k"), &warnings);
  EXPECT_TRUE(warnings.empty());
  const Json t = Json::parse(files["tokenizer.json"]);
  const Json& pre = t["pre_tokenizer"];
  EXPECT_EQ(pre["type"], "Sequence");
  ASSERT_EQ(pre["pretokenizers"].size(), 2u);
  EXPECT_EQ(pre["pretokenizers"][0],
            Json({{"type", "Split"},
                  {"pattern", {{"Regex", std::string(Cl100kForOniguruma())}}},
                  {"behavior", "Isolated"},
                  {"invert", false}}));
  EXPECT_EQ(pre["pretokenizers"][1], Json::parse(R"({"type": "ByteLevel",
      "add_prefix_space": false, "trim_offsets": true, "use_regex": false})"));
  // tiktoken gets its own pattern.
  EXPECT_EQ(Json::parse(files["tiktoken.json"])["pat_str"], std::string(kCl100kPattern));
}

TEST_F(TokenizerFilesTest, TokenizerJsonForO200kSplitsOnThePatternAsIs) {
  std::vector<std::string> warnings;
  const Json t = Json::parse(Write(TinyModel("o200k"), &warnings)["tokenizer.json"]);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(t["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"],
            std::string(kO200kPattern));
}

TEST_F(TokenizerFilesTest, CustomPatternIsWrittenAsGivenWithAWarning) {
  BpeModel m = TinyModel("custom");
  m.pattern_regex = R"(\p{L}+|\p{N}+|[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
  std::vector<std::string> warnings;
  auto files = Write(m, &warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("may read it otherwise"), std::string::npos) << warnings[0];
  EXPECT_EQ(Json::parse(files["tokenizer.json"])["pre_tokenizer"]["pretokenizers"][0]
                ["pattern"]["Regex"],
            m.pattern_regex);
  EXPECT_EQ(Json::parse(files["tiktoken.json"])["pat_str"], m.pattern_regex);
}

TEST(HfPatternTest, BuiltinPatternsAreTiktokens) {
  // The writer reads them through the public header; they must be the
  // patterns the database was indexed with.
  EXPECT_EQ(BuiltinPatternRegex("gpt2"), kGpt2Pattern);
  EXPECT_EQ(BuiltinPatternRegex("cl100k"), kCl100kPattern);
  EXPECT_EQ(BuiltinPatternRegex("o200k"), kO200kPattern);
  EXPECT_EQ(BuiltinPatternRegex("custom"), "");
  EXPECT_EQ(TiktokenPattern("cl100k", ""), kCl100kPattern);
  EXPECT_EQ(TiktokenPattern("custom", "a+"), "a+");
  EXPECT_EQ(TiktokenPattern("custom", ""), "");
}

TEST(HfPatternTest, Cl100kRewrite) {
  // Alternative by alternative (hf_pattern.cc says why each is exact).
  EXPECT_EQ(Cl100kForOniguruma(),
            R"('(?i:[sdmt]|ll|ve|re))"
            R"(|[^\r\n\p{L}\p{N}]?\p{L}+)"      // was ?+ and ++
            R"(|\p{N}{1,3})"                    // was {1,3}+: repetition in Ruby
            R"(| ?[^\s\p{L}\p{N}]+[\r\n]*)"     // was ++ and *+
            R"(|\s+\z)"                         // was \s++$: $ is multi-line in Ruby
            R"(|\s*[\r\n]|\s+(?!\S)|\s)");
  // No possessive quantifier nor `$` is left for Oniguruma to misread.
  const std::string p(Cl100kForOniguruma());
  for (const char* bad : {"?+", "*+", "++", "$"}) {
    EXPECT_EQ(p.find(bad), std::string::npos) << bad;
  }
  EXPECT_FALSE(std::regex_search(p, std::regex(R"(\{[0-9,]+\}\+)")));
  HfPretokenization hf = HfPretokenizationFor(kCl100kPattern);
  EXPECT_FALSE(hf.byte_level_regex);
  EXPECT_EQ(hf.split_regex, Cl100kForOniguruma());
  EXPECT_TRUE(hf.warning.empty());
  EXPECT_TRUE(HfPretokenizationFor(kGpt2Pattern).byte_level_regex);
}

TEST_F(TokenizerFilesTest, CreatesMissingParents) {
  const fs::path out = dir_ / "a" / "b" / "tok";
  ASSERT_TRUE(WriteTokenizerFiles(TinyModel(), out.string(), nullptr).ok());
  EXPECT_TRUE(fs::exists(out / "tokenizer.json"));
}

TEST_F(TokenizerFilesTest, ReplacesOldFiles) {
  auto first = Write(TinyModel());
  BpeModel m = TinyModel();
  m.merges.pop_back();
  m.vocab.pop_back();
  auto second = Write(m);
  EXPECT_EQ(second["merges.txt"], "#version: 0.2\n\xC4\xA0 t\n");
  EXPECT_EQ(second.size(), 5u);  // no temporary file left beside them
}

TEST_F(TokenizerFilesTest, OutDirThatCannotBeMadeIsAnError) {
  const fs::path file = dir_ / "file";
  std::ofstream(file) << "x";
  const fs::path out = file / "out";
  Status s = WriteTokenizerFiles(TinyModel(), out.string(), nullptr);
  ASSERT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(s.message().rfind(out.string() + ": cannot create the directory: ", 0), 0u)
      << s.message();
}

TEST_F(TokenizerFilesTest, UnwritableDirectoryLeavesNoFile) {
  if (geteuid() == 0) GTEST_SKIP() << "root writes whatever the permissions";
  const fs::path out = dir_ / "ro";
  fs::create_directory(out);
  ASSERT_EQ(chmod(out.c_str(), 0555), 0);
  Status s = WriteTokenizerFiles(TinyModel(), out.string(), nullptr);
  ASSERT_TRUE(s.IsIOError()) << s.ToString();
  // One line, naming the file it could not write.
  EXPECT_EQ(s.message(), (out / "vocab.json").string() + ": cannot write: Permission denied");
  EXPECT_TRUE(fs::is_empty(out));
}

TEST_F(TokenizerFilesTest, FailedRenameLeavesNoTemporaryFile) {
  // A file that cannot be put in place once written (as root too): its final
  // name is taken by a non-empty directory, which rename(2) does not replace.
  const fs::path out = dir_ / "out";
  fs::create_directories(out / "tokenizer.json" / "x");
  Status s = WriteTokenizerFiles(TinyModel(), out.string(), nullptr);
  ASSERT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(s.message(), (out / "tokenizer.json").string() + ": cannot write: Is a directory");
  // The files before it are whole; no temporary file is left.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(out)) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"merges.txt", "tokenizer.json", "vocab.json"}));
  EXPECT_TRUE(fs::is_directory(out / "tokenizer.json" / "x"));
}

TEST_F(TokenizerFilesTest, WriteFileAtomicallyKeepsTheOldFileOnFailure) {
  const fs::path path = dir_ / "f";
  ASSERT_TRUE(WriteFileAtomically(path.string(), "old").ok());
  fs::create_directory(dir_ / "d");
  std::ofstream(dir_ / "d" / "keep") << "x";
  // Renaming a file onto a non-empty directory fails: the write is lost,
  // what was there stays.
  Status s = WriteFileAtomically((dir_ / "d").string(), "new");
  EXPECT_TRUE(s.IsIOError());
  EXPECT_EQ(ReadFile(dir_ / "d" / "keep"), "x");
  EXPECT_EQ(ReadFile(path), "old");
  int entries = 0;
  for (const auto& e : fs::directory_iterator(dir_)) entries += e.exists();
  EXPECT_EQ(entries, 2);  // f and d: no temporary file
  ASSERT_TRUE(WriteFileAtomically(path.string(), "new").ok());
  EXPECT_EQ(ReadFile(path), "new");
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  const mode_t mask = umask(0);
  umask(mask);
  EXPECT_EQ(st.st_mode & 0777, 0666 & ~mask);
}

TEST(ModelCheckTest, RefusesModelsThatAreNotLaidOutAsBpeH) {
  BpeModel m = TinyModel();
  EXPECT_TRUE(CheckModelForFiles(m).ok());

  BpeModel wrong_merge = m;
  wrong_merge.vocab.back() = " tx";
  EXPECT_EQ(CheckModelForFiles(wrong_merge).message(),
            "token 258 is not the concatenation of merge 1");

  BpeModel short_vocab = m;
  short_vocab.vocab.pop_back();
  EXPECT_TRUE(CheckModelForFiles(short_vocab).IsInvalidArgument());

  BpeModel bytes_out_of_order = m;
  std::swap(bytes_out_of_order.vocab[1], bytes_out_of_order.vocab[2]);
  EXPECT_EQ(CheckModelForFiles(bytes_out_of_order).message(),
            "token 1 is not byte 33 (GPT-2's byte order)");

  // A special token spelled as a learnt token would be one key of vocab.json.
  BpeModel clash = m;
  clash.special_tokens = {"Ġt"};
  clash.vocab[0] = "Ġt";
  EXPECT_EQ(CheckModelForFiles(clash).message(), "tokens 0 and 257 are the same token");

  BpeModel not_utf8 = m;
  not_utf8.special_tokens = {"\xFF"};
  not_utf8.vocab[0] = "\xFF";
  EXPECT_EQ(CheckModelForFiles(not_utf8).message(), "special token 0 is empty or not UTF-8");
}

TEST(ModelCheckTest, Utf8) {
  EXPECT_TRUE(IsValidUtf8("h\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE4\xB8"));          // cut short
  EXPECT_FALSE(IsValidUtf8("\x80"));
}

TEST_F(TokenizerFilesTest, BadModelWritesNothing) {
  BpeModel m = TinyModel();
  m.vocab.back() = "x";
  const fs::path out = dir_ / "out";
  Status s = WriteTokenizerFiles(m, out.string(), nullptr);
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), out.string() +
                             ": cannot write tokenizer files: token 258 is not the "
                             "concatenation of merge 1");
  EXPECT_FALSE(fs::exists(out));

  BpeModel no_pattern = TinyModel();
  no_pattern.pattern = "custom";
  no_pattern.pattern_regex.clear();
  EXPECT_TRUE(WriteTokenizerFiles(no_pattern, out.string(), nullptr).IsInvalidArgument());
}

}  // namespace
}  // namespace pretokdb
