// The first request field of a name the header classifier does not know
// (Authorization, Origin): a scan without case, read only by routes whose
// policy asks for that field.
#pragma once

#include <optional>
#include <string_view>

#include "common/strings.h"
#include "proxy/http/request_view.h"

namespace sluice {

// The value, or nullopt when the request has no such field.
inline std::optional<std::string_view> request_field(const RequestView& request, std::string_view name) {
  if (!request.headers) return std::nullopt;
  const HeaderList& h = *request.headers;
  for (std::size_t i = 0; i < h.size(); ++i)
    if (iequals(h.name(i), name)) return h.value(i);
  return std::nullopt;
}

}  // namespace sluice
