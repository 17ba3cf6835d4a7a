// Copyright (c) pretok-db authors.
//
// scanner_bench: the three hand-written scanners side by side (Google
// Benchmark; bytes/second is input bytes), over the same 64 MiB prefix of
// each corpus as hot_loop_bench.cc:
//
//   BM_Scan/P/C       the scanner of pattern P (gpt2, cl100k, o200k) alone,
//                     into a sink that counts tokens;
//   BM_ScanCount/P/C  the scanner + CountTable::AddBatch in batches, as
//                     src/ingest/chunk_counter.cc, into a 32 MiB table
//                     (warm: it counted the input once before timing);
//   BM_ScanRe2/P/C    the RE2 path of cl100k and o200k, for comparison.
//
// The input is cut as a worker cuts it, before timing: documents at
// "<|endoftext|>", then pieces of at most 16 KiB ending at safe cuts of the
// pattern's own rule. Corpora: $PRETOKDB_BENCH_WEB and
// $PRETOKDB_BENCH_STORIES (defaults as hot_loop_bench's).

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bench_corpus.h"

#include "count/batched_add.h"
#include "count/count_table.h"
#include "ingest/special_tokens.h"
#include "text/pattern.h"
#include "text/safe_cut.h"

namespace pretokdb {
namespace {

constexpr size_t kPieceBytes = 16 << 10;
const char kSeparator[] = "<|endoftext|>";

const Pretokenizer& Get(const std::string& pattern) {
  static std::map<std::string, std::unique_ptr<Pretokenizer>> cache;
  std::unique_ptr<Pretokenizer>& t = cache[pattern];
  if (t == nullptr) {
    PatternSpec spec;
    if (!ResolvePattern(pattern, &spec).ok() ||
        !Pretokenizer::Create(spec, &t).ok()) {
      std::fprintf(stderr, "scanner_bench: no pattern %s\n", pattern.c_str());
      std::exit(1);
    }
  }
  return *t;
}

// The text of a corpus (padded for AddBatch) and its pieces for a cut rule.
struct Corpus {
  std::string text;
  std::map<CutRule, std::vector<std::string_view>> pieces;
};

Corpus& GetCorpus(const std::string& name) {
  static std::map<std::string, std::unique_ptr<Corpus>> cache;
  std::unique_ptr<Corpus>& c = cache[name];
  if (c != nullptr) return *c;
  c = std::make_unique<Corpus>();
  ReadCorpusSlice(name, "scanner_bench", &c->text);
  return *c;
}

const std::vector<std::string_view>& Pieces(Corpus& c, CutRule rule) {
  std::vector<std::string_view>& pieces = c.pieces[rule];
  if (!pieces.empty()) return pieces;
  const std::string_view text = c.text;
  SpecialTokens specials({kSeparator});
  std::vector<SpecialTokens::Match> separators;
  specials.FindAll(text, &separators);
  auto cut_document = [&](const char* q, const char* end) {
    while (q < end) {
      const char* r = end;
      if (static_cast<size_t>(end - q) > kPieceBytes) {
        const char* cut = FindLastSafeCut(q, q + kPieceBytes, rule);
        if (cut == nullptr)
          cut = FindFirstSafeCut(q + kPieceBytes - 1, end, rule);
        if (cut != nullptr) r = cut;
      }
      pieces.emplace_back(q, r - q);
      q = r;
    }
  };
  const char* doc = text.data();
  for (const SpecialTokens::Match& m : separators) {
    cut_document(doc, text.data() + m.pos);
    doc = text.data() + m.pos + m.len;
  }
  cut_document(doc, text.data() + text.size());
  return pieces;
}

void SetBytes(benchmark::State& state, const Corpus& c) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(c.text.size()));
}

void BM_Scan(benchmark::State& state, const std::string& pattern,
             const std::string& name, bool re2) {
  const Pretokenizer& tok = Get(pattern);
  Corpus& c = GetCorpus(name);
  const auto& pieces = Pieces(c, tok.spec().cut_rule);
  size_t tokens = 0;
  for (auto _ : state) {
    size_t n = 0;
    auto sink = [&n](std::string_view) { ++n; };
    for (std::string_view piece : pieces) {
      if (re2) {
        tok.re2()->Scan(piece.data(), piece.data() + piece.size(), sink);
      } else {
        tok.Scan(piece.data(), piece.data() + piece.size(), sink);
      }
    }
    benchmark::DoNotOptimize(n);
    tokens = n;
  }
  SetBytes(state, c);
  state.counters["tokens"] = static_cast<double>(tokens);
}

void ScanCountPieces(const Pretokenizer& tok,
                     const std::vector<std::string_view>& pieces,
                     CountTable* table) {
  for (std::string_view piece : pieces) {
    AddInBatches(table, [&](auto& add) [[gnu::always_inline]] {
      tok.Scan(piece.data(), piece.data() + piece.size(), add);
    });
    if (table->NeedsSpill()) table->Clear();
  }
}

void BM_ScanCount(benchmark::State& state, const std::string& pattern,
                  const std::string& name) {
  const Pretokenizer& tok = Get(pattern);
  Corpus& c = GetCorpus(name);
  const auto& pieces = Pieces(c, tok.spec().cut_rule);
  CountTable table(size_t{32} << 20, kPieceBytes);
  ScanCountPieces(tok, pieces, &table);  // warm: grown, pages faulted in
  for (auto _ : state) {
    state.PauseTiming();
    table.Clear();
    state.ResumeTiming();
    ScanCountPieces(tok, pieces, &table);
  }
  SetBytes(state, c);
  state.counters["distinct_at_end"] = static_cast<double>(table.size());
}

void Register() {
  for (const char* name : {"web", "stories"}) {
    for (const char* pattern : {"gpt2", "cl100k", "o200k"}) {
      const std::string p = pattern, n = name;
      benchmark::RegisterBenchmark(
          ("BM_Scan/" + p + "/" + n).c_str(),
          [p, n](benchmark::State& s) { BM_Scan(s, p, n, false); });
      benchmark::RegisterBenchmark(
          ("BM_ScanCount/" + p + "/" + n).c_str(),
          [p, n](benchmark::State& s) { BM_ScanCount(s, p, n); });
    }
    for (const char* pattern : {"cl100k", "o200k"}) {
      const std::string p = pattern, n = name;
      benchmark::RegisterBenchmark(
          ("BM_ScanRe2/" + p + "/" + n).c_str(),
          [p, n](benchmark::State& s) { BM_Scan(s, p, n, true); });
    }
  }
}

}  // namespace
}  // namespace pretokdb

int main(int argc, char** argv) {
  pretokdb::Register();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
