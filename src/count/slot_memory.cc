#include "count/slot_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <new>

namespace pretokdb {

namespace {

constexpr size_t kHugePage = size_t{2} << 20;
// Below this, huge pages would mostly back slots the table does not have.
constexpr size_t kHugeFrom = size_t{4} << 20;

size_t PageSize() {
  static const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return page;
}

size_t RoundUp(size_t n, size_t to) { return (n + to - 1) / to * to; }

}  // namespace

SlotMemory::SlotMemory(size_t max_bytes) {
  reserved_ = RoundUp(std::max<size_t>(max_bytes, 1), PageSize());
  // Over-reserve by a huge page so that the array can start on a huge-page
  // boundary; the kernel can then back all of it with huge pages.
  // MAP_NORESERVE: only the backed prefix is ever used, so the reservation
  // should not count against the overcommit limit.
  const size_t extra = reserved_ >= kHugeFrom ? kHugePage : 0;
  mapped_ = reserved_ + extra;
  map_ = mmap(nullptr, mapped_, PROT_READ | PROT_WRITE,
              MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (map_ == MAP_FAILED) {
    map_ = nullptr;
    throw std::bad_alloc();
  }
  const uintptr_t b = reinterpret_cast<uintptr_t>(map_);
  base_ = reinterpret_cast<char*>(extra ? RoundUp(b, kHugePage) : b);
}

SlotMemory::~SlotMemory() {
  if (map_ != nullptr) munmap(map_, mapped_);
}

void SlotMemory::Resize(size_t bytes) {
  assert(bytes <= reserved_);
  const size_t target = RoundUp(bytes, PageSize());
  if (bytes < size_) {
    // Keep "[size_, backed_) holds zeros" for the next growth.
    std::memset(base_ + bytes, 0, std::min(size_, target) - bytes);
    // The dropped pages read as zeros again, and their memory is given back.
    if (target < backed_) madvise(base_ + target, backed_ - target, MADV_DONTNEED);
    size_ = bytes;
    backed_ = target;
    return;
  }
  if (target >= kHugeFrom) {
    // Advisory, fine if unsupported. Only the 2 MiB blocks not yet touched
    // get huge pages; the small start keeps its small ones.
    const size_t end = static_cast<size_t>(static_cast<char*>(map_) + mapped_ - base_);
    madvise(base_, std::min(RoundUp(target, kHugePage), end), MADV_HUGEPAGE);
  }
  volatile char* const p = base_;
  for (size_t off = backed_; off < target; off += PageSize()) p[off] = 0;
  size_ = bytes;
  backed_ = target;
}

}  // namespace pretokdb
