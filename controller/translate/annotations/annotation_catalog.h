// Every annotation ingress-nginx v1.15.1 documents, with what sluice does
// with it. The reader uses it to tell a snippet or a not-yet-supported key
// from a typo; `sluice ctl lint` and docs/migrating-from-ingress-nginx.md
// print it.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace sluice::controller {

enum class Support : std::uint8_t {
  supported,  // read by a group reader and applied
  planned,    // an ingress-nginx annotation sluice ignores today
  refused,    // splices configuration text: never applied, by design
};
std::string_view support_name(Support support);

// any thread (static storage)
struct CatalogEntry {
  std::string_view key;    // without the prefix
  std::string_view group;  // the reader (and docs section) it belongs to
  Support support;
  std::string_view note;   // for planned and refused: what sluice does instead
};

std::span<const CatalogEntry> annotation_catalog();
// Null when `key` (without the prefix) is not an ingress-nginx annotation.
const CatalogEntry* find_in_catalog(std::string_view key);

}  // namespace sluice::controller
