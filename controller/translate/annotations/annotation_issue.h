// What the annotation reader says about one nginx.ingress.kubernetes.io/*
// key that will not carry over exactly: the lint report, the Warning Event
// and the counter all read this one value.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::controller {

inline constexpr std::string_view nginx_annotation_prefix = "nginx.ingress.kubernetes.io/";

enum class IssueKind : std::uint8_t {
  unknown,      // not an ingress-nginx annotation at all (a typo, most often)
  snippet,      // splices configuration text: refused by design
  unsupported,  // an ingress-nginx annotation sluice does not implement (yet)
  invalid,      // a value ingress-nginx would not accept either
  differs,      // accepted, but sluice's behaviour is not ingress-nginx's
};
std::string_view issue_kind_name(IssueKind kind);

// What the issue does to the Ingress's routes, as ingress-nginx would.
enum class IssueEffect : std::uint8_t {
  ignored,           // the annotation is not applied; everything else is
  location_denied,   // every path of the Ingress answers 503 (nginx's "return 503")
  ingress_rejected,  // the Ingress is not served at all (ingress-nginx's validation error)
};
std::string_view issue_effect_name(IssueEffect effect);

// any thread (immutable)
struct AnnotationIssue {
  std::string key;  // without the prefix
  IssueKind kind = IssueKind::invalid;
  IssueEffect effect = IssueEffect::ignored;
  std::string message;  // what is wrong, and what sluice does instead

  auto operator<=>(const AnnotationIssue&) const = default;
};

// "annotation nginx.ingress.kubernetes.io/<key>: <message>", the text of the
// Warning and the log line.
std::string describe(const AnnotationIssue& issue);

}  // namespace sluice::controller
