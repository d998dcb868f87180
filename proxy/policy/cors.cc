// CORS; see cors.h.
#include "proxy/policy/cors.h"

#include "common/strings.h"
#include "proxy/policy/request_field.h"

namespace sluice {
namespace {

bool ends_with_nocase(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

bool label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

}  // namespace

// buildOriginRegex: the entry quoted, its "*" as [A-Za-z0-9\-]+, matched
// without case and anchored only at the end. The prefix ends in "://", so
// the wildcard's label is exactly the run of label characters before the
// suffix.
bool cors_origin_matches(const CorsOrigin& entry, std::string_view origin) {
  if (!entry.wildcard) return ends_with_nocase(origin, entry.prefix);
  if (!ends_with_nocase(origin, entry.suffix)) return false;
  origin.remove_suffix(entry.suffix.size());
  std::size_t label = 0;
  while (label < origin.size() && label_char(origin[origin.size() - 1 - label])) ++label;
  if (label == 0) return false;
  origin.remove_suffix(label);
  return ends_with_nocase(origin, entry.prefix);
}

std::string_view cors_allow_origin(const CorsPolicy& cors, const RequestView& request) {
  if (cors.any_origin) return "*";
  const std::optional<std::string_view> origin = request_field(request, "Origin");
  if (!origin || origin->empty()) return {};
  for (const CorsOrigin& entry : cors.origins)
    if (cors_origin_matches(entry, *origin)) return *origin;
  return {};
}

Verdict cors_preflight(const RequestView& request, std::string_view allow_origin) {
  if (request.method != Method::options || allow_origin.empty()) return Verdict::proceed(Phase::rewrite);
  return Verdict::respond(Phase::rewrite, ProxyError::cors_preflight);
}

}  // namespace sluice
