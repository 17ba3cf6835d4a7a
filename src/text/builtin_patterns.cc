#include "pretokdb/options.h"
#include "text/pattern.h"

namespace pretokdb {

std::string_view BuiltinPatternRegex(std::string_view name) {
  if (name == "gpt2") return kGpt2Pattern;
  if (name == "cl100k") return kCl100kPattern;
  if (name == "o200k") return kO200kPattern;
  return {};
}

}  // namespace pretokdb
