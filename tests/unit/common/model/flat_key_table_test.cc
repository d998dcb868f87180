// FlatKeyTable: found by the exact (tag, key), whatever the hashes do.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "common/model/flat_key_table.h"

using namespace sluice;

namespace {

using Table = FlatKeyTable<std::uint32_t>;

// Keys of every interesting size: empty, one byte, exactly inline, one past
// inline (kept in the arena), and long.
std::vector<std::string> keys_of_every_size() {
  const std::size_t inline_bytes = Table::inline_key_bytes;
  return {"", "a", "b", std::string(inline_bytes, 'k'), std::string(inline_bytes, 'l'),
          std::string(inline_bytes + 1, 'k'), std::string(inline_bytes + 1, 'l'), std::string(300, 'k')};
}

Table table_with_hash(const std::vector<std::string>& keys, std::uint64_t hash, std::uint32_t tag) {
  std::vector<Table::Entry> entries;
  for (std::uint32_t i = 0; i < keys.size(); ++i) entries.push_back({hash, tag, keys[i], i});
  return Table(entries);
}

}  // namespace

TEST_CASE("keys that all share one hash are each found with their own value", "[router]") {
  const auto keys = keys_of_every_size();
  // 0xffffffff in the low half starts the probe at the last slot, so it wraps.
  for (std::uint64_t hash : {std::uint64_t{42}, std::uint64_t{0xabcdef01ffffffff}}) {
    const Table t = table_with_hash(keys, hash, 7);
    REQUIRE(t.size() == keys.size());
    for (std::uint32_t i = 0; i < keys.size(); ++i) {
      const std::uint32_t* v = t.find(hash, 7, keys[i]);
      REQUIRE(v != nullptr);
      CHECK(*v == i);
    }
    CHECK(t.find(hash, 7, "c") == nullptr);
    CHECK(t.find(hash, 7, std::string(Table::inline_key_bytes + 1, 'm')) == nullptr);
    CHECK(t.find(hash, 7, std::string(299, 'k')) == nullptr);
    CHECK(t.find(hash, 8, "a") == nullptr);  // same key and hash, other tag
  }
}

TEST_CASE("the same key under two tags holds two values", "[router]") {
  std::vector<Table::Entry> entries{{5, 0, "example.com", 10}, {5, 1, "example.com", 11}};
  const Table t(entries);
  CHECK(*t.find(5, 0, "example.com") == 10);
  CHECK(*t.find(5, 1, "example.com") == 11);
  CHECK(t.find(5, 2, "example.com") == nullptr);
}

TEST_CASE("a lookup with another hash than the one stored misses", "[router]") {
  // The caller must hash the same way at build and lookup; a different hash
  // (here one that differs only in the high half, the slot's fragment) never
  // finds the key, and never finds another key by accident.
  const Table t = table_with_hash({"a", "b"}, 0x100000003, 0);
  CHECK(t.find(0x100000003, 0, "a") != nullptr);
  CHECK(t.find(0x200000003, 0, "a") == nullptr);
}

TEST_CASE("an empty table finds nothing", "[router]") {
  const Table t;
  CHECK(t.size() == 0);
  CHECK(t.find(0, 0, "") == nullptr);
  CHECK(t.find(0xffffffffffffffff, 0, "x") == nullptr);
}

TEST_CASE("a table of many keys with real hashes finds each and nothing else", "[router]") {
  std::vector<std::string> keys;
  for (int i = 0; i < 5000; ++i) keys.push_back("host-" + std::to_string(i) + (i % 3 ? ".example.com" : ".a-much-longer-domain-name.example.com"));
  std::vector<Table::Entry> entries;
  auto hash = [](std::string_view k) { return std::hash<std::string_view>{}(k) * 0x9e3779b97f4a7c15ull; };
  for (std::uint32_t i = 0; i < keys.size(); ++i) entries.push_back({hash(keys[i]), 0, keys[i], i});
  const Table t(entries);
  for (std::uint32_t i = 0; i < keys.size(); ++i) {
    const std::uint32_t* v = t.find(hash(keys[i]), 0, keys[i]);
    REQUIRE(v != nullptr);
    CHECK(*v == i);
  }
  CHECK(t.find(hash("host-5000.example.com"), 0, "host-5000.example.com") == nullptr);
}
