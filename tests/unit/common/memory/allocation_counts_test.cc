// allocation_counts: every operator new overload counts once on the thread
// that publishes its counts, and a coroutine frame counts as a miss exactly
// when Asio's recycling cache cannot serve it.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <new>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/memory/allocation_counts.h"

using namespace sluice;
namespace asio = boost::asio;

namespace {

struct Snapshot {
  std::uint64_t allocations, deallocations, frame_misses;
};

Snapshot read(const alloc::AllocationCounts& c) {
  return {c.allocations.load(), c.deallocations.load(), c.frame_misses.load()};
}

// Calls the allocation functions themselves: unlike new-expressions, the
// compiler may not drop these calls.
void allocate_with_every_overload() {
  ::operator delete(::operator new(24));
  ::operator delete[](::operator new[](24));
  ::operator delete(::operator new(24, std::nothrow), std::nothrow);
  ::operator delete[](::operator new[](24, std::nothrow), std::nothrow);
  ::operator delete(::operator new(24, std::align_val_t(64)), std::align_val_t(64));
  ::operator delete[](::operator new[](24, std::align_val_t(64)), std::align_val_t(64));
  ::operator delete(::operator new(24, std::align_val_t(64), std::nothrow), std::align_val_t(64), std::nothrow);
#if defined(__cpp_sized_deallocation)  // clang 14 declares sized delete only with -fsized-deallocation
  ::operator delete(::operator new(24), 24);
}
constexpr std::uint64_t overloads_called = 8;
#else
}
constexpr std::uint64_t overloads_called = 7;
#endif

// Each suspends on a deferred post: co_await starts it from the caller's
// frame, where use_awaitable would add a frame of its own.
asio::awaitable<void> small_frame() {
  co_await asio::post(co_await asio::this_coro::executor, asio::deferred);
}

// Its array lives across the suspension, so the frame holds it: more than the
// 1,020 bytes Asio recycles.
asio::awaitable<std::uint64_t> big_frame() {
  std::array<unsigned char, 2048> bytes;
  bytes.fill(1);
  co_await asio::post(co_await asio::this_coro::executor, asio::deferred);
  std::uint64_t sum = 0;
  for (unsigned char b : bytes) sum += b;
  co_return sum;
}

asio::awaitable<void> drive(alloc::AllocationCounts& c, std::vector<std::uint64_t>& small_misses,
                            std::vector<std::uint64_t>& big_misses) {
  for (int i = 0; i < 8; ++i) {
    std::uint64_t before = c.frame_misses.load();
    co_await small_frame();
    small_misses.push_back(c.frame_misses.load() - before);
  }
  for (int i = 0; i < 4; ++i) {
    std::uint64_t before = c.frame_misses.load();
    co_await big_frame();
    big_misses.push_back(c.frame_misses.load() - before);
  }
}

}  // namespace

TEST_CASE("each operator new overload counts one allocation, each delete one deallocation", "[allocations]") {
  if (!alloc::counting_compiled_in) {
    WARN("allocation counting is not compiled in (sanitizer or fuzz build)");
    return;
  }
  alloc::AllocationCounts counts;
  alloc::count_this_thread_into(&counts);
  allocate_with_every_overload();
  alloc::count_this_thread_into(nullptr);
  Snapshot s = read(counts);
  CHECK(s.allocations == overloads_called);
  CHECK(s.deallocations == overloads_called);
  CHECK(s.frame_misses == 0);
}

TEST_CASE("another thread's allocations do not land in a thread's published counts", "[allocations]") {
  if (!alloc::counting_compiled_in) return;
  alloc::AllocationCounts mine, theirs;
  std::thread other;
  alloc::count_this_thread_into(&mine);
  other = std::thread([&theirs] {
    alloc::count_this_thread_into(&theirs);
    allocate_with_every_overload();
    alloc::count_this_thread_into(nullptr);
  });
  alloc::count_this_thread_into(nullptr);
  other.join();
  CHECK(read(theirs).allocations == overloads_called);
  // std::thread's start allocated on this thread: the state it hands over.
  CHECK(read(mine).allocations <= 1);
}

TEST_CASE("a frame the cache recycles is no miss; one too big to recycle misses every time", "[allocations]") {
  if (!alloc::counting_compiled_in) return;
  alloc::AllocationCounts counts;
  std::vector<std::uint64_t> small_misses, big_misses;
  small_misses.reserve(8);
  big_misses.reserve(4);
  asio::io_context context;
  asio::co_spawn(context, drive(counts, small_misses, big_misses), asio::detached);
  alloc::count_this_thread_into(&counts);
  context.run();
  alloc::count_this_thread_into(nullptr);

  REQUIRE(small_misses.size() == 8);
  REQUIRE(big_misses.size() == 4);
  // The first small frame may find the cache empty; from then on the block
  // it freed serves the next one.
  for (std::size_t i = 1; i < small_misses.size(); ++i) CHECK(small_misses[i] == 0);
  for (std::uint64_t m : big_misses) CHECK(m == 1);
}
