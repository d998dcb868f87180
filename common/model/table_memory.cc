// See table_memory.h. Big arrays get their own mapping, so the huge-page
// advice applies to fresh pages (memory malloc recycles is already mapped
// with small pages, and the advice would only reach it later, through
// khugepaged).
#include "common/model/table_memory.h"

#include <cstdint>
#include <new>

#include <sys/mman.h>

namespace sluice {

namespace {

constexpr std::align_val_t line{64};
constexpr std::size_t huge_page = std::size_t{2} << 20;
constexpr std::size_t own_mapping_from = huge_page / 2;

std::size_t mapped_size(std::size_t bytes) { return (bytes + huge_page - 1) / huge_page * huge_page; }

}  // namespace

void* allocate_table_memory(std::size_t bytes) {
  if (bytes < own_mapping_from) return ::operator new(bytes, line);
  // Map one huge page more than needed, then unmap the unaligned head and tail.
  const std::size_t size = mapped_size(bytes);
  void* raw = mmap(nullptr, size + huge_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto start = reinterpret_cast<std::uintptr_t>(raw);
  const auto aligned = (start + huge_page - 1) / huge_page * huge_page;
  if (aligned > start) munmap(raw, aligned - start);
  munmap(reinterpret_cast<void*>(aligned + size), start + huge_page - aligned);
  // Advice only: without THP (or with it disabled) the table works the same.
  madvise(reinterpret_cast<void*>(aligned), size, MADV_HUGEPAGE);
  return reinterpret_cast<void*>(aligned);
}

void free_table_memory(void* p, std::size_t bytes) {
  if (bytes < own_mapping_from) ::operator delete(p, line);
  else munmap(p, mapped_size(bytes));
}

}  // namespace sluice
