// Annotation reading (controller/translate/annotations) from arbitrary
// keys and values: one "key=value" per line, the prefix added to keys that
// lack one. It never throws, every issue names a key the Ingress has, and a
// policy is denied exactly when an issue says so.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "controller/translate/annotations/annotation_text.h"
#include "controller/translate/annotations/ingress_annotations.h"
#include "controller/translate/annotations/limit_values.h"
#include "controller/translate/annotations/lint.h"

using namespace sluice::controller;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz: %s\n", what);
  std::abort();
}

sluice::k8s::Ingress ingress_from(std::string_view text) {
  sluice::k8s::Ingress ing;
  ing.meta.ns = "default";
  ing.meta.name = "fuzz";
  while (!text.empty()) {
    auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key(line.substr(0, eq));
    if (!key.starts_with(nginx_annotation_prefix)) key.insert(0, nginx_annotation_prefix);
    ing.meta.annotations[key] = std::string(line.substr(eq + 1));
  }
  return ing;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto ing = ingress_from({reinterpret_cast<const char*>(data), size});
  ObjectStore store;
  TranslatorOptions options;
  ControllerDefaults defaults;
  const IngressAnnotations a = read_annotations(ing, {store, options, defaults});
  bool any_denied = false;
  for (const AnnotationIssue& issue : a.issues) {
    if (!ing.meta.annotations.contains(std::string(nginx_annotation_prefix) + issue.key))
      fail("an issue names a key the Ingress does not have");
    if (issue.message.empty()) fail("an issue without a message");
    any_denied = any_denied || issue.effect == IssueEffect::location_denied;
  }
  if (a.policy.denied != any_denied) fail("denied does not follow the issues");
  for (const auto& [key, value] : ing.meta.annotations) {
    (void)parse_go_atoi(value);
    (void)parse_go_int(value);
    (void)parse_next_upstream(value);
    (void)parse_cidr_list(value);
    (void)trim_lines(value);
  }
  std::vector<sluice::AnnotationFinding> findings;
  append_findings(ing, a.issues, findings);
  if (findings.size() != a.issues.size()) fail("a finding per issue");
  const std::string doc = sluice::annotation_findings_json(findings, 1);
  if (doc.empty() || doc.front() != '{' || doc.back() != '}') fail("the findings are not one JSON object");
  return 0;
}
