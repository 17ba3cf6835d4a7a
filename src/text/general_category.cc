// Copyright (c) pretok-db authors.

#include "text/general_category.h"

#include <cstring>
#include <string>
#include <string_view>

namespace pretokdb {
namespace internal {

// As in char_class.cc: constexpr data with external linkage through the
// header's extern declarations.
#include "text/general_category_tables.inc"

static_assert(sizeof(kGeneralCategoryStage1) == 0x1100,
              "one stage-1 entry per 256 code points up to U+10FFFF");
static_assert(sizeof(kGeneralCategoryStage2) % 256 == 0,
              "stage 2 is made of 256-entry blocks");

}  // namespace internal

namespace {

using GC = GeneralCategory;

// Names of each category in GeneralCategory order, normalized (lowercase,
// without ' ', '_', '-'): short, long.
// clang-format off
constexpr std::string_view kCategoryNames[kNumGeneralCategories][2] = {
    {"cn", "unassigned"},           {"lu", "uppercaseletter"},
    {"ll", "lowercaseletter"},      {"lt", "titlecaseletter"},
    {"lm", "modifierletter"},       {"lo", "otherletter"},
    {"mn", "nonspacingmark"},       {"mc", "spacingmark"},
    {"me", "enclosingmark"},        {"nd", "decimalnumber"},
    {"nl", "letternumber"},         {"no", "othernumber"},
    {"pc", "connectorpunctuation"}, {"pd", "dashpunctuation"},
    {"ps", "openpunctuation"},      {"pe", "closepunctuation"},
    {"pi", "initialpunctuation"},   {"pf", "finalpunctuation"},
    {"po", "otherpunctuation"},     {"sm", "mathsymbol"},
    {"sc", "currencysymbol"},       {"sk", "modifiersymbol"},
    {"so", "othersymbol"},          {"zs", "spaceseparator"},
    {"zl", "lineseparator"},        {"zp", "paragraphseparator"},
    {"cc", "control"},              {"cf", "format"},
    {"cs", "surrogate"},            {"co", "privateuse"},
};
// clang-format on

// The categories from `first` to `last` in GeneralCategory order.
constexpr CategoryMask Span(GC first, GC last) {
  return (MaskOf(last) << 1) - MaskOf(first);
}

// Groups, by their normalized names. "l&" is all letters: so `regex` reads
// it, not as the cased letters LC of Perl and PCRE.
struct Group {
  std::string_view name;
  CategoryMask mask;
};
constexpr Group kGroups[] = {
    {"l", Span(GC::kLu, GC::kLo)},
    {"l&", Span(GC::kLu, GC::kLo)},
    {"letter", Span(GC::kLu, GC::kLo)},
    {"lc", Span(GC::kLu, GC::kLt)},
    {"casedletter", Span(GC::kLu, GC::kLt)},
    {"m", Span(GC::kMn, GC::kMe)},
    {"mark", Span(GC::kMn, GC::kMe)},
    {"combiningmark", Span(GC::kMn, GC::kMe)},
    {"n", Span(GC::kNd, GC::kNo)},
    {"number", Span(GC::kNd, GC::kNo)},
    {"p", Span(GC::kPc, GC::kPo)},
    {"punctuation", Span(GC::kPc, GC::kPo)},
    {"s", Span(GC::kSm, GC::kSo)},
    {"symbol", Span(GC::kSm, GC::kSo)},
    {"z", Span(GC::kZs, GC::kZp)},
    {"separator", Span(GC::kZs, GC::kZp)},
    {"c", Span(GC::kCc, GC::kCo) | MaskOf(GC::kCn)},
    {"other", Span(GC::kCc, GC::kCo) | MaskOf(GC::kCn)},
};

}  // namespace

bool CategoryMaskOf(const char* name, CategoryMask* mask) {
  std::string key;
  for (const char* p = name; *p != '\0'; p++) {
    const char c = *p;
    if (c == ' ' || c == '_' || c == '-') continue;
    key += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  for (const char* prefix :
       {"gc=", "gc:", "generalcategory=", "generalcategory:"}) {
    const size_t n = std::strlen(prefix);
    if (key.compare(0, n, prefix) == 0) {
      key.erase(0, n);
      break;
    }
  }
  for (int c = 0; c < kNumGeneralCategories; c++) {
    if (key == kCategoryNames[c][0] || key == kCategoryNames[c][1]) {
      *mask = MaskOf(static_cast<GC>(c));
      return true;
    }
  }
  for (const Group& g : kGroups) {
    if (key == g.name) {
      *mask = g.mask;
      return true;
    }
  }
  return false;
}

const char* GeneralCategorySource() { return internal::kGeneralCategorySource; }

}  // namespace pretokdb
