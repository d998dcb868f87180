// An immutable open-addressing hash table from (tag, string key) to a small
// trivially copyable value, laid out for lookups in tables far bigger than
// the cache. Each slot is one cache line holding the value and, when it
// fits, the key itself, so a hit reads one line; a longer key is kept in an
// arena record that is read to confirm the hit. A node-based map instead
// chases four or five dependent pointers through the heap, which is what
// made RouteTable lookups slow down with 100,000 rules.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/model/table_memory.h"

namespace sluice {

// any thread (immutable once built). The caller hashes: the same hash must
// be passed for the same (tag, key) at build and at lookup time, which lets
// tests force collisions.
template <typename Value>
class FlatKeyTable {
  static_assert(std::is_trivially_copyable_v<Value> && alignof(Value) <= 4 && sizeof(Value) <= 32);

 public:
  struct Entry {
    std::uint64_t hash;
    std::uint32_t tag;
    std::string_view key;
    Value value;
  };
  static constexpr std::size_t slot_bytes = 64;  // one cache line
  static constexpr std::size_t inline_key_bytes = slot_bytes - 12 - sizeof(Value);

  FlatKeyTable() : FlatKeyTable(std::vector<Entry>{}) {}
  // Keys must be unique per tag (the builder has checked conflicts).
  explicit FlatKeyTable(const std::vector<Entry>& entries);

  // The value stored under (tag, key), or null. `hash` as given at build.
  const Value* find(std::uint64_t hash, std::uint32_t tag, std::string_view key) const;
  std::size_t size() const { return size_; }

 private:
  struct alignas(slot_bytes) Slot {
    std::uint32_t fragment;  // hash >> 32: most mismatches end here
    std::uint32_t tag;
    std::uint32_t key;       // see key_in_arena; `empty` for a free slot
    Value value;
    char key_bytes[inline_key_bytes];
  };
  static_assert(sizeof(Slot) == slot_bytes);
  // Slot::key: up to inline_key_bytes, the size of the key in key_bytes;
  // above, key_in_arena + the arena index of a record (size, then bytes).
  static constexpr std::uint32_t key_in_arena = inline_key_bytes + 1;
  static constexpr std::uint32_t empty = UINT32_MAX;

  // The slot a hash probes first: the low 32 bits scaled to the capacity,
  // which need not be a power of two (so the table can be just half full).
  std::size_t home(std::uint64_t hash) const { return ((hash & 0xffffffffu) * slots_.size()) >> 32; }
  std::uint32_t store_key(std::string_view key, char* inline_bytes);
  bool holds(const Slot& s, std::uint32_t tag, std::string_view key) const;

  std::vector<Slot, TableAllocator<Slot>> slots_;
  std::vector<std::uint32_t> arena_;  // keys too long to stay inline: size, then bytes
  std::size_t size_ = 0;
};

template <typename Value>
FlatKeyTable<Value>::FlatKeyTable(const std::vector<Entry>& entries) : size_(entries.size()) {
  // At most half full: a miss ends at the first free slot, on average within
  // two or three slots of where it started, and there always is one.
  Slot free{};
  free.key = empty;
  slots_.assign(std::max<std::size_t>(4, 2 * entries.size()), free);
  for (const Entry& e : entries) {
    std::size_t i = home(e.hash);
    while (slots_[i].key != empty) i = i + 1 == slots_.size() ? 0 : i + 1;
    Slot& s = slots_[i];
    s.fragment = static_cast<std::uint32_t>(e.hash >> 32);
    s.tag = e.tag;
    s.value = e.value;
    s.key = store_key(e.key, s.key_bytes);
  }
}

template <typename Value>
std::uint32_t FlatKeyTable<Value>::store_key(std::string_view key, char* inline_bytes) {
  if (key.size() <= inline_key_bytes) {
    if (!key.empty()) std::memcpy(inline_bytes, key.data(), key.size());
    return static_cast<std::uint32_t>(key.size());
  }
  const auto at = arena_.size();
  arena_.resize(at + 1 + (key.size() + 3) / 4, 0);
  arena_[at] = static_cast<std::uint32_t>(key.size());
  std::memcpy(arena_.data() + at + 1, key.data(), key.size());
  return static_cast<std::uint32_t>(key_in_arena + at);
}

template <typename Value>
bool FlatKeyTable<Value>::holds(const Slot& s, std::uint32_t tag, std::string_view key) const {
  if (s.tag != tag) return false;
  if (s.key < key_in_arena)
    return s.key == key.size() && (key.empty() || std::memcmp(s.key_bytes, key.data(), key.size()) == 0);
  const std::uint32_t* record = arena_.data() + (s.key - key_in_arena);
  return record[0] == key.size() && std::memcmp(record + 1, key.data(), key.size()) == 0;
}

template <typename Value>
const Value* FlatKeyTable<Value>::find(std::uint64_t hash, std::uint32_t tag, std::string_view key) const {
  const auto fragment = static_cast<std::uint32_t>(hash >> 32);
  for (std::size_t i = home(hash);; i = i + 1 == slots_.size() ? 0 : i + 1) {
    const Slot& s = slots_[i];
    if (s.key == empty) return nullptr;
    if (s.fragment == fragment && holds(s, tag, key)) return &s.value;
  }
}

}  // namespace sluice
