// The access log's writer: workers hand finished lines to their own buffer (a short,
// uncontended lock; never a disk write), and one writer thread moves the buffers to the file.
// A full buffer drops the line and counts it: a slow or broken disk never blocks a request and
// never loses a line silently. reopen() (SIGUSR1, for logrotate) makes the writer open the path
// afresh before its next write.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "obs/access_log_format.h"
#include "obs/metrics.h"

namespace edgefront::obs {

struct AccessLogOptions {
  std::string path;
  AccessLogFormat format = AccessLogFormat::kCloudFront;
  size_t max_buffered_bytes_per_worker = 4 << 20;
  std::chrono::milliseconds flush_interval{100};
};

class AccessLog {
 public:
  // `written` and `dropped` count lines; the writer thread adds to them in `writer_slot`, a
  // counter slot no worker uses.
  AccessLog(AccessLogOptions options, unsigned workers, Counter* written, Counter* dropped,
            unsigned writer_slot);
  ~AccessLog();  // writes what is buffered, then stops the writer
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  AccessLogFormat format() const { return options_.format; }
  const std::string& path() const { return options_.path; }
  // Worker `worker` hands over complete lines (each ending in '\n').
  void submit(unsigned worker, std::string_view lines, unsigned line_count = 1);
  // Asks the writer to open the path afresh (safe from any thread, e.g. a signal handler's
  // continuation).
  void reopen();
  // Writes everything handed over so far (tests, shutdown).
  void flush();

 private:
  struct alignas(64) Buffer {
    std::mutex mu;
    std::string text;
    unsigned lines = 0;
  };
  void run();
  void write_out();
  bool open_file();

  AccessLogOptions options_;
  std::vector<std::unique_ptr<Buffer>> buffers_;
  Counter* written_;
  Counter* dropped_;
  unsigned writer_slot_;
  int fd_ = -1;
  std::atomic<bool> reopen_{false};
  std::mutex mu_;  // guards stop_ and flush requests for the writer's wait
  std::condition_variable wake_;
  bool stop_ = false;
  uint64_t flush_requested_ = 0;
  uint64_t flush_done_ = 0;
  std::condition_variable flushed_;
  std::thread writer_;
};

}  // namespace edgefront::obs
