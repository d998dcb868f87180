// Per-thread counts of heap allocations and of coroutine frames Asio's
// recycling cache could not serve, so a test can require the request path to
// allocate nothing in steady state (tests/integration/test_request_path_allocations.py).
//
// Compiled in when CMake's SLUICE_COUNT_ALLOCATIONS is on (the normal build):
// allocation_counts.cc then replaces the global operator new/delete family
// and hooks OpenSSL's allocator, and CMake force-includes this header into
// every C++ file, ahead of any Asio header, so that the specialization below
// is the one every file sees. Off, counting_compiled_in is false and the
// counts stay zero.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace sluice::alloc {

#ifdef SLUICE_COUNT_ALLOCATIONS
inline constexpr bool counting_compiled_in = true;
#else
inline constexpr bool counting_compiled_in = false;
#endif

// Written by the one thread that counts into it, read by any thread: relaxed
// atomics are plain loads and stores on x86, and the alignment keeps another
// worker's counts off this cache line.
struct alignas(64) AllocationCounts {
  std::atomic<std::uint64_t> allocations{0};   // operator new (every overload), OpenSSL's malloc/realloc
  std::atomic<std::uint64_t> deallocations{0};  // operator delete, OpenSSL's free
  std::atomic<std::uint64_t> frame_misses{0};   // coroutine frames that went to operator new
};

// From now on the calling thread counts into `counts` (which must outlive
// the thread's allocations, or be reset with null first); null: back into
// the thread's own, unpublished counts. A worker calls it as its thread starts.
void count_this_thread_into(AllocationCounts* counts);

// True when OpenSSL's allocations are counted too (its allocator could be
// replaced before its first allocation).
bool openssl_counted();

}  // namespace sluice::alloc

#ifdef SLUICE_COUNT_ALLOCATIONS
#include <boost/asio/detail/thread_info_base.hpp>

namespace sluice::alloc {
// Asio's coroutine-frame allocation, counting the frames its cache misses.
void* allocate_frame(boost::asio::detail::thread_info_base* this_thread, std::size_t size,
                     std::size_t align);
}  // namespace sluice::alloc

// Every awaitable frame is allocated through this one specialization
// (awaitable_frame_base::operator new, boost/asio/impl/awaitable.hpp), so
// sluice::alloc sees each frame allocation from the inside and can tell a
// cache miss apart exactly: it is the one that reaches operator new.
template <>
inline void* boost::asio::detail::thread_info_base::allocate<
    boost::asio::detail::thread_info_base::awaitable_frame_tag>(
    awaitable_frame_tag, thread_info_base* this_thread, std::size_t size, std::size_t align) {
  return ::sluice::alloc::allocate_frame(this_thread, size, align);
}
#endif
