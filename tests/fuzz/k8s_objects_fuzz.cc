// The JSON decoders of every Kubernetes kind in common/k8s, as the informers
// use them: a document (or each item of a LIST body) decoded as the kind the
// byte 0 picks, or by its own apiVersion/kind. Decoding never throws, says
// why it failed, and decodes the same object the same way twice.
// Input: byte 0 picks the kind, the rest is the JSON text.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/k8s/base64.h"
#include "common/k8s/json_value.h"
#include "common/k8s/object.h"

using namespace sluice;

namespace {

struct TypeMeta {
  const char* api_version;
  const char* kind;
};

// In k8s::Kind's order.
constexpr TypeMeta kinds[] = {{"networking.k8s.io/v1", "Ingress"},
                              {"networking.k8s.io/v1", "IngressClass"},
                              {"v1", "Service"},
                              {"discovery.k8s.io/v1", "EndpointSlice"},
                              {"v1", "Secret"}};
constexpr std::size_t kind_count = sizeof kinds / sizeof kinds[0];

[[noreturn]] void fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "fuzz: %s\ninput: %.*s\n", what, static_cast<int>(input.size()), input.data());
  std::abort();
}

// `pick` is the kind asked for, or kind_count when the value names its own;
// a value that names its own kind is decoded as that (with_type_meta only
// fills in what is absent) and the informer refuses it.
void check(const k8s::DecodeResult& r, std::size_t pick, std::string_view input) {
  if (!r.object) {
    if (r.error.empty()) fail("a failed decode says nothing", input);
    return;
  }
  if (r.unknown_kind) fail("an object of an unknown kind", input);
  if (pick < kind_count && k8s::kind_of(*r.object) != static_cast<k8s::Kind>(pick))
    fail("decoded as another kind than asked", input);
  if (r.ref && *r.ref != k8s::ref_of(*r.object)) fail("the readable ref is not the object's", input);
  if (!k8s::same_content(*r.object, *r.object)) fail("an object differs from itself", input);
}

void decode(const std::shared_ptr<const k8s::Value>& value, std::size_t pick, std::string_view input) {
  auto typed = pick < kind_count ? k8s::with_type_meta(value, kinds[pick].api_version, kinds[pick].kind) : value;
  const k8s::DecodeResult first = k8s::decode_object(typed);
  const bool own_kind = value->member("kind")->kind() != k8s::Value::type::missing ||
                        value->member("apiVersion")->kind() != k8s::Value::type::missing;
  check(first, own_kind ? kind_count : pick, input);
  const k8s::DecodeResult again = k8s::decode_object(typed);
  if (first.object.has_value() != again.object.has_value() || first.error != again.error ||
      (first.object && !k8s::same_content(*first.object, *again.object)))
    fail("the same value decodes differently twice", input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t pick = data[0] % (kind_count + 2);
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (pick == kind_count + 1) {  // the scalar readers the decoders use
    (void)k8s::base64_decode(text);
    (void)k8s::parse_rfc3339(text);
    return 0;
  }
  std::string error;
  auto root = k8s::parse_json(text, error);
  if (!root) {
    if (error.empty()) fail("a JSON syntax error says nothing", text);
    return 0;
  }
  decode(root, pick, text);
  for (const auto& item : root->member("items")->elements()) decode(item, pick, text);
  return 0;
}
