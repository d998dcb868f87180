// The simdjson implementation of k8s::Value: API server responses (LIST
// bodies, watch events) decode through the same decoders as manifest files.
// Uses simdjson's DOM API, which picks its SIMD kernel at run time.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/k8s/value.h"

namespace sluice::k8s {

// Parses one JSON document. On a syntax error returns nullptr and sets
// `error` to one line. The returned Value (and every Value reached from it)
// shares ownership of the parsed document.
std::shared_ptr<const Value> parse_json(std::string_view text, std::string& error);

// A view of `value` that answers `apiVersion` and `kind` with the given
// strings when `value` has none (items of a LIST response carry neither).
std::shared_ptr<const Value> with_type_meta(std::shared_ptr<const Value> value,
                                            std::string api_version, std::string kind);

// `text` as a JSON string literal, quotes included (for request bodies).
std::string json_quote(std::string_view text);

}  // namespace sluice::k8s
