// Decoding an Ingress; see ingress.h.
#include "common/k8s/ingress.h"

namespace sluice::k8s {
namespace {

IngressBackend decode_backend(const Field& f) {
  IngressBackend b;
  if (f["resource"].present() && !f["service"].present()) {
    b.is_resource = true;
    return b;
  }
  Field service = f["service"];
  if (!service.present()) service.fail("required field is missing");
  b.service_name = service["name"].string();
  Field port = service["port"];
  if (!port.present()) port.fail("required field is missing");
  if (port["number"].present()) {
    b.service_port.number = static_cast<std::int32_t>(port["number"].integer(1, 65535));
  } else if (port["name"].present()) {
    b.service_port.name = port["name"].string();
  } else {
    port.fail("needs a number or a name");
  }
  return b;
}

IngressRule decode_rule(const Field& f) {
  IngressRule r;
  r.host = f["host"].string_or("");
  for (const Field& p : f["http"]["paths"].items()) {
    IngressPath path;
    path.path = p["path"].string_or("");
    path.path_type = p["pathType"].string_or("");
    path.backend = decode_backend(p["backend"]);
    r.paths.push_back(std::move(path));
  }
  return r;
}

}  // namespace

std::vector<LoadBalancerIngress> decode_load_balancer(const Field& status) {
  std::vector<LoadBalancerIngress> out;
  for (const Field& e : status["loadBalancer"]["ingress"].items()) {
    LoadBalancerIngress lb{e["ip"].string_or(""), e["hostname"].string_or("")};
    if (!lb.ip.empty() || !lb.hostname.empty()) out.push_back(std::move(lb));
  }
  return out;
}

Ingress decode_ingress(const Field& object) {
  Ingress ing;
  ing.meta = decode_meta(object["metadata"], true);
  Field spec = object["spec"];
  if (spec["ingressClassName"].present())
    ing.ingress_class_name = spec["ingressClassName"].string();
  if (spec["defaultBackend"].present()) ing.default_backend = decode_backend(spec["defaultBackend"]);
  for (const Field& r : spec["rules"].items()) ing.rules.push_back(decode_rule(r));
  for (const Field& t : spec["tls"].items()) {
    IngressTls tls;
    for (const Field& h : t["hosts"].items()) tls.hosts.push_back(h.string());
    tls.secret_name = t["secretName"].string_or("");
    ing.tls.push_back(std::move(tls));
  }
  ing.load_balancer = decode_load_balancer(object["status"]);
  return ing;
}

}  // namespace sluice::k8s
