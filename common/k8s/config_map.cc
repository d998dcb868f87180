// Decoding a ConfigMap; see config_map.h.
#include "common/k8s/config_map.h"

namespace sluice::k8s {

ConfigMap decode_config_map(const Field& object) {
  ConfigMap c;
  c.meta = decode_meta(object["metadata"], true);
  c.data = object["data"].string_map();
  return c;
}

}  // namespace sluice::k8s
