// Memory for the route index's flat arrays: cache-line aligned (so records
// can be kept inside one line), and for arrays of a megabyte or more, on
// 2 MiB transparent huge pages when the kernel allows them: a lookup that
// touches two random lines of a 10 MiB table would otherwise also miss the
// TLB twice.
#pragma once

#include <cstddef>

namespace sluice {

void* allocate_table_memory(std::size_t bytes);
void free_table_memory(void* p, std::size_t bytes);

// A std::allocator replacement over allocate_table_memory.
template <typename T>
struct TableAllocator {
  using value_type = T;
  TableAllocator() = default;
  template <typename U>
  TableAllocator(const TableAllocator<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(allocate_table_memory(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) { free_table_memory(p, n * sizeof(T)); }
  friend bool operator==(const TableAllocator&, const TableAllocator&) { return true; }
};

}  // namespace sluice
