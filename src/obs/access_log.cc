#include "obs/access_log.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace edgefront::obs {

AccessLog::AccessLog(AccessLogOptions options, unsigned workers, Counter* written, Counter* dropped,
                     unsigned writer_slot)
    : options_(std::move(options)),
      written_(written),
      dropped_(dropped),
      writer_slot_(writer_slot) {
  for (unsigned i = 0; i < workers; ++i) buffers_.push_back(std::make_unique<Buffer>());
  open_file();
  writer_ = std::thread([this] { run(); });
}

AccessLog::~AccessLog() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  writer_.join();
  if (fd_ >= 0) ::close(fd_);
}

void AccessLog::submit(unsigned worker, std::string_view lines, unsigned line_count) {
  Buffer& b = *buffers_[worker % buffers_.size()];
  {
    std::lock_guard lock(b.mu);
    if (b.text.size() + lines.size() <= options_.max_buffered_bytes_per_worker) {
      b.text.append(lines);
      b.lines += line_count;
      return;
    }
  }
  dropped_->add(worker, line_count);
}

void AccessLog::reopen() {
  reopen_.store(true, std::memory_order_relaxed);
  wake_.notify_one();
}

void AccessLog::flush() {
  std::unique_lock lock(mu_);
  uint64_t ticket = ++flush_requested_;
  wake_.notify_one();
  flushed_.wait(lock, [&] { return flush_done_ >= ticket || stop_; });
}

bool AccessLog::open_file() {
  int fd = ::open(options_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    spdlog::error("access log {}: {}", options_.path, std::strerror(errno));
    return false;
  }
  struct stat st {};
  // A new (empty) file starts with the W3C header lines, as CloudFront's files do.
  if (options_.format == AccessLogFormat::kCloudFront && ::fstat(fd, &st) == 0 &&
      S_ISREG(st.st_mode) && st.st_size == 0) {
    std::string header = cloudfront_log_header();
    (void)!::write(fd, header.data(), header.size());
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  return true;
}

void AccessLog::run() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait_for(lock, options_.flush_interval, [&] {
      return stop_ || flush_requested_ > flush_done_ || reopen_.load(std::memory_order_relaxed);
    });
    bool stopping = stop_;
    uint64_t ticket = flush_requested_;
    lock.unlock();
    if (reopen_.exchange(false, std::memory_order_relaxed)) {
      write_out();  // what was handed over before the signal goes to the old file
      open_file();
    }
    write_out();
    lock.lock();
    flush_done_ = ticket;
    flushed_.notify_all();
    if (stopping) return;
  }
}

// Takes each worker's buffer and writes it; a failed write drops (and counts) its lines.
void AccessLog::write_out() {
  std::string text;
  for (auto& b : buffers_) {
    unsigned lines = 0;
    {
      std::lock_guard lock(b->mu);
      if (b->lines == 0) continue;
      text.swap(b->text);
      lines = std::exchange(b->lines, 0);
    }
    size_t done = 0;
    while (fd_ >= 0 && done < text.size()) {
      ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    if (done == text.size()) {
      written_->add(writer_slot_, lines);
    } else {
      thread_local std::chrono::steady_clock::time_point last_warning{};
      auto now = std::chrono::steady_clock::now();
      if (now - last_warning > std::chrono::seconds(10)) {
        last_warning = now;
        spdlog::warn("access log {}: write failed ({}); lines dropped", options_.path,
                     std::strerror(errno));
      }
      dropped_->add(writer_slot_, lines);
    }
    text.clear();
  }
}

}  // namespace edgefront::obs
