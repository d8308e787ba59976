// A tiny fixed pool for splitting one kernel call across threads. The calling thread runs
// part 0 and waits for the others, so a call returns only when all of its parts are done;
// calls from several threads (AsyncWorkers) take turns. Exceptions in any part are
// rethrown to the caller.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace colony {

/** Runs fn(0..parts-1) on up to `workers + 1` threads. */
class ThreadPool {
 public:
  ThreadPool() = default;
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  ~ThreadPool();

  /** Runs fn(part) for part in [0, parts); returns when all are done. */
  void run(int parts, const std::function<void(int)>& fn);

 private:
  void ensure_workers(int count);
  void worker_loop(int index);

  std::mutex call_mutex_;  // one run() at a time
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::vector<std::thread> workers_;
  const std::function<void(int)>* job_ = nullptr;
  int parts_ = 0;
  int pending_ = 0;
  uint64_t generation_ = 0;
  bool stopping_ = false;
  std::exception_ptr error_;
};

/** The process-wide pool the kernels share. */
ThreadPool& kernel_pool();

}  // namespace colony
