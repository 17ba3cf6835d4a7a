#include "pretokdb/tokenizer_files.h"

#include <filesystem>
#include <system_error>
#include <utility>

#include "bpe/atomic_file.h"
#include "bpe/gpt2_files.h"
#include "bpe/hf_pattern.h"
#include "bpe/hf_tokenizer_json.h"
#include "bpe/model_check.h"
#include "bpe/tiktoken_files.h"

namespace pretokdb {

Status WriteTokenizerFiles(const BpeModel& model, const std::string& out_dir,
                           std::vector<std::string>* warnings) {
  Status s = CheckModelForFiles(model);
  if (!s.ok()) {
    return Status::InvalidArgument(out_dir, "cannot write tokenizer files: " + s.message());
  }
  const std::string pattern = TiktokenPattern(model.pattern, model.pattern_regex);
  if (pattern.empty()) {
    return Status::InvalidArgument(
        out_dir, "cannot write tokenizer files: the model has no pattern");
  }
  const HfPretokenization hf = HfPretokenizationFor(pattern);

  // Every file's contents first, so that nothing is written unless all can be.
  const std::pair<const char*, std::string> files[] = {
      {"vocab.json", Gpt2VocabJson(model)},
      {"merges.txt", Gpt2MergesTxt(model)},
      {"tokenizer.json", HfTokenizerJson(model, hf)},
      {"tokenizer.tiktoken", TiktokenRanks(model)},
      {"tiktoken.json", TiktokenJson(model, pattern)},
  };

  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) {
    return Status::IOError(out_dir, "cannot create the directory: " + ec.message());
  }
  for (const auto& [name, contents] : files) {
    PRETOKDB_RETURN_IF_ERROR(
        WriteFileAtomically((std::filesystem::path(out_dir) / name).string(), contents));
  }
  if (!hf.warning.empty() && warnings != nullptr) warnings->push_back(hf.warning);
  return Status::OK();
}

}  // namespace pretokdb
