#include "ingest/chunk_planner.h"

#include <algorithm>
#include <string>
#include <vector>

#include "text/safe_cut.h"
#include "text/utf8.h"

namespace pretokdb {

namespace {

constexpr uint64_t kMinChunk = 256 << 10;
constexpr uint64_t kMaxChunk = 64 << 20;
constexpr size_t kWindow = 64 << 10;
// Bytes before a candidate cut that FindFirstSafeCut needs to classify the
// character ending there (the longest UTF-8 sequence).
constexpr size_t kLookBehind = 4;

// True if q, a safe cut of buf, is a chunk edge: no special token crosses
// it and, when ill-formed bytes are dropped, none is near enough to join
// anything across it (then the cleaned text around q is the raw text).
bool IsChunkEdge(const TextRules& rules, std::string_view buf, size_t q) {
  if (rules.specials->Spans(buf, q)) return false;
  if (rules.invalid_utf8 != InvalidUtf8::kSkip) return true;
  const size_t reach = rules.specials->max_length() + kLookBehind;
  const size_t lo = q > reach ? q - reach : 0;
  const size_t hi = std::min(buf.size(), q + reach);
  return IsValidUtf8(buf.data() + lo, hi - lo);
}

// The ends of the separators in buf that start at or after `from`, end by
// `limit` and are chunk edges, in order; stops after the first if
// first_only. A separator is where the scan of SpecialTokens would find one,
// whatever point of the file it started from: an occurrence (the longest at
// its start) that no other occurrence crosses the start of.
std::vector<size_t> SeparatorEdges(const TextRules& rules, std::string_view buf,
                                   size_t from, size_t limit, bool first_only) {
  std::vector<size_t> edges;
  if (rules.specials->empty() || from >= limit) return edges;
  std::vector<SpecialTokens::Match> found;
  rules.specials->FindAll(buf.substr(from, limit - from), &found);
  for (const SpecialTokens::Match& m : found) {
    const size_t s = from + m.pos;
    const size_t e = s + m.len;
    if (!rules.specials->Spans(buf, s) && IsChunkEdge(rules, buf, e)) {
      edges.push_back(e);
      if (first_only) break;
    }
  }
  return edges;
}

// JSON Lines: a chunk edge is a line start, whatever the bytes around it (a
// record never spans a "\n"). The first one at or after from and below
// bound, or bound, in the file taken to end at size.
Status FirstLineStart(const SourceFile& file, uint64_t from, uint64_t bound,
                      uint64_t size, uint64_t* cut) {
  std::string buf;
  uint64_t at = from > 0 ? from - 1 : 0;  // a '\n' here makes from a start
  while (at < bound && at < size) {
    const uint64_t end = std::min<uint64_t>(size, at + kWindow);
    buf.resize(end - at);
    PRETOKDB_RETURN_IF_ERROR(file.ReadAt(at, buf.size(), buf.data()));
    const size_t nl = buf.find('\n');
    if (nl != std::string::npos) {
      *cut = std::min(at + nl + 1, bound);
      return Status::OK();
    }
    at = end;
  }
  *cut = bound;
  return Status::OK();
}

// The last line start in [lo, hi) (> 0), or lo if none.
Status LastLineStart(const SourceFile& file, uint64_t lo, uint64_t hi,
                     uint64_t* cut) {
  std::string buf;
  uint64_t at = hi;  // line starts at or after `at` are ruled out
  while (at > lo && at > 1) {
    // A start q is a '\n' at q - 1: look at [start - 1, at - 1).
    const uint64_t start = at > kWindow + lo ? at - kWindow : std::max<uint64_t>(lo, 1);
    if (start >= at) break;
    buf.resize(at - start);
    PRETOKDB_RETURN_IF_ERROR(file.ReadAt(start - 1, buf.size(), buf.data()));
    const size_t nl = buf.rfind('\n');
    if (nl != std::string::npos) {
      *cut = start + nl;
      return Status::OK();
    }
    at = start;
  }
  *cut = lo;
  return Status::OK();
}

}  // namespace

Status FindFirstCutFrom(const SourceFile& file, const TextRules& rules,
                        uint64_t from, uint64_t bound, uint64_t size,
                        uint64_t* cut) {
  size = std::min(size, file.size());
  bound = std::min(bound, size);
  if (rules.jsonl()) return FirstLineStart(file, from, bound, size, cut);
  const size_t margin = rules.specials->max_length() + kLookBehind;
  std::string buf;
  uint64_t at = from;
  while (at < bound) {
    // Window [start, end): a little before `at` to see the character that
    // precedes a cut, and `margin` after to see special tokens crossing it.
    uint64_t start = at >= kLookBehind + margin ? at - kLookBehind - margin : 0;
    uint64_t end = std::min<uint64_t>(size, at + kWindow + margin);
    buf.resize(end - start);
    PRETOKDB_RETURN_IF_ERROR(file.ReadAt(start, buf.size(), buf.data()));
    const char* begin = buf.data();
    const char* limit = buf.data() + buf.size();
    const char* search = begin + (at - start);
    const std::string_view view(begin, buf.size());
    // The first separator edge, where the window lets it be checked.
    const size_t checkable =
        end < size ? (buf.size() > margin ? buf.size() - margin : 0) : buf.size();
    const std::vector<size_t> first =
        SeparatorEdges(rules, view, search - begin, checkable, true);
    const size_t sep = first.empty() ? 0 : first[0];
    // FindFirstSafeCut returns a cut strictly after its first argument.
    const char* p = search > begin ? search - 1 : begin;
    for (;;) {
      const char* q = FindFirstSafeCut(p, limit, rules.cut_rule);
      if (sep != 0 && (q == nullptr || static_cast<size_t>(q - begin) > sep)) {
        *cut = std::min(start + sep, bound);
        return Status::OK();
      }
      if (q == nullptr) break;
      const uint64_t offset = start + (q - begin);
      if (offset >= bound) {  // cuts come in order: none below bound
        *cut = bound;
        return Status::OK();
      }
      // A cut too close to the window's end cannot be checked for special
      // tokens crossing it; the next window sees it with context.
      if (end < size && static_cast<size_t>(limit - q) < margin) break;
      if (IsChunkEdge(rules, view, q - begin)) {
        *cut = offset;
        return Status::OK();
      }
      p = q;
    }
    at = end > at + margin ? end - margin : end;
  }
  *cut = bound;
  return Status::OK();
}

size_t ChunkEdgeContext(const TextRules& rules) {
  // IsChunkEdge reads max_length + kLookBehind bytes either side of a cut;
  // a separator's start, max_length before its end, needs max_length more
  // before it to be checked (SeparatorEdges).
  return 2 * rules.specials->max_length() + 2 * kLookBehind;
}

size_t FindFirstChunkEdge(const TextRules& rules, std::string_view buf,
                          size_t lo, size_t hi) {
  constexpr size_t kNoEdge = std::string_view::npos;
  lo = std::max<size_t>(lo, 1);  // the start of the text is no edge
  hi = std::min(hi, buf.size());
  if (lo >= hi) return kNoEdge;
  if (rules.jsonl()) {
    const size_t nl = buf.substr(0, hi - 1).find('\n', lo - 1);
    return nl == std::string_view::npos ? kNoEdge : nl + 1;
  }
  // The first edge is the first safe cut that is one, or a separator's end
  // before it. Text has a safe cut every few bytes: looking for the cut
  // first bounds the scan for separators to those few bytes (a stream's
  // reader would otherwise scan most of what it reads for them).
  // From kLookBehind bytes before lo, so that the character ending at lo is
  // seen whole, as from any earlier start; the search reads the character
  // at a cut whole, up to kLookBehind bytes past hi: a cut below hi is seen
  // as in the whole text.
  size_t cut = kNoEdge;
  const char* begin = buf.data();
  const char* p = begin + (lo > kLookBehind ? lo - kLookBehind : 0);
  const char* limit = begin + std::min(buf.size(), hi + kLookBehind);
  const char* q;
  while ((q = FindFirstSafeCut(p, limit, rules.cut_rule)) != nullptr) {
    const size_t at = static_cast<size_t>(q - begin);
    if (at >= hi) break;
    if (at >= lo && IsChunkEdge(rules, buf, at)) {
      cut = at;
      break;
    }
    p = q;
  }
  // Separators ending by the cut (or by hi - 1 if there is none).
  const size_t m = rules.specials->max_length();
  for (size_t e : SeparatorEdges(rules, buf, lo > m ? lo - m : 0,
                                 cut == kNoEdge ? hi - 1 : cut, false)) {
    if (e >= lo) return std::min(e, cut);
  }
  return cut;
}

uint64_t ChunkTargetBytes(uint64_t total_bytes, int workers) {
  uint64_t target = total_bytes / (static_cast<uint64_t>(workers) * 8 + 1);
  return std::clamp(target, kMinChunk, kMaxChunk);
}

Status PlanChunks(const SourceFile& file, const TextRules& rules,
                  uint64_t target_bytes, std::vector<ChunkRange>* chunks,
                  int workers, uint64_t from) {
  chunks->clear();
  return PlanRange(file, rules, target_bytes, workers,
                   ChunkRange{from, file.size()}, file.size(), chunks);
}

Status PlanRange(const SourceFile& file, const TextRules& rules,
                 uint64_t target_bytes, int workers, ChunkRange range,
                 uint64_t size, std::vector<ChunkRange>* chunks) {
  const uint64_t share = 2 * static_cast<uint64_t>(std::max(workers, 1));
  uint64_t begin = range.begin;
  while (begin < range.end) {
    const uint64_t rest = range.end - begin;
    const uint64_t want =
        std::min(target_bytes, std::max(kMinChunk, rest / share));
    uint64_t cut = range.end;
    if (rest > want + want / 2) {
      PRETOKDB_RETURN_IF_ERROR(FindFirstCutFrom(file, rules, begin + want,
                                                range.end, size, &cut));
    }
    chunks->push_back(ChunkRange{begin, cut});
    begin = cut;
  }
  return Status::OK();
}

Status FindLastCutBefore(const SourceFile& file, const TextRules& rules,
                         uint64_t lo, uint64_t hi, uint64_t* cut) {
  if (rules.jsonl()) return LastLineStart(file, lo, hi, cut);
  const size_t margin = rules.specials->max_length() + kLookBehind;
  std::string buf;
  uint64_t at = hi;  // cuts at or after `at` have been ruled out
  while (at > lo) {
    const uint64_t start = at > kWindow + lo ? at - kWindow : lo;
    const uint64_t end = std::min<uint64_t>(file.size(), at + margin);
    buf.resize(end - start);
    PRETOKDB_RETURN_IF_ERROR(file.ReadAt(start, buf.size(), buf.data()));
    const std::string_view view(buf);
    // A candidate needs `margin` bytes of context before it in the window,
    // unless the window starts at lo (a cut: nothing before it matters).
    const char* floor = buf.data() + (start == lo ? 0 : margin);
    const char* q = buf.data() + (at - start);
    // The last separator edge below `at` whose start is checkable.
    size_t sep = 0;
    for (size_t e : SeparatorEdges(rules, view, floor - buf.data(), at - start,
                                   false)) {
      if (e < at - start) sep = e;  // cuts are below `at`
    }
    while ((q = FindLastSafeCut(floor, q, rules.cut_rule)) != nullptr) {
      if (static_cast<size_t>(q - buf.data()) < sep) break;
      if (IsChunkEdge(rules, view, q - buf.data())) {
        *cut = start + (q - buf.data());
        return Status::OK();
      }
    }
    if (sep != 0) {
      *cut = start + sep;
      return Status::OK();
    }
    if (start == lo) break;
    at = start + margin;  // kWindow > margin: the windows move back
  }
  *cut = lo;
  return Status::OK();
}

}  // namespace pretokdb
