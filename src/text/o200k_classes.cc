// Copyright (c) pretok-db authors.

#include "text/o200k_classes.h"

namespace pretokdb {
namespace internal {

// As in char_class.cc: constexpr data with external linkage through the
// header's extern declarations.
#include "text/o200k_class_tables.inc"

static_assert(sizeof(kO200kClassStage1) == 0x1100,
              "one stage-1 entry per 256 code points up to U+10FFFF");
static_assert(sizeof(kO200kClassStage2) % 256 == 0,
              "stage 2 is made of 256-entry blocks");

}  // namespace internal

const char* O200kClassesSource() { return internal::kO200kClassSource; }

}  // namespace pretokdb
