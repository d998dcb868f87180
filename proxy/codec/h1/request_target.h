// The forms of a request target a proxy serves (RFC 9112 3.2).
#pragma once

#include <cstdint>
#include <string_view>

namespace sluice {

// The request target's forms (RFC 9112 3.2): origin-form "/path", and
// absolute-form "http://authority/path", whose authority replaces Host for
// routing and upstream (3.2.2). Anything else, but "*" for OPTIONS, is 400.
// Returns the reason when the target is refused; `authority` is set for
// absolute-form only.
// any thread (pure). `method` is an llhttp_method_t.
const char* split_target(std::string_view& target, std::string_view& authority, std::uint8_t method);

}  // namespace sluice
