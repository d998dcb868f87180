// CORS: enable-cors and the cors-* keys, with the defaults and validation
// of annotations/cors/main.go. Nothing there denies a location: an invalid
// value is reported and its default used. The Access-Control-* fields are
// built here once, as nginx.tmpl's CORS block spells them.
#include <re2/re2.h>

#include "common/strings.h"
#include "controller/translate/annotations/annotation_groups.h"
#include "controller/translate/annotations/go_text.h"

namespace sluice::controller {
namespace {

constexpr std::string_view default_methods = "GET, PUT, POST, DELETE, PATCH, OPTIONS";
constexpr std::string_view default_headers =
    "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization";
constexpr std::int64_t default_max_age = 1728000;

const RE2& origin_validator() {
  static const RE2 re(R"(^((((([a-z]+://)?(\*\.)?[A-Za-z0-9\-.]*(:\d+)?,?)|null)+)|\*)?$)");
  return re;
}
const RE2& origin_entry() { static const RE2 re(R"(^([a-z]+://(\*\.)?[A-Za-z0-9\-.]*(:\d+)?|\*|null)?$)"); return re; }
const RE2& methods_re() { static const RE2 re(R"(^([A-Za-z]+,?\s?)+$)"); return re; }
const RE2& headers_re() { static const RE2 re(R"(^[A-Za-z0-9-_, ]*$)"); return re; }
const RE2& expose_re() { static const RE2 re(R"(^(([A-Za-z0-9\-\_]+|\*),?\s?)+$)"); return re; }

// ValidateRegex(re, true): spaces removed, no CR or LF.
bool validates(const RE2& re, std::string_view value) {
  std::string s(value);
  std::erase(s, ' ');
  return RE2::PartialMatch(s, re) && s.find_first_of("\r\n") == std::string::npos;
}

// GetStringAnnotation, then the parser's own check of the normalized
// value; anything else is the default, reported unless the key is absent.
std::string read_list(AnnotationReader& reader, std::string_view key, const RE2& re, std::string_view fallback) {
  const auto value = reader.take(key);
  if (!value) return std::string(fallback);
  const std::string normalized = normalize_go_string(*value);
  if (value->empty() || normalized.empty() || !validates(re, *value) || !RE2::PartialMatch(normalized, re)) {
    reader.invalid(key, quoted(*value) + " is not valid; using " + quoted(fallback));
    return std::string(fallback);
  }
  return normalized;
}

CorsOrigin origin_of(std::string_view entry) {
  CorsOrigin o;
  const auto star = entry.find('*');
  if (star == std::string_view::npos) {
    o.prefix = entry;
    return o;
  }
  o.prefix = entry.substr(0, star);
  o.wildcard = true;
  o.suffix = entry.substr(star + 1);
  return o;
}

// cors-allow-origin: absent or invalid is "*"; entries are trimmed, a "*"
// entry makes it "*", an entry the stricter per-entry pattern refuses is
// skipped (so a list of only such entries allows no origin at all).
void read_origins(AnnotationReader& reader, CorsPolicy& cors) {
  const auto value = reader.take("cors-allow-origin");
  if (!value) return;
  if (value->empty() || !validates(origin_validator(), *value)) {
    reader.invalid("cors-allow-origin", quoted(*value) + " is not valid; allowing any origin (\"*\")");
    return;
  }
  cors.any_origin = false;
  const std::string normalized = normalize_go_string(*value);  // the entries view it
  for (std::string_view raw : split_go(normalized, ',')) {
    const std::string_view entry = trim_go_space(raw);
    if (entry.empty()) continue;
    if (entry == "*") {
      cors.any_origin = true;
      cors.origins.clear();
      return;
    }
    if (!RE2::FullMatch(entry, origin_entry())) {
      reader.invalid("cors-allow-origin", "skipping the origin " + quoted(entry) + ": not scheme://host[:port]");
      continue;
    }
    cors.origins.push_back(origin_of(entry));
  }
}

}  // namespace

void read_cors_annotations(AnnotationReader& reader, const AnnotationContext&, IngressAnnotations& out) {
  const bool enabled = reader.take_bool("enable-cors").value_or(false);
  CorsPolicy cors;
  read_origins(reader, cors);
  const std::string methods = read_list(reader, "cors-allow-methods", methods_re(), default_methods);
  const std::string headers = read_list(reader, "cors-allow-headers", headers_re(), default_headers);
  const bool credentials = reader.take_bool("cors-allow-credentials").value_or(true);
  std::string expose;
  if (reader.has("cors-expose-headers")) expose = read_list(reader, "cors-expose-headers", expose_re(), "");
  const std::int64_t max_age =
      reader.take_int("cors-max-age", INT64_MIN, INT64_MAX).value_or(default_max_age);
  if (!enabled) return;

  if (credentials) cors.fields.push_back({HeaderEditOp::set, "Access-Control-Allow-Credentials", "true"});
  cors.fields.push_back({HeaderEditOp::set, "Access-Control-Allow-Methods", methods});
  cors.fields.push_back({HeaderEditOp::set, "Access-Control-Allow-Headers", headers});
  if (!expose.empty()) cors.fields.push_back({HeaderEditOp::set, "Access-Control-Expose-Headers", expose});
  cors.fields.push_back({HeaderEditOp::set, "Access-Control-Max-Age", std::to_string(max_age)});
  out.policy.cors = std::move(cors);
}

}  // namespace sluice::controller
