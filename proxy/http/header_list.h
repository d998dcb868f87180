// A request's or response's header fields, whatever protocol carried them:
// spans over one storage, which is either borrowed (HTTP/1: the connection's
// read buffer, nothing copied) or the list's own (HTTP/2: HPACK-decoded
// fields; or a head that must outlive the buffer it was read into). Spans
// are offsets, so owned storage can grow without invalidating them.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/http/header_kind.h"

namespace sluice {

struct Span {
  std::uint32_t offset = 0;
  std::uint32_t length = 0;
  // The span of the bytes at `at` in the buffer that starts at `base`.
  static Span of(const char* base, const char* at, std::size_t length) {
    return {static_cast<std::uint32_t>(at - base), static_cast<std::uint32_t>(length)};
  }
  static Span of(const char* base, std::string_view s) { return of(base, s.data(), s.size()); }
  bool empty() const { return length == 0; }
  std::string_view in(const char* base) const { return {base + offset, length}; }
};

struct HeaderField {
  Span name;
  Span value;
  HeaderKind kind = HeaderKind::other;
};

// worker-confined; reused per exchange (clear() keeps capacities).
class HeaderList {
 public:
  // Views `fields` over `base`, which the caller keeps alive and unchanged.
  void borrow(std::span<const HeaderField> fields, const char* base) {
    borrowed_ = fields;
    base_ = base;
    owned_fields_.clear();
    storage_.clear();
  }
  // Copies borrowed fields into the list's own storage, so the buffer they
  // came from may be reused.
  void own();
  // Appends a field (owning the list first if it was borrowed).
  void add(std::string_view name, std::string_view value);
  void clear() { borrow({}, nullptr); }

  bool owns() const { return borrowed_.empty() && base_ == nullptr; }
  std::size_t size() const { return fields().size(); }
  std::string_view name(std::size_t i) const { return fields()[i].name.in(base()); }
  std::string_view value(std::size_t i) const { return fields()[i].value.in(base()); }
  HeaderKind kind(std::size_t i) const { return fields()[i].kind; }
  // The first field of that kind's value, or empty.
  std::string_view find(HeaderKind kind) const;

 private:
  std::span<const HeaderField> fields() const { return owns() ? std::span<const HeaderField>(owned_fields_) : borrowed_; }
  const char* base() const { return owns() ? storage_.data() : base_; }

  std::span<const HeaderField> borrowed_;
  const char* base_ = nullptr;
  std::vector<HeaderField> owned_fields_;
  std::string storage_;
};

}  // namespace sluice
