// Manifest text to decoded objects; see manifest_parse.h.
#include "controller/source/manifest_parse.h"

#include <exception>

#include <yaml-cpp/yaml.h>

#include "controller/source/yaml_value.h"

namespace sluice::controller {
namespace {

bool is_list(const YAML::Node& doc) {
  if (!doc.IsMap() || !doc["items"] || !doc["kind"] || !doc["kind"].IsScalar()) return false;
  const std::string& kind = doc["kind"].Scalar();
  return kind.size() >= 4 && kind.compare(kind.size() - 4, 4, "List") == 0;
}

void decode_document(const YAML::Node& doc, ParsedManifest& out) {
  if (doc.IsNull()) return;  // an empty document between two "---"
  if (is_list(doc)) {
    const YAML::Node items = doc["items"];
    if (!items.IsSequence() && !items.IsNull()) {
      out.objects.push_back({.error = "items: expected a list"});
      return;
    }
    for (const auto& item : items) decode_document(item, out);
    return;
  }
  out.objects.push_back(k8s::decode_object(make_yaml_value(doc)));
}

}  // namespace

ParsedManifest parse_manifest(std::string_view text) {
  ParsedManifest out;
  try {
    std::vector<YAML::Node> docs = YAML::LoadAll(std::string(text));
    for (const auto& doc : docs) decode_document(doc, out);
    out.ok = true;
  } catch (const std::exception& e) {  // YAML::ParserException and friends
    out.ok = false;
    out.error = e.what();
    out.objects.clear();
  }
  return out;
}

}  // namespace sluice::controller
