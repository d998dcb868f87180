// Access: allowlist-source-range (alias whitelist-source-range) and
// denylist-source-range (ingress-nginx's ipallowlist and ipdenylist),
// satisfy, and basic authentication: auth-type, auth-secret, auth-secret-type and
// auth-realm (annotations/auth/main.go). Which errors deny the location
// (503) and which reject the Ingress follows those parsers line by line.
#include <string>

#include "common/strings.h"
#include "controller/translate/annotations/annotation_groups.h"
#include "controller/translate/annotations/go_text.h"

namespace sluice::controller {
namespace {

// ParseCIDRs after the alias choice of checkAnnotation: the main key unless
// it is absent or empty and the alias is not. Any entry that is neither an
// address nor a CIDR fails the validator, and ipallowlist turns that (and
// an empty value) into a denied location.
std::vector<IpRange> read_ranges(AnnotationReader& reader, std::string_view key, std::string_view alias) {
  std::optional<std::string_view> value = reader.take(key);
  if (!alias.empty()) {
    std::optional<std::string_view> alias_value = reader.take(alias);
    if ((!value || value->empty()) && alias_value && !alias_value->empty()) {
      value = alias_value;
      key = alias;
    }
  }
  if (!value) return {};
  if (trim_go_space(*value).empty()) {
    reader.invalid(key, "the value is empty", IssueEffect::location_denied);
    return {};
  }
  std::vector<IpRange> ranges;
  for (std::string_view entry : split_go(*value, ',')) {
    auto range = parse_ip_range(trim_go_space(entry));
    if (!range) {
      reader.invalid(key, quoted(*value) + " does not contain a valid IP address or network (" +
                              quoted(trim_go_space(entry)) + ")", IssueEffect::location_denied);
      return {};
    }
    ranges.push_back(*range);
  }
  return ranges;
}

void read_source_ranges(AnnotationReader& reader, IngressAnnotations& out) {
  out.policy.source_ranges.allow = read_ranges(reader, "allowlist-source-range", "whitelist-source-range");
  out.policy.source_ranges.deny = read_ranges(reader, "denylist-source-range", {});
}

// satisfy/main.go: the trimmed value, exactly "any" or "all"; anything else
// (its validator takes "ANY", its parser then does not) is "all".
void read_satisfy(AnnotationReader& reader, IngressAnnotations& out) {
  const auto value = reader.take("satisfy");
  if (!value) return;
  const std::string text = normalize_go_string(*value);
  out.policy.satisfy_any = text == "any";
  if (text != "any" && text != "all") reader.invalid("satisfy", quoted(*value) + " is neither \"any\" nor \"all\"");
}

}  // namespace

void read_access_annotations(AnnotationReader& reader, const AnnotationContext& context,
                             const k8s::Ingress& ingress, IngressAnnotations& out) {
  read_source_ranges(reader, out);
  read_basic_auth(reader, context, ingress, out);
  read_satisfy(reader, out);
}

}  // namespace sluice::controller
