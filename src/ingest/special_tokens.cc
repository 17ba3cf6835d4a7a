#include "ingest/special_tokens.h"

#include <algorithm>

#include "util/find_bytes.h"  // faster than glibc memmem on rare tokens

namespace pretokdb {

SpecialTokens::SpecialTokens(std::vector<std::string> tokens) {
  for (std::string& t : tokens) {
    if (!t.empty()) tokens_.push_back(std::move(t));
  }
  // Longest first so that, at one position, the longest token wins.
  std::stable_sort(tokens_.begin(), tokens_.end(),
                   [](const std::string& a, const std::string& b) {
                     return a.size() > b.size();
                   });
  tokens_.erase(std::unique(tokens_.begin(), tokens_.end()), tokens_.end());
  for (const std::string& t : tokens_) {
    max_length_ = std::max(max_length_, t.size());
  }
}

void SpecialTokens::FindAll(std::string_view text,
                            std::vector<Match>* out) const {
  if (tokens_.empty()) return;
  const char* base = text.data();
  const size_t n = text.size();
  // next[i]: the next occurrence of token i at or after the scan position
  // (n if none). Each token is searched again only once the scan passes its
  // cached occurrence, so k tokens cost k passes, not k per match.
  std::vector<size_t> next(tokens_.size());
  auto search = [&](size_t i, size_t from) -> size_t {
    const std::string& t = tokens_[i];
    if (from >= n) return n;
    const char* hit = FindBytes(base + from, n - from, t.data(), t.size());
    return hit == nullptr ? n : hit - base;
  };
  for (size_t i = 0; i < tokens_.size(); ++i) next[i] = search(i, 0);

  size_t pos = 0;
  for (;;) {
    size_t best = n, best_len = 0;
    for (size_t i = 0; i < tokens_.size(); ++i) {
      if (next[i] < pos) next[i] = search(i, pos);
      // Strictly less: among equal positions the earlier (longer) wins.
      if (next[i] < best) {
        best = next[i];
        best_len = tokens_[i].size();
      }
    }
    if (best == n) return;
    out->push_back(Match{best, best_len});
    pos = best + best_len;
  }
}

bool SpecialTokens::Spans(std::string_view text, size_t q) const {
  for (const std::string& t : tokens_) {
    if (t.size() < 2) continue;
    // Occurrences starting in [q - len + 1, q - 1] cross q.
    size_t lo = q >= t.size() - 1 ? q - (t.size() - 1) : 0;
    size_t hi = std::min(text.size(), q + t.size() - 1);
    if (hi <= lo) continue;
    std::string_view window = text.substr(lo, hi - lo);
    size_t at = window.find(t);
    while (at != std::string_view::npos) {
      size_t start = lo + at;
      if (start < q && start + t.size() > q) return true;
      at = window.find(t, at + 1);
    }
  }
  return false;
}

}  // namespace pretokdb
