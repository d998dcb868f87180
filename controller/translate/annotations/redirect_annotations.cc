// Redirects: ssl-redirect, force-ssl-redirect and preserve-trailing-slash (ingress-nginx's
// sslredirect handling in annotations/rewrite and the Lua force_ssl_redirect), and
// annotations/redirect/redirect.go: temporal-redirect, permanent-redirect, their codes and
// from-to-www-redirect.
#include <cctype>

#include "controller/translate/annotations/annotation_groups.h"
#include "controller/translate/annotations/annotation_text.h"

namespace sluice::controller {
namespace {

// isValidURL: url.Parse's scheme (lowercased, as Go does) must start with "http".
bool has_http_scheme(std::string_view url) {
  auto colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0 || !std::isalpha(static_cast<unsigned char>(url[0])))
    return false;
  std::string scheme;
  for (char c : url.substr(0, colon)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return false;
    scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return scheme.starts_with("http");
}

// GetIntAnnotation after ValidateInt: a value Atoi refuses fails validation,
// which rejects the Ingress; a missing one reads 0. Out of [min, max] the
// default applies, silently in ingress-nginx, with an issue here.
std::optional<std::uint16_t> redirect_code(AnnotationReader& reader, std::string_view key, int min, int max,
                                           std::uint16_t fallback) {
  auto text = reader.take(key);
  if (!text) return fallback;
  auto n = parse_go_atoi(*text);
  if (!n) {
    reader.invalid(key, "\"" + std::string(*text) + "\" is not an integer", IssueEffect::ingress_rejected);
    return std::nullopt;
  }
  if (*n < min || *n > max) {
    reader.invalid(key, std::to_string(*n) + " is outside " + std::to_string(min) + ".." + std::to_string(max) +
                            ": the code falls back to " + std::to_string(fallback) + ", as in ingress-nginx");
    return fallback;
  }
  return static_cast<std::uint16_t>(*n);
}

// GetStringAnnotation with URLIsValidRegex: a value outside the character
// set rejects the Ingress; an empty one is invalid content, which drops the
// whole redirect configuration (from-to-www-redirect included).
enum class UrlRead { absent, bad, ok };
UrlRead redirect_url(AnnotationReader& reader, std::string_view key, std::string& out) {
  auto text = reader.take(key);
  if (!text) return UrlRead::absent;
  if (!text->empty() && !matches_url_chars(*text)) {
    reader.invalid(key, "\"" + std::string(*text) + "\" holds characters ingress-nginx's URL validation refuses",
                   IssueEffect::ingress_rejected);
    return UrlRead::bad;
  }
  out = trim_lines(*text);
  if (out.empty()) {
    reader.invalid(key, "empty; no redirect annotation of this Ingress is applied, as in ingress-nginx");
    return UrlRead::bad;
  }
  return UrlRead::ok;
}

// redirect.Parse: temporal-redirect first (its code 300..307, else 302; an
// URL without an http(s) scheme drops the whole configuration), then
// permanent-redirect (code 300..308, else 301; any URL).
void read_url_redirects(AnnotationReader& reader, IngressAnnotations& out, bool from_to_www) {
  std::string url;
  switch (redirect_url(reader, "temporal-redirect", url)) {
    case UrlRead::bad: return;
    case UrlRead::ok: {
      auto code = redirect_code(reader, "temporal-redirect-code", 300, 307, 302);
      reader.take("permanent-redirect");  // not read when temporal-redirect is set
      reader.take("permanent-redirect-code");
      if (!code) return;
      if (!has_http_scheme(url)) {
        reader.invalid("temporal-redirect", "\"" + url + "\": only http and https URLs are valid; "
                                            "no redirect annotation of this Ingress is applied");
        return;
      }
      out.policy.redirect = ReturnRedirect{*code, url};
      out.from_to_www = from_to_www;
      return;
    }
    case UrlRead::absent: break;
  }
  reader.take("temporal-redirect-code");  // ignored without temporal-redirect, as in ingress-nginx
  const UrlRead permanent = redirect_url(reader, "permanent-redirect", url);
  if (permanent == UrlRead::bad) return;
  auto code = redirect_code(reader, "permanent-redirect-code", 300, 308, 301);
  if (!code) return;
  if (permanent == UrlRead::ok) out.policy.redirect = ReturnRedirect{*code, url};
  out.from_to_www = from_to_www;
}

}  // namespace

void read_redirect_annotations(AnnotationReader& reader, const AnnotationContext& context, IngressAnnotations& out) {
  out.ssl_redirect = reader.take_bool("ssl-redirect");
  out.force_ssl_redirect = reader.take_bool("force-ssl-redirect").value_or(false);
  out.policy.preserve_trailing_slash = reader.take_bool("preserve-trailing-slash").value_or(false);
  // ValidateBool: a non-empty value that is not a boolean rejects the Ingress;
  // an empty one is invalid content, which drops the redirect configuration.
  bool from_to_www = false;
  if (auto text = reader.take("from-to-www-redirect")) {
    auto b = parse_go_bool(*text);
    if (!b) {
      reader.invalid("from-to-www-redirect", "\"" + std::string(*text) + "\" is not a boolean",
                     text->empty() ? IssueEffect::ignored : IssueEffect::ingress_rejected);
      for (auto key : {"temporal-redirect", "temporal-redirect-code", "permanent-redirect", "permanent-redirect-code"})
        reader.take(key);  // the redirect configuration is dropped as a whole
      return;
    }
    from_to_www = *b;
  }
  // relative-redirects (absolute_redirect off) is read by the same parser:
  // a value that is not a boolean rejects the Ingress there too.
  if (auto text = reader.take("relative-redirects")) {
    auto b = parse_go_bool(*text);
    if (!b && !text->empty()) {
      reader.invalid("relative-redirects", "\"" + std::string(*text) + "\" is not a boolean",
                     IssueEffect::ingress_rejected);
      return;
    }
    if (b.value_or(false))
      reader.unsupported("relative-redirects", "not supported yet: redirects keep an absolute Location; ignored");
  }
  read_url_redirects(reader, out, from_to_www);
  out.www_redirect_code = static_cast<std::uint16_t>(context.defaults.http_redirect_code);
}

}  // namespace sluice::controller
