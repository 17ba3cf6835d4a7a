// Memory for a count table's slot array, which grows in place: a range of
// address space is reserved up front and only a prefix of it is backed by
// memory. Growing the array then costs the new part's pages only, and the
// old and the new array never coexist (a table may double up to its whole
// share of the budget instead of half of it).
//
// Backed pages are written once when committed. A table reads a slot before
// it writes it, and a first read maps the shared zero page, which the write
// must then replace: a second fault, and a TLB flush on every CPU running
// another worker (measured: a quarter of a 2-worker run on 100 MB of web
// text). Large arrays are marked for transparent huge pages, because a table
// of tens of MiB probed at random otherwise spends much of its time in TLB
// misses (measured: +15% for the table alone, tools/bench/micro/README.md).

#ifndef PRETOKDB_COUNT_SLOT_MEMORY_H_
#define PRETOKDB_COUNT_SLOT_MEMORY_H_

#include <cstddef>

namespace pretokdb {

class SlotMemory {
 public:
  // Reserves address space for up to `max_bytes`; backs none of it.
  // Throws std::bad_alloc if the reservation fails.
  explicit SlotMemory(size_t max_bytes);
  ~SlotMemory();

  SlotMemory(const SlotMemory&) = delete;
  SlotMemory& operator=(const SlotMemory&) = delete;

  void* data() const { return base_; }
  // The most Resize() accepts.
  size_t reserved() const { return reserved_; }

  // Makes [0, bytes) the usable prefix, bytes <= reserved(). The bytes it
  // adds read as zeros; the pages it drops are returned to the system. The
  // bytes kept are left as they were.
  void Resize(size_t bytes);

 private:
  void* map_ = nullptr;  // the mapping: mapped_ bytes, base_ within it
  size_t mapped_ = 0;
  char* base_ = nullptr;
  size_t reserved_ = 0;  // whole pages
  size_t size_ = 0;      // the usable prefix
  size_t backed_ = 0;    // size_ rounded up to whole pages; [size_, backed_)
                         // holds zeros
};

}  // namespace pretokdb

#endif  // PRETOKDB_COUNT_SLOT_MEMORY_H_
