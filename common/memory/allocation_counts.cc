// The counting half of allocation_counts.h: the global operator new/delete
// family, OpenSSL's allocator and Asio's frame allocation, each bumping the
// calling thread's counts. Steady-state request handling allocates nothing,
// so what this costs there is nothing; elsewhere it is a thread-local load
// and a store per allocation, next to malloc's own few dozen instructions.
#include "common/memory/allocation_counts.h"

#ifdef SLUICE_COUNT_ALLOCATIONS

#include <cstdlib>
#include <new>

#include <openssl/crypto.h>

// With std::aligned_alloc or Boost.Align, Asio's aligned_new would bypass
// operator new and the frame-miss test below would see nothing.
#if defined(BOOST_ASIO_HAS_STD_ALIGNED_ALLOC) || defined(BOOST_ASIO_HAS_BOOST_ALIGN)
#error "counting frame misses needs BOOST_ASIO_DISABLE_STD_ALIGNED_ALLOC and BOOST_ASIO_DISABLE_BOOST_ALIGN"
#endif

namespace sluice::alloc {

namespace {

// Trivial and constant-initialized, so neither needs a TLS guard: a thread
// counts into its own until count_this_thread_into() publishes a slot.
thread_local AllocationCounts own_counts;
thread_local AllocationCounts* published_counts = nullptr;

AllocationCounts& counts() {
  AllocationCounts* c = published_counts;
  return c ? *c : own_counts;
}

// One writer per slot: a load and a store, no locked instruction.
void bump(std::atomic<std::uint64_t>& c) {
  c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

void* checked(void* p) {
  if (!p) throw std::bad_alloc();
  return p;
}

// The standard's loop: call the new-handler until memory comes or there is
// none; null means out of memory.
void* counted_malloc(std::size_t size) {
  bump(counts().allocations);
  for (;;) {
    if (void* p = std::malloc(size ? size : 1)) return p;
    std::new_handler handler = std::get_new_handler();
    if (!handler) return nullptr;
    handler();
  }
}

void* counted_aligned(std::size_t size, std::align_val_t align) {
  bump(counts().allocations);
  auto a = static_cast<std::size_t>(align);
  std::size_t rounded = size == 0 ? a : (size + a - 1) / a * a;  // aligned_alloc wants a multiple
  for (;;) {
    if (void* p = std::aligned_alloc(a, rounded)) return p;
    std::new_handler handler = std::get_new_handler();
    if (!handler) return nullptr;
    handler();
  }
}

// A nothrow new returns null also when the new-handler throws.
template <typename Allocate>
void* nothrow(Allocate allocate) noexcept {
  try {
    return allocate();
  } catch (...) {
    return nullptr;
  }
}

void counted_free(void* p) {
  if (!p) return;
  bump(counts().deallocations);
  std::free(p);
}

// OpenSSL calls malloc directly unless told otherwise; TLS records on the
// request path go through here.
void* openssl_malloc(std::size_t n, const char*, int) {
  bump(counts().allocations);
  return std::malloc(n);
}
void* openssl_realloc(void* p, std::size_t n, const char*, int) {
  bump(counts().allocations);
  return std::realloc(p, n);
}
void openssl_free(void* p, const char*, int) { counted_free(p); }

// Before main(): OpenSSL accepts a new allocator only before its first allocation.
const bool openssl_hooked = CRYPTO_set_mem_functions(openssl_malloc, openssl_realloc, openssl_free) == 1;

// The same cache slots as Asio's frame tag, under a type of our own, so the
// specialization in the header can call Asio's unchanged allocate().
struct UncountedFrameTag {
  using Frame = boost::asio::detail::thread_info_base::awaitable_frame_tag;
  enum {
    cache_size = Frame::cache_size,
    begin_mem_index = Frame::begin_mem_index,
    end_mem_index = Frame::end_mem_index
  };
};

}  // namespace

void count_this_thread_into(AllocationCounts* c) { published_counts = c; }

bool openssl_counted() { return openssl_hooked; }

// Asio's allocate() either hands out a cached block or calls aligned_new,
// which is ::operator new here (the #error above): a frame missed the cache
// exactly when this thread's allocation count moved during the call.
void* allocate_frame(boost::asio::detail::thread_info_base* this_thread, std::size_t size,
                     std::size_t align) {
  AllocationCounts& c = counts();
  std::uint64_t before = c.allocations.load(std::memory_order_relaxed);
  void* p = boost::asio::detail::thread_info_base::allocate(UncountedFrameTag(), this_thread, size, align);
  if (c.allocations.load(std::memory_order_relaxed) != before) bump(c.frame_misses);
  return p;
}

}  // namespace sluice::alloc

using sluice::alloc::checked;
using sluice::alloc::counted_aligned;
using sluice::alloc::counted_free;
using sluice::alloc::counted_malloc;
using sluice::alloc::nothrow;

void* operator new(std::size_t n) { return checked(counted_malloc(n)); }
void* operator new[](std::size_t n) { return checked(counted_malloc(n)); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  return nothrow([n] { return counted_malloc(n); });
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return nothrow([n] { return counted_malloc(n); });
}
void* operator new(std::size_t n, std::align_val_t a) { return checked(counted_aligned(n, a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return checked(counted_aligned(n, a)); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return nothrow([n, a] { return counted_aligned(n, a); });
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return nothrow([n, a] { return counted_aligned(n, a); });
}

void operator delete(void* p) noexcept { counted_free(p); }
void operator delete[](void* p) noexcept { counted_free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { counted_free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { counted_free(p); }
void operator delete(void* p, std::size_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::size_t) noexcept { counted_free(p); }
void operator delete(void* p, std::align_val_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { counted_free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { counted_free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { counted_free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { counted_free(p); }

#else  // counting not compiled in: the declarations still link

namespace sluice::alloc {
void count_this_thread_into(AllocationCounts*) {}
bool openssl_counted() { return false; }
}  // namespace sluice::alloc

#endif
