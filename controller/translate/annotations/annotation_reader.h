// Reads one Ingress's nginx.ingress.kubernetes.io/* annotations as typed
// values, the way ingress-nginx's parser package does (parser/main.go), and
// records an AnnotationIssue for every key that will not carry over. Group
// readers (redirects, access, limits, ...) take the keys they know; what is
// left at finish() is a snippet, an annotation sluice does not implement, or
// no annotation at all.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "controller/translate/annotations/annotation_issue.h"

namespace sluice::controller {

// controller-confined: lives for one Ingress's reading.
class AnnotationReader {
 public:
  explicit AnnotationReader(const std::map<std::string, std::string>& annotations);

  // The value of prefix+key, or nullopt when absent; the key counts as read.
  std::optional<std::string_view> take(std::string_view key);
  bool has(std::string_view key) const;

  // ingress-nginx's parseBool (strconv.ParseBool: 1, t, T, TRUE, true, True,
  // 0, f, F, FALSE, false, False). Anything else is an invalid issue with
  // `effect`, and nullopt.
  std::optional<bool> take_bool(std::string_view key, IssueEffect effect = IssueEffect::ignored);
  // A base-10 integer in [min, max] (parseInt, then the annotation's range).
  std::optional<std::int64_t> take_int(std::string_view key, std::int64_t min, std::int64_t max,
                                       IssueEffect effect = IssueEffect::ignored);
  // nginx's size syntax as ingress-nginx passes it to client_max_body_size
  // and friends: digits with an optional k/K, m/M or g/G suffix; in bytes.
  std::optional<std::uint64_t> take_size(std::string_view key, IssueEffect effect = IssueEffect::ignored);

  void invalid(std::string_view key, std::string message, IssueEffect effect = IssueEffect::ignored);
  void differs(std::string_view key, std::string message);
  void unsupported(std::string_view key, std::string message);

  const std::vector<AnnotationIssue>& issues() const { return issues_; }
  // Reports every prefixed key no group took, then hands over all issues.
  std::vector<AnnotationIssue> finish() &&;

 private:
  void add(std::string_view key, IssueKind kind, IssueEffect effect, std::string message);

  const std::map<std::string, std::string>& annotations_;
  std::set<std::string, std::less<>> taken_;
  std::vector<AnnotationIssue> issues_;
};

// nginx's size parser (ngx_parse_size) on its own, for ConfigMap keys too.
std::optional<std::uint64_t> parse_nginx_size(std::string_view text);
// strconv.ParseBool.
std::optional<bool> parse_go_bool(std::string_view text);

}  // namespace sluice::controller
