// How the bytes of a file become counted pretokens: the special tokens that
// separate documents, the pattern that cuts documents into pretokens, the
// positions where counting may stop and restart, and the policy for bytes
// that are not UTF-8. One TextRules is shared, read-only, by the planner and
// every worker of a run.

#ifndef PRETOKDB_INGEST_TEXT_RULES_H_
#define PRETOKDB_INGEST_TEXT_RULES_H_

#include <cstdint>

#include "ingest/special_tokens.h"
#include "pretokdb/options.h"
#include "text/pattern.h"
#include "text/re2_pretokenizer.h"
#include "text/safe_cut.h"

namespace pretokdb {

struct TextRules {
  // The GPT-2 pattern with the default UTF-8 policy (what tests mostly use).
  TextRules(const SpecialTokens* s)  // NOLINT: implicit on purpose
      : specials(s) {}
  // The pattern of p, run as p runs it.
  TextRules(const SpecialTokens* s, const Pretokenizer& p, InvalidUtf8 u)
      : specials(s),
        re2(p.scanner() == Scanner::kRe2 ? p.re2() : nullptr),
        scanner(p.scanner()),
        cut_rule(p.spec().cut_rule),
        invalid_utf8(u) {}
  // The pattern r runs by RE2, or GPT-2's scanner if r is null. (Tests also
  // run cl100k and o200k this way, by RE2, to compare with their
  // scanners.)
  TextRules(const SpecialTokens* s, const Re2Pretokenizer* r, CutRule c,
            InvalidUtf8 u)
      : specials(s),
        re2(r),
        scanner(r == nullptr ? Scanner::kGpt2 : Scanner::kRe2),
        cut_rule(c),
        invalid_utf8(u) {}

  const SpecialTokens* specials;
  // The pattern for Scanner::kRe2.
  const Re2Pretokenizer* re2 = nullptr;
  Scanner scanner = Scanner::kGpt2;
  CutRule cut_rule = CutRule::kGpt2;
  InvalidUtf8 invalid_utf8 = InvalidUtf8::kReplace;
  // JSON Lines (IndexOptions::jsonl_field): non-empty, the inputs are
  // records whose field at this path is counted, and chunk edges are line
  // starts (ingest/jsonl_record.h).
  std::string jsonl_field;
  BadRecords bad_records = BadRecords::kSkip;

  bool jsonl() const { return !jsonl_field.empty(); }
  // JSON Lines whose first bad record stops the run (--bad-records strict).
  bool strict_records() const {
    return jsonl() && bad_records == BadRecords::kStrict;
  }

  // The longest stretch of text without any cut that is counted: longer
  // ones are skipped whole and reported (IndexOptions, kMaxPretokenBytes).
  // With a user's pattern only special tokens cut, so the stretch is a
  // whole document and the bound is larger.
  uint64_t max_stretch_bytes() const {
    return cut_rule == CutRule::kNone ? kMaxDocumentBytes : kMaxPretokenBytes;
  }
  static constexpr uint64_t kMaxDocumentBytes = uint64_t{64} << 20;
};

}  // namespace pretokdb

#endif  // PRETOKDB_INGEST_TEXT_RULES_H_
