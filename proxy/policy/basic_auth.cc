// Basic authentication; see basic_auth.h.
#include "proxy/policy/basic_auth.h"

#include "common/strings.h"
#include "proxy/policy/password_hash.h"
#include "proxy/policy/request_field.h"

namespace sluice {
namespace {

// Longer credentials are refused rather than decoded into a larger buffer:
// nothing legitimate comes near it.
constexpr std::size_t max_credentials_bytes = 4096;

Verdict unauthorized() { return Verdict::respond(Phase::access, ProxyError::unauthorized); }

const BasicCredential* find_user(const BasicAuthPolicy& auth, std::string_view user) {
  for (const BasicCredential& c : auth.users)
    if (c.user == user) return &c;
  return nullptr;
}

}  // namespace

Verdict check_basic_auth(const BasicAuthPolicy& auth, const RequestView& request) {
  std::optional<std::string_view> value = request_field(request, "Authorization");
  constexpr std::string_view scheme = "Basic ";
  if (!value || value->size() < scheme.size() || !iequals(value->substr(0, scheme.size()), scheme))
    return unauthorized();
  std::string_view encoded = value->substr(scheme.size());
  while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
  if (encoded.empty() || encoded.size() > max_credentials_bytes) return unauthorized();

  unsigned char decoded[max_credentials_bytes * 3 / 4 + 4];
  const long n = nginx_base64_decode(encoded, decoded);
  if (n < 0) return unauthorized();
  const std::string_view credentials(reinterpret_cast<const char*>(decoded), static_cast<std::size_t>(n));
  const std::size_t colon = credentials.find(':');
  if (colon == 0 || colon == std::string_view::npos) return unauthorized();

  const BasicCredential* user = find_user(auth, credentials.substr(0, colon));
  if (!user || !verify_password(user->hash, credentials.substr(colon + 1))) return unauthorized();
  return Verdict::proceed(Phase::access);
}

}  // namespace sluice
