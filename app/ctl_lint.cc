// `sluice ctl lint`: which nginx.ingress.kubernetes.io annotations will not
// carry over from ingress-nginx, and what sluice does instead. Over files or
// folders (every Ingress, of any class) or, without paths, over what a
// running sluice serves (its /debug/annotations). Both print one document.
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "app/commands.h"
#include "app/ctl_support.h"
#include "controller/object_store.h"
#include "controller/source/manifest_folder.h"
#include "controller/source/manifest_parse.h"
#include "controller/translate/annotations/lint.h"

namespace sluice::app {
namespace {

namespace dom = simdjson::dom;
namespace fs = std::filesystem;

constexpr std::string_view lint_usage =
    "usage: sluice ctl lint [PATH...] [--admin ADDR:PORT] [-o json] [--strict]\n"
    "  PATH      manifest files or folders (*.yaml, *.yml, *.json; '-' reads stdin), e.g. the output of\n"
    "            `kubectl get ingress -A -o yaml`; every Ingress is read, whatever its class.\n"
    "            Without PATH: the Ingresses a running sluice serves (--admin, default 127.0.0.1:10254).\n"
    "  -o json   the findings as JSON\n"
    "  --strict  exit 1 on any finding, typos and invalid values included\n"
    "Exit status: 0 everything carries over; 1 something will not (a snippet, an unsupported\n"
    "annotation, a behaviour that differs; with --strict, any finding); 2 usage or read error.\n";

int lint_error(const std::string& message) {
  std::fprintf(stderr, "sluice ctl lint: %s\n", message.c_str());
  return 2;
}

bool read_text(const std::string& path, std::string& text) {
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), {});
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  text = s.str();
  return static_cast<bool>(in);
}

// The files a PATH names: itself, or a folder's manifest files (one level,
// as standalone mode reads them), sorted.
std::vector<std::string> files_of(const std::string& path) {
  if (path == "-" || !fs::is_directory(path)) return {path};
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(path))
    if (entry.is_regular_file() && controller::is_manifest_file_name(entry.path().filename().string()))
      out.push_back(entry.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

// Parses every file into a store; objects that do not decode are listed on
// stderr (lint still reads the rest), unreadable files are an error.
bool load_paths(const std::vector<std::string>& paths, controller::ObjectStore& store, std::string& error) {
  for (const std::string& path : paths) {
    for (const std::string& file : files_of(path)) {
      std::string text;
      if (!read_text(file, text)) {
        error = "cannot read " + file;
        return false;
      }
      controller::ParsedManifest parsed = controller::parse_manifest(text);
      if (!parsed.ok) {
        error = file + ": " + parsed.error;
        return false;
      }
      for (auto& r : parsed.objects) {
        if (r.object) store.upsert(*r.object);
        else std::fprintf(stderr, "sluice ctl lint: %s: %s (object skipped)\n", file.c_str(), r.error.c_str());
      }
    }
  }
  return true;
}

std::string lint_document(const std::vector<std::string>& paths, std::string& error) {
  controller::ObjectStore store;
  if (!load_paths(paths, store, error)) return {};
  const controller::TranslatorOptions options;
  const controller::ControllerDefaults defaults;
  return annotation_findings_json(controller::lint_ingresses(store, options, defaults),
                                  store.all<k8s::Ingress>().size());
}

std::string render(dom::element doc) {
  Table t({"NAMESPACE", "INGRESS", "ANNOTATION", "KIND", "EFFECT", "WHAT SLUICE DOES"});
  std::size_t breaking = 0, findings = 0;
  for (dom::element f : array_of(doc, "findings")) {
    t.add({str(f, "namespace"), str(f, "ingress"), str(f, "annotation"), str(f, "kind"), str(f, "effect"),
           str(f, "message")});
    ++findings;
    if (breaks_migration(str(f, "kind"))) ++breaking;
  }
  std::string out = t.empty() ? "" : t.render();
  out += std::to_string(num(doc, "ingresses")) + " Ingresses, " + std::to_string(findings) + " findings; " +
         (breaking == 0 ? std::string("everything carries over")
                        : std::to_string(breaking) + " will not carry over (snippet, unsupported or differs)") +
         ".\n";
  return out;
}

}  // namespace

int run_ctl_lint(int argc, char** argv) {
  std::vector<std::string> paths;
  std::string admin(default_admin), output = "table";
  bool strict = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fwrite(lint_usage.data(), 1, lint_usage.size(), stdout);
      return 0;
    }
    if ((arg == "--admin" || arg == "-o" || arg == "--output") && i + 1 < argc) {
      (arg == "--admin" ? admin : output) = argv[++i];
    } else if (arg.starts_with("--admin=")) {
      admin = std::string(arg.substr(8));
    } else if (arg.starts_with("-o=") || arg.starts_with("--output=")) {
      output = std::string(arg.substr(arg.find('=') + 1));
    } else if (arg == "--strict") {
      strict = true;
    } else if (arg != "-" && arg.starts_with("-")) {
      return lint_error("unknown or incomplete flag " + std::string(arg) + "\n" + std::string(lint_usage));
    } else {
      paths.emplace_back(arg);
    }
  }
  if (output != "table" && output != "json") return lint_error("-o takes json (or table)");

  std::string body, error;
  if (!paths.empty()) {
    body = lint_document(paths, error);
    if (!error.empty()) return lint_error(error);
  } else {
    int status = 0;
    if (!admin_get(admin, "/debug/annotations", status, body, error)) return lint_error(error);
    if (status != 200) return lint_error("/debug/annotations answered " + std::to_string(status));
  }
  dom::parser parser;
  dom::element doc;
  if (parser.parse(body).get(doc)) return lint_error("the findings are not JSON: " + body.substr(0, 200));
  const bool carries_over = flag(doc, "carriesOver");
  const bool any = array_of(doc, "findings").size() > 0;
  std::string text = output == "json" ? body + "\n" : render(doc);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return (!carries_over || (strict && any)) ? 1 : 0;
}

}  // namespace sluice::app
