// The lint document (see annotation_findings.h).
#include "common/model/annotation_findings.h"

#include <algorithm>

#include "common/json_writer.h"

namespace sluice {

bool breaks_migration(std::string_view kind) {
  return kind == "snippet" || kind == "unsupported" || kind == "differs";
}

std::string annotation_findings_json(const std::vector<AnnotationFinding>& findings, std::size_t ingresses) {
  JsonWriter j;
  j.begin_object().key("findings").begin_array();
  for (const AnnotationFinding& f : findings)
    j.begin_object()
        .field("namespace", f.ns)
        .field("ingress", f.ingress)
        .field("annotation", f.annotation)
        .field("kind", f.kind)
        .field("effect", f.effect)
        .field("message", f.message)
        .end_object();
  j.end_array();
  j.field("ingresses", std::uint64_t{ingresses});
  const bool carries_over = std::none_of(findings.begin(), findings.end(),
                                         [](const AnnotationFinding& f) { return breaks_migration(f.kind); });
  j.field("carriesOver", carries_over);
  j.end_object();
  return std::move(j).take();
}

}  // namespace sluice
