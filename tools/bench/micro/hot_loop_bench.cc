// Copyright (c) pretok-db authors.
//
// hot_loop_bench: the per-byte stages of a worker, one at a time, over a
// 64 MiB in-memory prefix of each corpus (Google Benchmark; bytes/second is
// input bytes):
//
//   BM_Scan        ScanGpt2 alone into a sink that counts tokens;
//   BM_ScanCount   ScanGpt2 + CountTable::AddBatch in batches of
//                  CountTable::kMaxBatch, as src/ingest/chunk_counter.cc;
//                  argument: the table budget in MiB;
//   BM_CountOnly   AddBatch alone, over tokens scanned before timing;
//   BM_IsValidUtf8 the UTF-8 check every segment gets first;
//   BM_FindAll     SpecialTokens::FindAll for "<|endoftext|>".
//
// The input is cut as a worker cuts it, before timing: documents at the
// separators FindAll finds (the separators are not scanned), then pieces
// of at most kPieceBytes ending at safe cuts (ChunkCounter::CountDocument).
// BM_Scan, BM_ScanCount and BM_CountOnly walk the same pieces, so their
// differences are the table's cost. After every piece the counting
// benchmarks ask NeedsSpill() and Clear() the table when it says so, which
// is timed (the database write a worker then does is not); "spills" counts
// them per iteration. Each iteration starts from an empty table (the
// Clear() before it is not timed) that has already counted the same input
// once (see GetTable()). "table_MiB" is memory_used() at the end.
//
// Corpora: $PRETOKDB_BENCH_WEB (default
// /tmp/pretokdb-bench-corpora/web-1G-seed7.txt) and $PRETOKDB_BENCH_STORIES
// (default /tmp/corp/stories-1G.txt); only the first 64 MiB are read, cut
// back to the last '\n'.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bench_corpus.h"

#include "count/batched_add.h"
#include "count/count_table.h"
#include "ingest/special_tokens.h"
#include "text/gpt2_scanner.h"
#include "text/safe_cut.h"
#include "text/utf8.h"

namespace pretokdb {
namespace {

// MemoryPlan's piece size for any table of 8 MiB or more
// (src/ingest/memory_plan.cc: table_bytes / 512, at most 16 KiB).
constexpr size_t kPieceBytes = 16 << 10;
const char kSeparator[] = "<|endoftext|>";

struct Corpus {
  std::string text;
  std::vector<std::string_view> pieces;  // documents cut into pieces
  // Filled on first use by BM_CountOnly: every token, and where each piece
  // ends in `tokens`.
  std::vector<std::string_view> tokens;
  std::vector<size_t> piece_ends;
};

// Documents of text at the separators, cut like ChunkCounter::CountDocument.
std::vector<std::string_view> CutPieces(std::string_view text) {
  SpecialTokens specials({kSeparator});
  std::vector<SpecialTokens::Match> separators;
  specials.FindAll(text, &separators);
  std::vector<std::string_view> pieces;
  auto cut_document = [&](const char* q, const char* end) {
    while (q < end) {
      const char* r = end;
      if (static_cast<size_t>(end - q) > kPieceBytes) {
        const char* c = FindLastSafeCut(q, q + kPieceBytes);
        if (c == nullptr) c = FindFirstSafeCut(q + kPieceBytes - 1, end);
        if (c != nullptr) r = c;
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

Corpus& GetCorpus(const std::string& name) {
  static std::map<std::string, std::unique_ptr<Corpus>> cache;
  std::unique_ptr<Corpus>& c = cache[name];
  if (c != nullptr) return *c;
  c = std::make_unique<Corpus>();
  ReadCorpusSlice(name, "hot_loop_bench", &c->text);
  c->pieces = CutPieces(c->text);
  return *c;
}

void SetBytes(benchmark::State& state, const Corpus& c) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(c.text.size()));
}

void BM_Scan(benchmark::State& state, const std::string& name) {
  const Corpus& c = GetCorpus(name);
  size_t tokens = 0;
  for (auto _ : state) {
    size_t n = 0;
    for (std::string_view piece : c.pieces) {
      ScanGpt2(piece.data(), piece.data() + piece.size(),
               [&n](std::string_view) { ++n; });
    }
    benchmark::DoNotOptimize(n);
    tokens = n;
  }
  SetBytes(state, c);
  state.counters["tokens"] = static_cast<double>(tokens);
}

// Counts every piece of c into *table, spilling (Clear()) as a worker
// would; returns the number of spills.
size_t ScanCountPieces(const Corpus& c, CountTable* table) {
  size_t spills = 0;
  for (std::string_view piece : c.pieces) {
    AddInBatches(table, [&](auto& add) [[gnu::always_inline]] {
      ScanGpt2(piece.data(), piece.data() + piece.size(), add);
    });
    if (table->NeedsSpill()) {
      table->Clear();
      ++spills;
    }
  }
  return spills;
}

// One table per corpus and budget (each iteration Clear()s it), made warm
// by one untimed pass over that corpus: its slot pages are faulted in, the
// arena holds its blocks, and a table that grows within its budget has
// grown to that corpus's vocabulary. The timed passes so measure a worker
// in steady state, not first-touch page faults or the first growth.
CountTable* GetTable(const std::string& name, size_t budget_mib) {
  static std::map<std::pair<std::string, size_t>, std::unique_ptr<CountTable>>
      tables;
  std::unique_ptr<CountTable>& t = tables[{name, budget_mib}];
  if (t == nullptr) {
    t = std::make_unique<CountTable>(budget_mib << 20, kPieceBytes);
    (void)ScanCountPieces(GetCorpus(name), t.get());
    t->Add("x");  // so that Clear() re-zeroes, i.e. touches, every slot
    t->Clear();
  }
  return t.get();
}

void ReportTable(benchmark::State& state, const CountTable& table,
                 size_t spills) {
  state.counters["spills"] = static_cast<double>(spills);
  state.counters["distinct_at_end"] = static_cast<double>(table.size());
  state.counters["table_MiB"] =
      static_cast<double>(table.memory_used()) / (1 << 20);
}

void BM_ScanCount(benchmark::State& state, const std::string& name) {
  const Corpus& c = GetCorpus(name);
  CountTable* table = GetTable(name, static_cast<size_t>(state.range(0)));
  size_t spills = 0;
  for (auto _ : state) {
    state.PauseTiming();
    table->Clear();
    state.ResumeTiming();
    spills = ScanCountPieces(c, table);
  }
  SetBytes(state, c);
  ReportTable(state, *table, spills);
}

void BM_CountOnly(benchmark::State& state, const std::string& name) {
  Corpus& c = GetCorpus(name);
  if (c.tokens.empty()) {
    for (std::string_view piece : c.pieces) {
      ScanGpt2(piece.data(), piece.data() + piece.size(),
               [&c](std::string_view t) { c.tokens.push_back(t); });
      c.piece_ends.push_back(c.tokens.size());
    }
  }
  CountTable* table = GetTable(name, static_cast<size_t>(state.range(0)));
  size_t spills = 0;
  for (auto _ : state) {
    state.PauseTiming();
    table->Clear();
    spills = 0;
    state.ResumeTiming();
    size_t t = 0;
    for (size_t end : c.piece_ends) {
      while (t < end) {
        const size_t n = std::min(end - t, CountTable::kMaxBatch);
        table->AddBatch(&c.tokens[t], n);
        t += n;
      }
      if (table->NeedsSpill()) {
        table->Clear();
        ++spills;
      }
    }
  }
  SetBytes(state, c);
  ReportTable(state, *table, spills);
}

void BM_IsValidUtf8(benchmark::State& state, const std::string& name) {
  const Corpus& c = GetCorpus(name);
  for (auto _ : state) {
    benchmark::DoNotOptimize(IsValidUtf8(c.text.data(), c.text.size()));
  }
  SetBytes(state, c);
}

void BM_FindAll(benchmark::State& state, const std::string& name) {
  const Corpus& c = GetCorpus(name);
  const SpecialTokens specials({kSeparator});
  std::vector<SpecialTokens::Match> matches;
  for (auto _ : state) {
    matches.clear();
    specials.FindAll(c.text, &matches);
    benchmark::DoNotOptimize(matches.data());
  }
  SetBytes(state, c);
  state.counters["separators"] = static_cast<double>(matches.size());
}

// Registered by hand: the corpus name is a string argument.
const bool kRegistered = [] {
  for (const char* name : {"web", "stories"}) {
    const std::string n = name;
    benchmark::RegisterBenchmark(("BM_Scan/" + n).c_str(), BM_Scan, n)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_ScanCount/" + n).c_str(), BM_ScanCount,
                                 n)
        ->Arg(8)->Arg(32)->Arg(128)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_CountOnly/" + n).c_str(), BM_CountOnly,
                                 n)
        ->Arg(8)->Arg(32)->Arg(128)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_IsValidUtf8/" + n).c_str(),
                                 BM_IsValidUtf8, n)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_FindAll/" + n).c_str(), BM_FindAll, n)
        ->Unit(benchmark::kMillisecond);
  }
  return true;
}();

}  // namespace
}  // namespace pretokdb
