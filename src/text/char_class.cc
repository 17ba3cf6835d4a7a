// Copyright (c) pretok-db authors.

#include "text/char_class.h"

namespace pretokdb {
namespace internal {

// The generated arrays are constexpr; the extern declarations in the header
// give them external linkage, so ClassOf() can be inlined everywhere while
// the ~38 KB of data exist once.
#include "text/unicode_tables.inc"

static_assert(sizeof(kCharClassStage1) == 0x1100,
              "one stage-1 entry per 256 code points up to U+10FFFF");
static_assert(sizeof(kCharClassStage2) % 256 == 0,
              "stage 2 is made of 256-entry blocks");

}  // namespace internal

const char* UnicodeTablesSource() { return internal::kUnicodeTablesSource; }

}  // namespace pretokdb
