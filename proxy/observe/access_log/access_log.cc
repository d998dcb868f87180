// AccessLog: rings, the writer thread, and blocking writes that only that
// thread ever waits on.
#include "proxy/observe/access_log/access_log.h"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "common/log.h"

namespace sluice {
namespace {

int open_for_append(const std::string& path) {
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

}  // namespace

ByteRing::ByteRing(std::size_t capacity) : data_(new char[capacity]), capacity_(capacity) {}

bool ByteRing::push(std::string_view bytes) {
  const std::size_t tail = tail_.load(std::memory_order_relaxed);
  if (capacity_ - (tail - cached_head_) < bytes.size()) {
    cached_head_ = head_.load(std::memory_order_acquire);
    if (capacity_ - (tail - cached_head_) < bytes.size()) return false;
  }
  const std::size_t at = tail % capacity_;
  const std::size_t first = std::min(bytes.size(), capacity_ - at);
  std::memcpy(data_.get() + at, bytes.data(), first);
  std::memcpy(data_.get(), bytes.data() + first, bytes.size() - first);
  tail_.store(tail + bytes.size(), std::memory_order_release);
  return true;
}

std::size_t ByteRing::peek(std::string_view& first, std::string_view& second) const {
  const std::size_t head = head_.load(std::memory_order_relaxed);
  const std::size_t tail = tail_.load(std::memory_order_acquire);
  const std::size_t n = tail - head;
  const std::size_t at = head % capacity_;
  const std::size_t a = std::min(n, capacity_ - at);
  first = {data_.get() + at, a};
  second = {data_.get(), n - a};
  return n;
}

void ByteRing::consume(std::size_t n) {
  head_.store(head_.load(std::memory_order_relaxed) + n, std::memory_order_release);
}

AccessLogSink::AccessLogSink(AccessLogFormat format, std::size_t buffer_bytes)
    : formatter_(format), ring_(buffer_bytes) {
  line_.reserve(1024);
}

void AccessLogSink::log(const ExchangeRecord& record) {
  formatter_.format(record, line_);
  // Single writer: a relaxed load and store is all a counter needs.
  auto& counter = ring_.push(line_) ? lines_ : dropped_;
  counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

AccessLog::AccessLog(std::string_view target, AccessLogFormat format, unsigned workers,
                     std::size_t buffer_bytes) {
  if (target == "stdout") {
    fd_ = STDOUT_FILENO;
  } else {
    path_ = target;
    fd_ = open_for_append(path_);
    if (fd_ < 0) throw std::runtime_error("cannot open access log " + path_ + ": " + std::strerror(errno));
    owns_fd_ = true;
  }
  for (unsigned i = 0; i < workers; ++i) sinks_.push_back(std::make_unique<AccessLogSink>(format, buffer_bytes));
}

AccessLog::~AccessLog() {
  stop();
  if (owns_fd_) ::close(fd_);
}

void AccessLog::reopen() {
  {
    std::lock_guard lock(mutex_);
    reopen_requested_ = true;
  }
  wake_.notify_all();
}

// On the writer thread, which owns the fd: lines already drained went to the
// old file, the next ones go to the new one.
void AccessLog::reopen_file() {
  if (path_.empty()) return;
  const int fd = open_for_append(path_);
  if (fd < 0) {
    log::warn("cannot reopen the access log; still writing to the file it had",
              {{"path", path_}, {"error", std::strerror(errno)}});
    return;
  }
  ::close(fd_);
  fd_ = fd;
  log::info("access log reopened", {{"path", path_}});
}

void AccessLog::start() {
  if (!writer_.joinable()) writer_ = std::thread([this] { run(); });
}

void AccessLog::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable()) writer_.join();
}

std::uint64_t AccessLog::lines() const {
  std::uint64_t n = 0;
  for (const auto& s : sinks_) n += s->lines();
  return n;
}

std::uint64_t AccessLog::dropped() const {
  std::uint64_t n = 0;
  for (const auto& s : sinks_) n += s->dropped();
  return n;
}

void AccessLog::write_all(std::string_view a, std::string_view b) {
  iovec parts[2] = {{const_cast<char*>(a.data()), a.size()}, {const_cast<char*>(b.data()), b.size()}};
  int count = b.empty() ? 1 : 2;
  iovec* next = parts;
  while (count > 0) {
    ssize_t n = ::writev(fd_, next, count);
    if (n < 0) {
      if (errno == EINTR) continue;
      // Full disk, closed pipe: these lines are lost, the proxy goes on.
      write_errors_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    auto left = static_cast<std::size_t>(n);
    while (count > 0 && left >= next->iov_len) {
      left -= next->iov_len;
      ++next;
      --count;
    }
    if (count > 0) {
      next->iov_base = static_cast<char*>(next->iov_base) + left;
      next->iov_len -= left;
    }
  }
}

// Writes whole rings' worth at a time: lines never split, since a line is
// pushed whole or not at all.
std::size_t AccessLog::drain_once() {
  std::size_t total = 0;
  for (auto& sink : sinks_) {
    std::string_view a, b;
    const std::size_t n = sink->ring().peek(a, b);
    if (n == 0) continue;
    write_all(a, b);
    sink->ring().consume(n);
    total += n;
  }
  return total;
}

void AccessLog::run() {
  for (;;) {
    bool reopen = false;
    {
      std::lock_guard lock(mutex_);
      reopen = std::exchange(reopen_requested_, false);
    }
    if (reopen) reopen_file();
    if (drain_once() > 0) continue;
    std::unique_lock lock(mutex_);
    if (stopping_) break;
    wake_.wait_for(lock, idle_wait, [this] { return stopping_ || reopen_requested_; });
  }
  while (drain_once() > 0) {
  }
}

}  // namespace sluice
