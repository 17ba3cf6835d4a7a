// SpillGate: a named stream's spill in the chunk at `begin` waits for the
// recorded chunks before begin, and no others; a failed check ends every
// wait with its error.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "ingest/worker.h"

namespace pretokdb {
namespace {

TEST(SpillGateTest, WaitsOnlyForTheRecordedChunksBefore) {
  SpillGate gate({0, 100, 200});
  EXPECT_TRUE(gate.Wait(0).ok());  // nothing recorded before 0
  gate.Pass(100, Status::OK());    // out of order: 0 still open
  std::atomic<bool> done{false};
  std::thread waiter([&] {
    EXPECT_TRUE(gate.Wait(150).ok());
    done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(done.load());  // waits for the chunk at 0
  gate.Pass(0, Status::OK());
  waiter.join();
  EXPECT_TRUE(done.load());
  EXPECT_TRUE(gate.Wait(200).ok());  // 0 and 100 passed; 200 is its own
  gate.Pass(200, Status::OK());
  EXPECT_TRUE(gate.Wait(1000).ok());
}

TEST(SpillGateTest, AFailedCheckEndsEveryWait) {
  SpillGate gate({0, 100});
  std::thread waiter([&] { EXPECT_TRUE(gate.Wait(500).IsInvalidArgument()); });
  gate.Pass(100, Status::InvalidArgument("s", "differs"));
  waiter.join();
  gate.Pass(0, Status::OK());
  EXPECT_TRUE(gate.Wait(500).IsInvalidArgument());
}

TEST(SpillGateTest, NoRecordsNeverWaits) {
  SpillGate gate({});
  EXPECT_TRUE(gate.Wait(12345).ok());
}

}  // namespace
}  // namespace pretokdb
