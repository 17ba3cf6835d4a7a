#include "count/slot_memory.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>

namespace pretokdb {

namespace {
// Below this, malloc's own pools do better than a mapping per array.
constexpr size_t kMapThreshold = size_t{4} << 20;
constexpr size_t kHugePage = size_t{2} << 20;
}  // namespace

void* AllocateZeroed(size_t bytes) {
  if (bytes < kMapThreshold) return std::calloc(bytes, 1);
  // Over-map by one huge page so that the array can start on a huge-page
  // boundary; the kernel can then back all of it with huge pages.
  const size_t mapped = bytes + kHugePage;
  void* base = mmap(nullptr, mapped, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) return nullptr;
  const uintptr_t b = reinterpret_cast<uintptr_t>(base);
  const uintptr_t aligned = (b + kHugePage - 1) & ~(kHugePage - 1);
  // Give back the unused head and tail.
  if (aligned > b) munmap(base, aligned - b);
  const uintptr_t end = b + mapped;
  if (end > aligned + bytes) {
    munmap(reinterpret_cast<void*>(aligned + bytes), end - (aligned + bytes));
  }
  void* p = reinterpret_cast<void*>(aligned);
  madvise(p, bytes, MADV_HUGEPAGE);  // advisory: fine if unsupported
  // Write to every page now. A table reads a slot before it writes it, and
  // a first read maps the shared zero page, which the write must then
  // replace: a second fault, and a TLB flush on every CPU running another
  // worker (measured: a quarter of a 2-worker run on 100 MB of web text).
  // The hash spreads entries over the whole array, so every page would be
  // written soon anyway.
  volatile char* const bytes_p = static_cast<char*>(p);
  for (size_t off = 0; off < bytes; off += 4096) bytes_p[off] = 0;
  return p;
}

void FreeZeroed(void* p, size_t bytes) {
  if (p == nullptr) return;
  if (bytes < kMapThreshold) {
    std::free(p);
    return;
  }
  munmap(p, bytes);
}

}  // namespace pretokdb
