// The access log off the request path: each worker formats its line into
// its own single-producer ring; one writer thread drains every ring to the
// file. A full ring drops the line and counts it: the proxy never waits for
// the disk.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "proxy/observe/access_log/access_log_format.h"
#include "proxy/http/exchange_record.h"

namespace sluice {

// One producer thread (push) and one consumer thread (peek/consume); no
// locks, and each side re-reads the other's index only when it must.
class ByteRing {
 public:
  explicit ByteRing(std::size_t capacity);
  ByteRing(const ByteRing&) = delete;
  ByteRing& operator=(const ByteRing&) = delete;

  std::size_t capacity() const { return capacity_; }
  // Producer: all of `bytes`, or nothing (false) when there is no room.
  bool push(std::string_view bytes);
  // Consumer: what is readable, as up to two pieces (the ring wraps).
  std::size_t peek(std::string_view& first, std::string_view& second) const;
  void consume(std::size_t n);

 private:
  std::unique_ptr<char[]> data_;
  std::size_t capacity_;
  alignas(64) std::atomic<std::size_t> head_{0};  // consumer's position
  alignas(64) std::atomic<std::size_t> tail_{0};  // producer's position
  std::size_t cached_head_ = 0;                   // producer's last look at head_
};

// worker-confined (log), any thread (the counters).
class AccessLogSink {
 public:
  AccessLogSink(AccessLogFormat format, std::size_t buffer_bytes);

  // Formats `record` and queues the line, or drops it when the ring is full.
  void log(const ExchangeRecord& record);

  std::uint64_t lines() const { return lines_.load(std::memory_order_relaxed); }
  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  ByteRing& ring() { return ring_; }

 private:
  AccessLogFormatter formatter_;
  std::string line_;
  ByteRing ring_;
  std::atomic<std::uint64_t> lines_{0};    // queued
  std::atomic<std::uint64_t> dropped_{0};  // ring full
};

// Driven from the main thread (created before the workers start; stop(), or
// the destructor, drains what is queued and joins the writer). Workers reach
// it only through their own AccessLogSink; the writer thread owns the fd.
class AccessLog {
 public:
  static constexpr std::size_t default_buffer_bytes = 1024 * 1024;  // per worker
  // How long the writer sleeps when every ring was empty.
  static constexpr std::chrono::milliseconds idle_wait{20};

  // `target`: "stdout" or a file path (appended to, created 0644). Throws
  // std::runtime_error naming the path when it cannot be opened.
  AccessLog(std::string_view target, AccessLogFormat format, unsigned workers,
            std::size_t buffer_bytes = default_buffer_bytes);
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;
  ~AccessLog();

  AccessLogSink& sink(unsigned worker) { return *sinks_[worker]; }
  void start();
  void stop();
  // Any thread. Before its next write the writer opens the file's path
  // anew, for log rotation (rename, then SIGUSR1, as with nginx). A path
  // that cannot be opened leaves it writing to the file it has. No effect
  // on stdout.
  void reopen();

  // Any thread.
  std::uint64_t lines() const;
  std::uint64_t dropped() const;
  std::uint64_t write_errors() const { return write_errors_.load(std::memory_order_relaxed); }

 private:
  void run();
  std::size_t drain_once();
  void write_all(std::string_view a, std::string_view b);
  void reopen_file();

  std::string path_;  // empty for stdout
  int fd_ = -1;
  bool owns_fd_ = false;
  std::vector<std::unique_ptr<AccessLogSink>> sinks_;
  std::thread writer_;
  std::mutex mutex_;  // the writer's sleep and stop() only; workers never take it
  std::condition_variable wake_;
  bool stopping_ = false;
  bool reopen_requested_ = false;
  std::atomic<std::uint64_t> write_errors_{0};
};

}  // namespace sluice
