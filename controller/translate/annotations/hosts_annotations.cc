// Hosts: upstream-vhost (annotations/upstreamvhost) and server-alias
// (annotations/alias). Both validate with ValidateServerName, whose failure
// is a validation error: the Ingress is not served.
#include <algorithm>
#include <cctype>

#include "controller/translate/annotations/annotation_groups.h"
#include "controller/translate/annotations/annotation_text.h"

namespace sluice::controller {
namespace {

// sluice hosts are exact names or one-label wildcards ("*.example.com").
bool plain_host(std::string_view name) {
  if (name.starts_with("*.")) name.remove_prefix(2);
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
  });
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// `proxy_set_header Host "<value>"`: the value as nginx would send it.
void read_upstream_vhost(AnnotationReader& reader, IngressAnnotations& out) {
  auto text = reader.take("upstream-vhost");
  if (!text) return;
  if (!matches_server_name_chars(trim_space(*text))) {
    reader.invalid("upstream-vhost", "\"" + std::string(*text) + "\" is not a server name ingress-nginx accepts",
                   IssueEffect::ingress_rejected);
    return;
  }
  const std::string value = trim_lines(*text);
  if (value.empty()) {
    reader.invalid("upstream-vhost", "empty");
    return;
  }
  if (value.find_first_of("$\\") != std::string::npos) {
    reader.unsupported("upstream-vhost", "\"" + value + "\" holds '$' or '\\', which nginx would interpret; ignored");
    return;
  }
  out.policy.headers.request.push_back({HeaderEditOp::set, "Host", value});
}

// alias.Parse: comma-separated, trimmed, deduplicated, sorted.
void read_server_alias(AnnotationReader& reader, IngressAnnotations& out) {
  auto text = reader.take("server-alias");
  if (!text) return;
  std::vector<std::string> names;
  std::string_view rest = *text;
  bool valid = true;
  for (;;) {
    auto comma = rest.find(',');
    std::string_view name = trim_space(rest.substr(0, comma));
    valid = valid && matches_server_name_chars(name);
    if (!name.empty()) names.push_back(std::string(name));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (!valid) {
    reader.invalid("server-alias", "\"" + std::string(*text) + "\" holds a name ingress-nginx's validation refuses",
                   IssueEffect::ingress_rejected);
    return;
  }
  if (trim_lines(*text).empty()) {
    reader.invalid("server-alias", "empty");
    return;
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  for (const std::string& name : names) {
    if (plain_host(name)) {
      out.aliases.push_back(lowercase(name));
    } else {
      reader.unsupported("server-alias", "\"" + name + "\" is a regular expression server name; sluice serves "
                                         "exact and \"*.\" names only, this alias is ignored");
    }
  }
}

}  // namespace

void read_hosts_annotations(AnnotationReader& reader, const AnnotationContext&, IngressAnnotations& out) {
  read_upstream_vhost(reader, out);
  read_server_alias(reader, out);
}

}  // namespace sluice::controller
