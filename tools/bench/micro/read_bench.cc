// Copyright (c) pretok-db authors.
//
// read_bench: how fast one thread gets a large file into memory it can scan,
// in the shapes a worker could use:
//
//   pread-<B>[-seq]  pread() into one reused, pre-faulted buffer of B bytes
//                    (64K .. 16M), on a fresh descriptor per run; "-seq"
//                    adds posix_fadvise(SEQUENTIAL) as SourceFile::Open()
//                    does (src/ingest/source_file.cc).
//   mmap-seq         mmap() of the whole file + madvise(MADV_SEQUENTIAL).
//   mmap-populate    mmap(MAP_POPULATE) of the whole file (also
//                    MADV_SEQUENTIAL, which changes nothing once populated).
//
// Every shape is timed with two consumers, so that each reads every page:
//   touch  sums one byte per 64 (one load per cache line);
//   pass   a full byte loop (counts '\n'), a stand-in for a cheap scanner.
// "baseline" runs the same consumers over a 1 MiB buffer that stays in L2,
// i.e. the consumer's own cost with no I/O and no DRAM traffic.
//
// Times include open/close, fadvise, mmap/munmap and page faults. Two
// rates are printed: per wall-clock second, and (warm only) per CPU second
// of this thread (user + system, getrusage(RUSAGE_THREAD)): on a machine
// shared with other jobs the CPU rate is the steadier one for cached data,
// while a cold read waits on the disk, which only the wall rate shows. Each
// configuration runs --repetitions times, interleaved (rep 1 of every
// configuration, then rep 2, ...), and the median is printed. GB/s means
// 1e9 bytes per second.
//
// Cache states:
//   warm  the file is read once first, so it is in the page cache;
//   cold  posix_fadvise(DONTNEED) on the whole file before every run.
//         Residency is then measured with mincore() and printed, so a
//         DONTNEED that did not evict (dirty or mapped pages) shows. In a
//         VM the host may still cache the disk image: "cold" is guest-cold.
//         DONTNEED evicts the pages for every process on the machine: point
//         --file at a private copy when others share the page cache.
//
// Usage: read_bench --file=PATH [--repetitions=3] [--cache=warm|cold|both]
//                   [--filter=SUBSTRING]

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace pretokdb {
namespace {

enum class Consumer { kTouch, kPass };

const char* ConsumerName(Consumer c) {
  return c == Consumer::kTouch ? "touch" : "pass";
}

// What a consumer computed. Equal across shapes for one file, which checks
// that every shape delivered the same bytes (and keeps the loops alive).
struct Digest {
  uint64_t value = 0;
};

// One load per cache line. Offsets are relative to p; every caller passes a
// p whose file offset is a multiple of 64, so the sum does not depend on the
// buffer size.
uint64_t TouchLines(const char* p, size_t n) {
  uint64_t sum = 0;
  for (size_t i = 0; i < n; i += 64) sum += static_cast<uint8_t>(p[i]);
  return sum;
}

// A deliberately plain byte loop (g++ -O2 may vectorise it; "baseline"
// shows its speed on cached data).
uint64_t CountNewlines(const char* p, size_t n) {
  uint64_t count = 0;
  for (size_t i = 0; i < n; ++i) count += p[i] == '\n';
  return count;
}

uint64_t Consume(Consumer c, const char* p, size_t n) {
  return c == Consumer::kTouch ? TouchLines(p, n) : CountNewlines(p, n);
}

[[noreturn]] void Die(const char* what, const std::string& path) {
  std::fprintf(stderr, "read_bench: %s %s: %s\n", what, path.c_str(),
               std::strerror(errno));
  std::exit(1);
}

int OpenOrDie(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) Die("open", path);
  return fd;
}

// Fraction of the file's pages in the page cache.
double Residency(const std::string& path, uint64_t size) {
  if (size == 0) return 1.0;
  int fd = OpenOrDie(path);
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) Die("mmap", path);
  const long page = ::sysconf(_SC_PAGESIZE);
  std::vector<unsigned char> vec((size + page - 1) / page);
  if (::mincore(map, size, vec.data()) != 0) Die("mincore", path);
  size_t resident = 0;
  for (unsigned char v : vec) resident += v & 1;
  ::munmap(map, size);
  ::close(fd);
  return static_cast<double>(resident) / vec.size();
}

void DropFromCache(const std::string& path) {
  int fd = OpenOrDie(path);
  // Only clean, unmapped pages can go; the file is never written here.
  if (::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0) {
    Die("posix_fadvise(DONTNEED)", path);
  }
  ::close(fd);
}

struct Shape {
  std::string name;
  enum Kind { kPread, kMmap, kMmapPopulate, kBaseline } kind;
  size_t buffer = 0;       // kPread, kBaseline
  bool sequential = false; // kPread: posix_fadvise(SEQUENTIAL)
};

// Reads the whole file with the given shape; returns the consumer's digest.
// buffer: at least shape.buffer bytes, already faulted in.
uint64_t RunShape(const Shape& shape, Consumer consumer,
                  const std::string& path, uint64_t size, char* buffer) {
  uint64_t digest = 0;
  switch (shape.kind) {
    case Shape::kBaseline: {
      // The consumer alone over an L2-resident buffer, as many bytes as the
      // file has.
      for (uint64_t done = 0; done < size; done += shape.buffer) {
        const size_t n = std::min<uint64_t>(shape.buffer, size - done);
        digest += Consume(consumer, buffer, n);
        asm volatile("" : : "r"(buffer) : "memory");  // no hoisting
      }
      return digest;
    }
    case Shape::kPread: {
      int fd = OpenOrDie(path);
      if (shape.sequential) ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
      uint64_t offset = 0;
      while (offset < size) {
        const size_t want = std::min<uint64_t>(shape.buffer, size - offset);
        size_t got = 0;
        while (got < want) {  // a short read continues in the same buffer
          ssize_t r = ::pread(fd, buffer + got, want - got,
                              static_cast<off_t>(offset + got));
          if (r < 0 && errno == EINTR) continue;
          if (r <= 0) Die("pread", path);
          got += static_cast<size_t>(r);
        }
        digest += Consume(consumer, buffer, got);
        offset += got;
      }
      ::close(fd);
      return digest;
    }
    case Shape::kMmap:
    case Shape::kMmapPopulate: {
      int fd = OpenOrDie(path);
      const int flags =
          MAP_PRIVATE | (shape.kind == Shape::kMmapPopulate ? MAP_POPULATE : 0);
      void* map = ::mmap(nullptr, size, PROT_READ, flags, fd, 0);
      if (map == MAP_FAILED) Die("mmap", path);
      ::madvise(map, size, MADV_SEQUENTIAL);
      digest = Consume(consumer, static_cast<const char*>(map), size);
      ::munmap(map, size);
      ::close(fd);
      return digest;
    }
  }
  return digest;
}

struct Config {
  Shape shape;
  Consumer consumer;
  bool cold;
  std::vector<double> seconds;
  std::vector<double> cpu_seconds;
  std::vector<double> residency;  // before each cold run
  uint64_t digest = 0;
};

// User + system CPU seconds of the calling thread.
double ThreadCpuSeconds() {
  struct rusage ru;
  ::getrusage(RUSAGE_THREAD, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int Main(int argc, char** argv) {
  std::string path;
  int repetitions = 3;
  std::string cache = "both";
  std::string filter;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (StartsWith(a, "--file=")) {
      path = a.substr(7);
    } else if (StartsWith(a, "--repetitions=")) {
      repetitions = std::atoi(argv[i] + 14);
    } else if (StartsWith(a, "--cache=")) {
      cache = a.substr(8);
    } else if (StartsWith(a, "--filter=")) {
      filter = a.substr(9);
    } else {
      std::fprintf(stderr,
                   "usage: read_bench --file=PATH [--repetitions=3] "
                   "[--cache=warm|cold|both] [--filter=SUBSTRING]\n");
      return 2;
    }
  }
  if (path.empty() || repetitions < 1 ||
      (cache != "warm" && cache != "cold" && cache != "both")) {
    std::fprintf(stderr, "read_bench: need --file=PATH; see the header\n");
    return 2;
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) Die("stat", path);
  const uint64_t size = static_cast<uint64_t>(st.st_size);

  std::vector<Shape> shapes;
  shapes.push_back({"baseline-1M (no I/O)", Shape::kBaseline, 1 << 20, false});
  for (size_t kib : {64, 256, 1024, 4096, 16384}) {
    const std::string b =
        kib < 1024 ? std::to_string(kib) + "K" : std::to_string(kib >> 10) + "M";
    shapes.push_back({"pread-" + b, Shape::kPread, kib << 10, false});
    shapes.push_back({"pread-" + b + "-seq", Shape::kPread, kib << 10, true});
  }
  shapes.push_back({"mmap-seq", Shape::kMmap, 0, false});
  shapes.push_back({"mmap-populate", Shape::kMmapPopulate, 0, false});

  std::vector<Config> configs;
  for (bool cold : {false, true}) {
    if (cold ? cache == "warm" : cache == "cold") continue;
    for (const Shape& s : shapes) {
      if (cold && s.kind == Shape::kBaseline) continue;
      for (Consumer c : {Consumer::kTouch, Consumer::kPass}) {
        const std::string name = s.name + " " + ConsumerName(c);
        if (!filter.empty() && name.find(filter) == std::string::npos) continue;
        configs.push_back({s, c, cold, {}, {}, {}, 0});
      }
    }
  }

  size_t max_buffer = 1 << 20;
  for (const Shape& s : shapes) max_buffer = std::max(max_buffer, s.buffer);
  char* buffer = static_cast<char*>(std::aligned_alloc(4096, max_buffer));
  if (buffer == nullptr) return 1;
  std::memset(buffer, '\n', max_buffer);  // fault it in before any timing

  std::printf("file %s: %" PRIu64 " bytes, resident %.1f%% at start\n",
              path.c_str(), size, 100 * Residency(path, size));
  for (int rep = 0; rep < repetitions; ++rep) {
    for (Config& c : configs) {
      if (c.cold) {
        DropFromCache(path);
        c.residency.push_back(Residency(path, size));
      } else if (c.shape.kind != Shape::kBaseline && Residency(path, size) < 1) {
        // Warm: load the file (a cold run or another process may have
        // evicted pages).
        Shape warm{"", Shape::kPread, 1 << 20, true};
        (void)RunShape(warm, Consumer::kTouch, path, size, buffer);
      }
      const double cpu0 = ThreadCpuSeconds();
      const auto t0 = std::chrono::steady_clock::now();
      const uint64_t digest = RunShape(c.shape, c.consumer, path, size, buffer);
      const auto t1 = std::chrono::steady_clock::now();
      c.cpu_seconds.push_back(ThreadCpuSeconds() - cpu0);
      c.seconds.push_back(std::chrono::duration<double>(t1 - t0).count());
      c.digest = digest;
      std::fprintf(stderr, "rep %d %-5s %-22s %-5s %7.3f GB/s wall %7.3f cpu\n",
                   rep + 1, c.cold ? "cold" : "warm", c.shape.name.c_str(),
                   ConsumerName(c.consumer), size / c.seconds.back() / 1e9,
                   size / c.cpu_seconds.back() / 1e9);
    }
  }

  // Digests per consumer must agree across shapes (the baseline reads its
  // own buffer, not the file).
  uint64_t expect[2] = {0, 0};
  bool seen[2] = {false, false};
  bool digests_ok = true;
  for (const Config& c : configs) {
    if (c.shape.kind == Shape::kBaseline) continue;
    const int k = static_cast<int>(c.consumer);
    if (!seen[k]) {
      seen[k] = true;
      expect[k] = c.digest;
    } else if (c.digest != expect[k]) {
      digests_ok = false;
    }
  }

  std::printf("%-5s %-22s %-5s %9s %9s %9s %9s  %s\n", "cache", "shape",
              "cons", "wall", "(min", "max)", "cpu",
              "GB/s, median of runs; cold: residency after DONTNEED");
  for (const Config& c : configs) {
    std::vector<double> rates, cpu_rates;
    for (double s : c.seconds) rates.push_back(size / s / 1e9);
    for (double s : c.cpu_seconds) cpu_rates.push_back(size / s / 1e9);
    std::printf("%-5s %-22s %-5s %9.3f %9.3f %9.3f",
                c.cold ? "cold" : "warm", c.shape.name.c_str(),
                ConsumerName(c.consumer), Median(rates),
                *std::min_element(rates.begin(), rates.end()),
                *std::max_element(rates.begin(), rates.end()));
    // A thread that sleeps on I/O is undersampled by tick-based CPU
    // accounting: no CPU rate for cold runs.
    if (!c.cold) std::printf(" %9.3f", Median(cpu_rates));
    if (c.cold) {
      std::printf("  resident <= %.1f%%",
                  100 * *std::max_element(c.residency.begin(), c.residency.end()));
    }
    std::printf("\n");
  }
  std::printf("digests %s (touch %" PRIu64 ", newlines %" PRIu64 ")\n",
              digests_ok ? "agree" : "DIFFER", expect[0], expect[1]);
  std::free(buffer);
  return digests_ok ? 0 : 1;
}

}  // namespace
}  // namespace pretokdb

int main(int argc, char** argv) { return pretokdb::Main(argc, argv); }
