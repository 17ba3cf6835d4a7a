// Copyright (c) pretok-db authors.

#include "ingest/memory_plan.h"

#include <gtest/gtest.h>

#include <string>

#include "count/count_table.h"

namespace pretokdb {
namespace {

// A worker checks NeedsSpill() only between pieces, and a piece of n bytes
// may add up to n new entries (memory_plan.cc says so), so the table a plan
// gives must hold a whole piece of distinct pretokens after NeedsSpill()
// said false -- in the worst case, an empty table. Otherwise Add() finds no
// free slot and spins.
TEST(MemoryPlanTest, TableHoldsAPiece) {
  for (uint64_t limit : {uint64_t{256} << 10, uint64_t{1} << 20,
                         uint64_t{8} << 20, uint64_t{64} << 20}) {
    for (int workers : {1, 2, 3, 8}) {
      for (size_t read_buffer : {size_t{0}, size_t{100}}) {
        const MemoryPlan plan = PlanMemory(limit, workers, read_buffer);
        SCOPED_TRACE("limit " + std::to_string(limit) + " workers " +
                     std::to_string(workers) + ": table " +
                     std::to_string(plan.table_bytes) + " piece " +
                     std::to_string(plan.piece_bytes));
        CountTable table(plan.table_bytes, plan.piece_bytes);
        ASSERT_FALSE(table.NeedsSpill());
        // A piece's worth of distinct pretokens fits, within the budget.
        for (size_t i = 0; i < plan.piece_bytes; ++i) {
          table.Add(std::to_string(i));
        }
        EXPECT_EQ(table.size(), plan.piece_bytes);
        EXPECT_LE(table.memory_used(), plan.table_bytes);
      }
    }
  }
}

TEST(MemoryPlanTest, StaysWithinTheLimit) {
  for (uint64_t limit : {uint64_t{64} << 20, uint64_t{256} << 20,
                         uint64_t{1} << 30, uint64_t{16} << 30}) {
    for (int workers : {1, 4, 16}) {
      const MemoryPlan plan = PlanMemory(limit, workers, 0);
      SCOPED_TRACE("limit " + std::to_string(limit) + " workers " +
                   std::to_string(workers));
      const uint64_t per_worker =
          2 * uint64_t{plan.read_buffer_bytes} + plan.table_bytes;
      EXPECT_LE(kFixedBytes + plan.rocksdb_bytes + workers * per_worker, limit);
      EXPECT_GT(plan.table_bytes, 0u);
      EXPECT_GT(plan.piece_bytes, 0u);
      EXPECT_LE(plan.piece_bytes, plan.table_bytes);
      EXPECT_GT(plan.read_buffer_bytes, 0u);
    }
  }
  // A read buffer size given by the caller is used as it is.
  EXPECT_EQ(PlanMemory(uint64_t{1} << 30, 2, 100).read_buffer_bytes, 100u);
}

// Indexing uses little of RocksDB's share (memory_plan.h), and each spill
// writes its round's distinct pretokens again, so the tables get most of the
// limit: all of a worker's share but a spill reserve of at most 4 MiB.
TEST(MemoryPlanTest, TablesGetWhatRocksDbDoesNotNeed) {
  for (uint64_t limit : {uint64_t{256} << 20, uint64_t{1} << 30,
                         uint64_t{16} << 30}) {
    for (int workers : {1, 2, 8}) {
      const MemoryPlan plan = PlanMemory(limit, workers, 0);
      SCOPED_TRACE("limit " + std::to_string(limit) + " workers " +
                   std::to_string(workers));
      const uint64_t usable = limit - kFixedBytes;
      const uint64_t tables = workers * uint64_t{plan.table_bytes};
      const uint64_t planned =
          plan.rocksdb_bytes + workers * 2 * uint64_t{plan.read_buffer_bytes} +
          tables;
      EXPECT_LE(usable - planned, workers * (uint64_t{4} << 20) + workers);
      EXPECT_GE(tables, usable / 10 * 7);
      EXPECT_GE(plan.rocksdb_bytes, usable / 10);
    }
  }
}

}  // namespace
}  // namespace pretokdb
