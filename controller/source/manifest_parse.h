// Turns the text of one manifest file into decoded objects: multi-document
// YAML, JSON, and `kind: List` (or FooList) with items.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/k8s/object.h"

namespace sluice::controller {

// any thread (immutable)
struct ParsedManifest {
  bool ok = false;    // false: the text is not YAML/JSON at all
  std::string error;  // set when !ok
  // One entry per object found, in file order; failed ones carry error.
  std::vector<k8s::DecodeResult> objects;
};

ParsedManifest parse_manifest(std::string_view text);

}  // namespace sluice::controller
