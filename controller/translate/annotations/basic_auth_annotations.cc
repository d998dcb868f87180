// auth-type: basic with auth-secret, auth-secret-type and auth-realm, as
// annotations/auth/main.go reads them, in its order: the first error it
// meets decides between "ignored", "location denied" (503) and "Ingress
// rejected" (a validation error). The Secret's htpasswd text becomes the
// policy's credential list; no file is written.
#include <re2/re2.h>

#include "common/strings.h"
#include "controller/translate/annotations/annotation_groups.h"
#include "controller/translate/annotations/go_text.h"

namespace sluice::controller {
namespace {

// parser.ValidateRegex(re, removeSpace=true): the value without spaces must
// match, and hold no CR or LF (MaliciousRegex).
bool validates(const RE2& re, std::string_view value, bool remove_space) {
  std::string s(value);
  if (remove_space) std::erase(s, ' ');
  return RE2::PartialMatch(s, re) && s.find_first_of("\r\n") == std::string::npos;
}

const RE2& auth_type_re() { static const RE2 re("basic|digest"); return re; }
const RE2& secret_type_re() { static const RE2 re("auth-file|auth-map"); return re; }
const RE2& basic_chars_re() { static const RE2 re(R"(^[/\-\.\_\~a-zA-Z0-9\/:]*$)"); return re; }
const RE2& chars_with_space_re() { static const RE2 re(R"(^[/\-\.\_\~a-zA-Z0-9\/: ]*$)"); return re; }

void deny(AnnotationReader& reader, std::string_view key, std::string message) {
  reader.invalid(key, std::move(message), IssueEffect::location_denied);
}

void reject(AnnotationReader& reader, std::string_view key, std::string_view value) {
  reader.invalid(key, quoted(value) + " fails ingress-nginx's validation",
                 IssueEffect::ingress_rejected);
}

}  // namespace

// nginx's reading of auth_basic_user_file: lines starting with '#' or CR
// are skipped; "user:hash", the hash ending at ':', CR or LF; the first line
// naming a user is the one checked.
std::vector<BasicCredential> parse_htpasswd(std::string_view text) {
  std::vector<BasicCredential> users;
  for (std::string_view line : split_go(text, '\n')) {
    if (line.empty() || line[0] == '#' || line[0] == '\r') continue;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view hash = line.substr(colon + 1);
    hash = hash.substr(0, hash.find_first_of(":\r"));
    const std::string_view user = line.substr(0, colon);
    bool seen = false;
    for (const BasicCredential& c : users) seen = seen || c.user == user;
    if (!seen) users.push_back({std::string(user), std::string(hash)});
  }
  return users;
}

namespace {

// auth/main.go's reading of auth-secret up to the Secret lookup: the
// validator, cache.SplitMetaNamespaceKey, the Ingress's namespace by default.
std::optional<std::pair<std::string, std::string>> secret_key(std::string_view value, const std::string& ingress_ns) {
  if (value.empty() || !validates(basic_chars_re(), value, true)) return std::nullopt;
  const std::string text = normalize_go_string(value);
  const auto parts = split_go(text, '/');
  if (parts.size() > 2) return std::nullopt;
  std::string ns = parts.size() == 2 ? std::string(parts[0]) : std::string();
  if (ns.empty()) ns = ingress_ns;
  return std::pair{ns, std::string(parts.back())};
}

}  // namespace

std::optional<std::string> auth_secret_reference(const k8s::Ingress& ingress) {
  const auto& a = ingress.meta.annotations;
  const auto type = a.find(std::string(nginx_annotation_prefix) + "auth-type");
  const auto secret = a.find(std::string(nginx_annotation_prefix) + "auth-secret");
  if (type == a.end() || secret == a.end()) return std::nullopt;
  const auto key = secret_key(secret->second, ingress.meta.ns);
  if (!key || key->first != ingress.meta.ns) return std::nullopt;  // cross-namespace: denied, never read
  return key->first + "/" + key->second;
}

void read_basic_auth(AnnotationReader& reader, const AnnotationContext& context, const k8s::Ingress& ingress,
                     IngressAnnotations& out) {
  const auto type = reader.take("auth-type");
  const auto secret_type = reader.take("auth-secret-type");
  const auto secret_name = reader.take("auth-secret");
  const auto realm = reader.take("auth-realm");
  if (!type) return;
  if (type->empty()) {
    reader.invalid("auth-type", "the value is empty; no authentication", IssueEffect::ignored);
    return;
  }
  if (!validates(auth_type_re(), *type, true)) return reject(reader, "auth-type", *type);

  std::string file_or_map = "auth-file";
  if (secret_type && !secret_type->empty()) {
    if (!validates(secret_type_re(), *secret_type, true)) return reject(reader, "auth-secret-type", *secret_type);
    file_or_map = normalize_go_string(*secret_type);
  }

  if (!secret_name || secret_name->empty() || !validates(basic_chars_re(), *secret_name, true))
    return deny(reader, "auth-secret", "error reading secret name from annotation");
  const auto key = secret_key(*secret_name, ingress.meta.ns);
  if (!key) return deny(reader, "auth-secret", quoted(*secret_name) + " is not namespace/name");
  const auto& [ns, name] = *key;
  if (ns != ingress.meta.ns)  // allow-cross-namespace-resources is false by default
    return deny(reader, "auth-secret", "cross namespace usage of secrets is not allowed");
  const auto secret = context.store.find<k8s::Secret>(ns, name);
  if (!secret) return deny(reader, "auth-secret", "secret " + ns + "/" + name + " not found");

  std::string realm_text;
  if (realm && !realm->empty()) {
    if (!validates(chars_with_space_re(), *realm, false)) return reject(reader, "auth-realm", *realm);
    realm_text = normalize_go_string(*realm);
  }

  std::string file;
  if (file_or_map == "auth-file") {
    const auto it = secret->data.find("auth");
    if (it == secret->data.end())
      return deny(reader, "auth-secret", "the secret " + name + " does not contain a key with value auth");
    file = it->second;
  } else if (file_or_map == "auth-map") {
    for (const auto& [user, hash] : secret->data) file += user + ":" + hash + "\n";
  } else {
    return deny(reader, "auth-secret-type", "must be 'auth-file' or 'auth-map'");
  }

  if (normalize_go_string(*type) != "basic") {
    // The template renders auth_digest for any other type; sluice has no
    // digest authentication, and serving the paths without any would open them.
    reader.invalid("auth-type",
                   "digest authentication is not implemented by sluice, and serving the paths without it "
                   "would open them",
                   IssueEffect::location_denied);
    return;
  }
  // nginx's auth_basic with the realm "off" is no authentication at all.
  if (realm_text == "off") return;
  BasicAuthPolicy auth;
  auth.challenge = "Basic realm=\"" + realm_text + "\"";
  auth.users = parse_htpasswd(file);
  out.policy.basic_auth = std::move(auth);
  // proxy_set_header Authorization "": the credentials stay at the proxy.
  out.policy.headers.request.push_back({HeaderEditOp::remove, "Authorization", ""});
}

}  // namespace sluice::controller
