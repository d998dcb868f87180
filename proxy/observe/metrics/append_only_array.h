// An array one thread appends to while others read it, without locks: items
// live in fixed chunks that never move, and the size is published with a
// release store after the new item is complete.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <memory>

namespace sluice::metrics {

// Appends: confined to one owner thread. Reads: any thread, below size().
// An item's non-atomic fields must not change after it is published.
template <typename T, std::size_t ChunkSize, std::size_t MaxChunks>
class AppendOnlyArray {
 public:
  static constexpr std::size_t capacity = ChunkSize * MaxChunks;

  AppendOnlyArray() = default;
  AppendOnlyArray(const AppendOnlyArray&) = delete;
  AppendOnlyArray& operator=(const AppendOnlyArray&) = delete;
  ~AppendOnlyArray() {
    for (auto& c : chunks_) delete[] c.load(std::memory_order_relaxed);
  }

  std::size_t size() const { return size_.load(std::memory_order_acquire); }
  const T& operator[](std::size_t i) const {
    return chunks_[i / ChunkSize].load(std::memory_order_acquire)[i % ChunkSize];
  }

  // Owner thread only.
  T& at(std::size_t i) { return chunks_[i / ChunkSize].load(std::memory_order_relaxed)[i % ChunkSize]; }
  // The next slot, allocated but not yet visible to readers; null when full.
  T* prepare() {
    const std::size_t n = size_.load(std::memory_order_relaxed);
    if (n >= capacity) return nullptr;
    auto& chunk = chunks_[n / ChunkSize];
    T* items = chunk.load(std::memory_order_relaxed);
    if (!items) {
      items = new T[ChunkSize]();
      chunk.store(items, std::memory_order_release);
    }
    return &items[n % ChunkSize];
  }
  // Makes the slot prepare() returned visible; returns its index.
  std::size_t publish() {
    const std::size_t n = size_.load(std::memory_order_relaxed);
    size_.store(n + 1, std::memory_order_release);
    return n;
  }

 private:
  std::array<std::atomic<T*>, MaxChunks> chunks_{};
  std::atomic<std::size_t> size_{0};
};

}  // namespace sluice::metrics
