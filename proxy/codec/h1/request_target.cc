// split_target: origin-form, absolute-form and asterisk-form targets.
#include "proxy/codec/h1/request_target.h"

#include <llhttp.h>

#include "common/strings.h"

namespace sluice {

const char* split_target(std::string_view& target, std::string_view& authority, std::uint8_t method) {
  if (!target.empty() && target.front() == '/') return nullptr;
  if (target == "*") return method == HTTP_OPTIONS ? nullptr : "asterisk-form target not with OPTIONS";
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (target.size() < scheme.size() || !iequals(target.substr(0, scheme.size()), scheme)) continue;
    std::string_view rest = target.substr(scheme.size());
    const auto path = rest.find_first_of("/?#");
    authority = rest.substr(0, path);
    if (authority.empty()) return "absolute-form target without a host";
    if (authority.find('@') != std::string_view::npos) return "userinfo in the request target";
    if (path == std::string_view::npos) target = "/";
    else if (rest[path] == '/') target = rest.substr(path);
    else return "absolute-form target without a path";  // "?q" cannot be sent origin-form as is
    return nullptr;
  }
  return "request target is neither origin-form nor absolute-form";
}

}  // namespace sluice
