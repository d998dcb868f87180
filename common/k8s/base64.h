// Standard base64 decoding, for Secret data.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::k8s {

// Decodes RFC 4648 base64 (padding optional, whitespace and newlines
// ignored). nullopt on any other character.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace sluice::k8s
