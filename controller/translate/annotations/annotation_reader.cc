#include "controller/translate/annotations/annotation_reader.h"

#include <charconv>
#include <limits>

#include "controller/translate/annotations/annotation_catalog.h"

namespace sluice::controller {
namespace {

std::string quoted(std::string_view v) { return "\"" + std::string(v) + "\""; }

}  // namespace

std::optional<bool> parse_go_bool(std::string_view t) {
  if (t == "1" || t == "t" || t == "T" || t == "TRUE" || t == "true" || t == "True") return true;
  if (t == "0" || t == "f" || t == "F" || t == "FALSE" || t == "false" || t == "False") return false;
  return std::nullopt;
}

std::optional<std::uint64_t> parse_nginx_size(std::string_view t) {
  if (t.empty()) return std::nullopt;
  std::uint64_t scale = 1;
  switch (t.back()) {
    case 'k': case 'K': scale = 1024; break;
    case 'm': case 'M': scale = 1024 * 1024; break;
    case 'g': case 'G': scale = 1024ull * 1024 * 1024; break;
    default: break;
  }
  if (scale != 1) t.remove_suffix(1);
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size()) return std::nullopt;
  if (n > std::numeric_limits<std::uint64_t>::max() / scale) return std::nullopt;
  return n * scale;
}

AnnotationReader::AnnotationReader(const std::map<std::string, std::string>& annotations)
    : annotations_(annotations) {}

bool AnnotationReader::has(std::string_view key) const {
  return annotations_.contains(std::string(nginx_annotation_prefix).append(key));
}

std::optional<std::string_view> AnnotationReader::take(std::string_view key) {
  auto it = annotations_.find(std::string(nginx_annotation_prefix).append(key));
  if (it == annotations_.end()) return std::nullopt;
  taken_.insert(it->first);
  return std::string_view(it->second);
}

std::optional<bool> AnnotationReader::take_bool(std::string_view key, IssueEffect effect) {
  auto v = take(key);
  if (!v) return std::nullopt;
  auto b = parse_go_bool(*v);
  if (!b) invalid(key, quoted(*v) + " is not a boolean", effect);
  return b;
}

std::optional<std::int64_t> AnnotationReader::take_int(std::string_view key, std::int64_t min,
                                                       std::int64_t max, IssueEffect effect) {
  auto v = take(key);
  if (!v) return std::nullopt;
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (v->empty() || ec != std::errc() || end != v->data() + v->size()) {
    invalid(key, quoted(*v) + " is not an integer", effect);
    return std::nullopt;
  }
  if (n < min || n > max) {
    invalid(key, quoted(*v) + " is outside " + std::to_string(min) + ".." + std::to_string(max), effect);
    return std::nullopt;
  }
  return n;
}

std::optional<std::uint64_t> AnnotationReader::take_size(std::string_view key, IssueEffect effect) {
  auto v = take(key);
  if (!v) return std::nullopt;
  auto n = parse_nginx_size(*v);
  if (!n) invalid(key, quoted(*v) + " is not a size (digits with an optional k, m or g)", effect);
  return n;
}

void AnnotationReader::add(std::string_view key, IssueKind kind, IssueEffect effect, std::string message) {
  issues_.push_back({std::string(key), kind, effect, std::move(message)});
}

void AnnotationReader::invalid(std::string_view key, std::string message, IssueEffect effect) {
  std::string what = std::move(message);
  switch (effect) {
    case IssueEffect::ignored: what += "; ignored"; break;
    case IssueEffect::location_denied: what += "; the Ingress's paths answer 503"; break;
    case IssueEffect::ingress_rejected: what += "; the Ingress is not served"; break;
  }
  add(key, IssueKind::invalid, effect, std::move(what));
}

void AnnotationReader::differs(std::string_view key, std::string message) {
  add(key, IssueKind::differs, IssueEffect::ignored, std::move(message));
}

void AnnotationReader::unsupported(std::string_view key, std::string message) {
  add(key, IssueKind::unsupported, IssueEffect::ignored, std::move(message));
}

std::vector<AnnotationIssue> AnnotationReader::finish() && {
  for (const auto& [name, value] : annotations_) {
    if (!name.starts_with(nginx_annotation_prefix) || taken_.contains(name)) continue;
    std::string_view key = std::string_view(name).substr(nginx_annotation_prefix.size());
    const CatalogEntry* entry = find_in_catalog(key);
    if (!entry)
      add(key, IssueKind::unknown, IssueEffect::ignored, "not an ingress-nginx annotation; ignored");
    else if (entry->support == Support::supported)
      continue;  // its group read what it needed (an alias, or a key that depends on another)
    else if (entry->support == Support::refused)
      add(key, IssueKind::snippet, IssueEffect::ignored, std::string(entry->note));
    else
      add(key, IssueKind::unsupported, IssueEffect::ignored, std::string(entry->note));
  }
  return std::move(issues_);
}

}  // namespace sluice::controller
