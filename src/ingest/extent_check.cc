#include "ingest/extent_check.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <new>
#include <thread>

namespace pretokdb {

namespace {

// What to do with one chunk.
struct Job {
  const CommittedChunk* chunk;
  uint64_t end;   // hash [range.begin, end)
  bool compare;   // with the checkpoint's digest (else: record it)
  bool resumes;   // counted part way: keep the hash for its worker
};

std::string Range(uint64_t begin, uint64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + ")";
}

}  // namespace

Status CheckCommittedExtents(const std::vector<CommittedChunk>& chunks,
                             bool quick, int threads, size_t buffer_bytes,
                             const std::string& db_path, ExtentCheck* out) {
  *out = ExtentCheck();
  const auto start = std::chrono::steady_clock::now();
  std::vector<Job> jobs;
  for (const CommittedChunk& c : chunks) {
    const Checkpoint& k = c.checkpoint;
    const bool resumes = k.offset > c.range.begin && k.offset < c.range.end;
    if (k.hashed) {
      if (k.hashed_end <= c.range.begin && !resumes) continue;  // nothing counted
      if (quick && !resumes) continue;
      jobs.push_back(Job{&c, k.hashed_end, true, resumes});
    } else if (k.offset > c.range.begin) {
      jobs.push_back(Job{&c, k.offset, false, resumes});
    }
  }
  // Longest first, so that no thread is left with a long one at the end.
  std::stable_sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) {
    return a.end - a.chunk->range.begin > b.end - b.chunk->range.begin;
  });
  std::vector<ChunkHash> hashes(jobs.size());
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status first_error;
  auto work = [&] {
    Status s;
    try {
      for (;;) {
        if (failed.load()) return;
        const size_t j = next.fetch_add(1);
        if (j >= jobs.size()) return;
        const Job& job = jobs[j];
        const CommittedChunk& c = *job.chunk;
        s = HashFileRange(*c.file, c.range.begin, job.end, buffer_bytes,
                          &hashes[j]);
        if (s.ok() && job.compare && hashes[j].Digest() != c.checkpoint.digest) {
          s = Status::InvalidArgument(
              c.file->path(),
              "changed since it was indexed into " + db_path + ": bytes " +
                  Range(c.range.begin, job.end) +
                  " are not those it was counted from (an edit inside, which "
                  "its size and first and last 64 KiB do not show), so its "
                  "counts would be stale; index it into another --db");
        }
        if (!s.ok()) break;
      }
    } catch (const std::bad_alloc&) {
      s = Status::IOError(db_path, "out of memory checking the files' hashes");
    }
    std::lock_guard<std::mutex> lock(mu);
    if (first_error.ok()) first_error = s;
    failed.store(true);
  };
  const int n = static_cast<int>(
      std::min<size_t>(static_cast<size_t>(std::max(threads, 1)), jobs.size()));
  std::vector<std::thread> pool;
  for (int t = 1; t < n; ++t) pool.emplace_back(work);
  if (n > 0) work();
  for (std::thread& t : pool) t.join();
  PRETOKDB_RETURN_IF_ERROR(first_error);

  for (size_t j = 0; j < jobs.size(); ++j) {
    const Job& job = jobs[j];
    const CommittedChunk& c = *job.chunk;
    const uint64_t bytes = job.end - c.range.begin;
    if (job.compare) {
      out->checked_bytes += bytes;
    } else {
      out->recorded_bytes += bytes;
      Checkpoint k = c.checkpoint;
      k.hashed = true;
      k.hashed_end = job.end;
      k.digest = hashes[j].Digest();
      out->recorded.puts.emplace_back(CheckpointKey(c.source_id, c.chunk_index),
                                      EncodeCheckpoint(k));
    }
    if (job.resumes) {
      out->resume[{c.source_id, c.chunk_index}] =
          ResumeHash{std::move(hashes[j]), job.end};
    }
  }
  out->seconds = std::chrono::duration<double>(
                     std::chrono::steady_clock::now() - start)
                     .count();
  return Status::OK();
}

}  // namespace pretokdb
