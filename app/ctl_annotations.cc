// `sluice ctl annotations`: every ingress-nginx annotation and what sluice
// does with it, from the catalog the annotation reader uses, so the table in
// docs/migrating-from-ingress-nginx.md is this output and cannot drift.
#include <cstdio>
#include <string>
#include <string_view>

#include "app/commands.h"
#include "app/ctl_support.h"
#include "common/json_writer.h"
#include "controller/translate/annotations/annotation_catalog.h"
#include "controller/translate/annotations/annotation_issue.h"

namespace sluice::app {
namespace {

using controller::CatalogEntry;

std::string what_sluice_does(const CatalogEntry& e) {
  return e.support == controller::Support::supported && e.note.empty() ? "as ingress-nginx" : std::string(e.note);
}

// '|' would end a markdown cell.
std::string cell(std::string_view text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string markdown() {
  std::string out = "| annotation | group | sluice | what sluice does |\n|---|---|---|---|\n";
  for (const CatalogEntry& e : controller::annotation_catalog())
    out += "| `" + std::string(e.key) + "` | " + std::string(e.group) + " | " +
           std::string(controller::support_name(e.support)) + " | " + cell(what_sluice_does(e)) + " |\n";
  return out;
}

std::string table() {
  Table t({"ANNOTATION", "GROUP", "SLUICE", "WHAT SLUICE DOES"});
  for (const CatalogEntry& e : controller::annotation_catalog())
    t.add({std::string(e.key), std::string(e.group), std::string(controller::support_name(e.support)),
           what_sluice_does(e)});
  return t.render();
}

std::string json() {
  JsonWriter j;
  j.begin_object().key("annotations").begin_array();
  for (const CatalogEntry& e : controller::annotation_catalog())
    j.begin_object()
        .field("annotation", std::string(controller::nginx_annotation_prefix) + std::string(e.key))
        .field("group", e.group)
        .field("support", controller::support_name(e.support))
        .field("note", what_sluice_does(e))
        .end_object();
  j.end_array().end_object();
  return std::move(j).take() + "\n";
}

}  // namespace

int run_ctl_annotations(int argc, char** argv) {
  std::string output = "table";
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if ((arg == "-o" || arg == "--output") && i + 1 < argc) output = argv[++i];
    else if (arg.starts_with("-o=")) output = std::string(arg.substr(3));
    else {
      std::fprintf(stderr, "usage: sluice ctl annotations [-o table|markdown|json]\n");
      return 2;
    }
  }
  if (output != "markdown" && output != "json" && output != "table") {
    std::fprintf(stderr, "sluice ctl annotations: -o takes table, markdown or json\n");
    return 2;
  }
  const std::string text = output == "markdown" ? markdown() : output == "json" ? json() : table();
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace sluice::app
