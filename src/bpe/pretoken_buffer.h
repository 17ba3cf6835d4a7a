// Pretokens and their counts held compactly, in order, while TrainBpe
// checks their number and size against the memory limit, so that the
// database is read once: each as its length (4 bytes), count (8) and
// bytes, appended to blocks of 1 MiB.
//
// Blocks rather than one growing array: glibc raises its mmap threshold to
// the size of the largest mapped chunk freed (up to 32 MiB), after which
// the trainer's growing vectors would come from the heap and leave freed
// copies resident. Freeing 1 MiB blocks keeps that threshold low (measured:
// a growing std::string here added 58 MiB to the peak of a 1 GiB web run).

#ifndef PRETOKDB_BPE_PRETOKEN_BUFFER_H_
#define PRETOKDB_BPE_PRETOKEN_BUFFER_H_

#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace pretokdb {

class PretokenBuffer {
 public:
  void Add(std::string_view token, uint64_t count) {
    const size_t need = kHeader + token.size();
    if (blocks_.empty() || blocks_.back().size - blocks_.back().used < need) {
      const size_t size = need > kBlockBytes ? need : kBlockBytes;
      blocks_.push_back(Block{std::unique_ptr<char[]>(new char[size]), size, 0});
      held_ += size;
    }
    Block& b = blocks_.back();
    char* p = b.data.get() + b.used;
    const uint32_t length = static_cast<uint32_t>(token.size());
    std::memcpy(p, &length, sizeof(length));
    std::memcpy(p + sizeof(length), &count, sizeof(count));
    if (length != 0) std::memcpy(p + kHeader, token.data(), length);
    b.used += need;
  }

  // fn(token, count) for every pretoken, in the order added.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (const Block& b : blocks_) {
      for (size_t at = 0; at < b.used;) {
        const char* p = b.data.get() + at;
        uint32_t length;
        uint64_t count;
        std::memcpy(&length, p, sizeof(length));
        std::memcpy(&count, p + sizeof(length), sizeof(count));
        fn(std::string_view(p + kHeader, length), count);
        at += kHeader + length;
      }
    }
  }

  uint64_t memory_bytes() const { return held_; }

  void Clear() {
    std::vector<Block>().swap(blocks_);
    held_ = 0;
  }

 private:
  static constexpr size_t kHeader = sizeof(uint32_t) + sizeof(uint64_t);
  static constexpr size_t kBlockBytes = 1 << 20;
  struct Block {
    std::unique_ptr<char[]> data;
    size_t size;
    size_t used;
  };
  std::vector<Block> blocks_;
  uint64_t held_ = 0;
};

}  // namespace pretokdb

#endif  // PRETOKDB_BPE_PRETOKEN_BUFFER_H_
