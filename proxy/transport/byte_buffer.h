// A growable byte buffer with read and write cursors, for socket reads.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>

namespace sluice {

// worker-confined. Positions are absolute offsets from data(), so spans a
// parser recorded stay valid across grow(); only compact() moves bytes.
class ByteBuffer {
 public:
  explicit ByteBuffer(std::size_t capacity = 0) { grow(capacity); }

  char* data() { return data_.get(); }
  const char* data() const { return data_.get(); }
  std::size_t capacity() const { return capacity_; }

  std::size_t begin() const { return begin_; }
  std::size_t end() const { return end_; }
  std::size_t readable() const { return end_ - begin_; }
  const char* read_ptr() const { return data_.get() + begin_; }
  void consume(std::size_t n) { begin_ += n; if (begin_ == end_) begin_ = end_ = 0; }

  char* write_ptr() { return data_.get() + end_; }
  std::size_t writable() const { return capacity_ - end_; }
  void commit(std::size_t n) { end_ += n; }

  // Moves unread bytes to the front (invalidates recorded positions).
  void compact() {
    if (begin_ == 0) return;
    std::memmove(data_.get(), data_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }

  // Grows to at least `capacity`, keeping every byte at its position.
  void grow(std::size_t capacity) {
    if (capacity <= capacity_) return;
    auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
    if (end_ > 0) std::memcpy(bigger.get(), data_.get(), end_);
    data_ = std::move(bigger);
    capacity_ = capacity;
  }

  // Frees the storage when empty (idle keep-alive connections hold nothing).
  void release_if_empty() {
    if (readable() == 0) {
      data_.reset();
      capacity_ = begin_ = end_ = 0;
    }
  }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t capacity_ = 0;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

}  // namespace sluice
