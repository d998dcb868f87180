// `sluice ctl`: asks a running sluice's admin listener for its /debug views
// and prints them as tables (kubectl style), or as the raw JSON with -o json.
#include <simdjson.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "app/commands.h"
#include "app/ctl_support.h"

namespace sluice::app {
namespace {

namespace dom = simdjson::dom;

constexpr std::string_view ctl_usage =
    "usage: sluice ctl ingresses|backends|snapshot [--admin ADDR:PORT] [-o json]\n"
    "       sluice ctl explain URL [--admin ADDR:PORT] [-o json]\n"
    "       sluice ctl lint [PATH...] [--admin ADDR:PORT] [-o json] [--strict]\n"
    "       sluice ctl annotations [-o table|markdown|json]\n"
    "  ingresses   every rule: namespace, ingress, host, path, pathType, service, port, endpoints, TLS\n"
    "  backends    every backend and its endpoints, ready or not\n"
    "  snapshot    generation, counts, when and why it was built, objects skipped and why\n"
    "  explain URL which rule a request for URL (http://host/path) matches and why, where it goes,\n"
    "              and why every other rule does not match\n"
    "  lint        annotations that will not carry over from ingress-nginx (sluice ctl lint --help)\n"
    "  annotations every ingress-nginx annotation and what sluice does with it (-o table|markdown|json)\n"
    "  --admin ADDR:PORT  the admin listener (default 127.0.0.1:10254)\n"
    "  -o json            print the admin listener's JSON as it is\n";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "sluice ctl: %s\n%.*s", message.c_str(), static_cast<int>(ctl_usage.size()),
               ctl_usage.data());
  return 2;
}

std::string or_star(std::string s) { return s.empty() ? "*" : s; }
std::string or_dash(std::string s) { return s.empty() ? "-" : s; }

std::string print_ingresses(dom::element doc) {
  Table t({"NAMESPACE", "INGRESS", "HOST", "PATH", "PATHTYPE", "SERVICE", "PORT", "ENDPOINTS", "TLS"});
  for (dom::element r : array_of(doc, "rules")) {
    t.add({str(r, "namespace"), str(r, "ingress"), or_star(str(r, "host")), or_dash(str(r, "path")),
           str(r, "pathType"), str(r, "service"), str(r, "port"),
           flag(r, "external") ? "external" : std::to_string(num(r, "endpoints")), flag(r, "tls") ? "yes" : "no"});
  }
  if (t.empty()) return "No rules (generation " + std::to_string(num(doc, "generation")) + ").\n";
  return t.render();
}

std::string print_backends(dom::element doc) {
  Table t({"BACKEND", "ENDPOINT", "READY"});
  for (dom::element b : array_of(doc, "backends")) {
    const std::string name = str(b, "name");
    if (std::string external = str(b, "external"); !external.empty()) {
      t.add({name, external + " (ExternalName)", "-"});
      continue;
    }
    bool any = false;
    for (dom::element e : array_of(b, "endpoints")) {
      t.add({name, str(e, "address"), flag(e, "ready") ? "true" : "false"});
      any = true;
    }
    if (!any) t.add({name, "<none>", "-"});
  }
  if (t.empty()) return "No backends (generation " + std::to_string(num(doc, "generation")) + ").\n";
  return t.render();
}

std::string print_snapshot(dom::element doc) {
  char line[256];
  std::string out;
  std::snprintf(line, sizeof line, "Generation:  %llu (every worker serves %llu)\n",
                static_cast<unsigned long long>(num(doc, "generation")),
                static_cast<unsigned long long>(num(doc, "appliedGeneration")));
  out += line;
  out += "Built:       " + or_dash(str(doc, "builtAt")) + " (" + or_dash(str(doc, "reason")) + ")\n";
  std::snprintf(line, sizeof line, "Translation: #%llu, took %.3f ms\n",
                static_cast<unsigned long long>(num(doc, "translations")), real(doc, "translationSeconds") * 1000);
  out += line;
  dom::element counts;
  if (!doc["counts"].get(counts)) {
    std::snprintf(line, sizeof line, "Contents:    %llu ingresses (%llu ignored), %llu hosts, %llu routes, %llu backends\n",
                  static_cast<unsigned long long>(num(counts, "ingresses")),
                  static_cast<unsigned long long>(num(counts, "ingressesIgnored")),
                  static_cast<unsigned long long>(num(counts, "hosts")),
                  static_cast<unsigned long long>(num(counts, "routes")),
                  static_cast<unsigned long long>(num(counts, "backends")));
    out += line;
  }
  Table skipped({"KIND", "NAMESPACE", "NAME", "REASON"});
  for (dom::element s : array_of(doc, "skipped"))
    skipped.add({str(s, "kind"), or_dash(str(s, "namespace")), str(s, "name"), str(s, "reason")});
  if (skipped.empty()) {
    out += "Skipped:     nothing\n";
  } else {
    out += "Skipped:\n" + skipped.render("  ");
  }
  return out;
}

std::string rule_text(dom::element r) {
  std::string path = str(r, "pathType") == "Default" ? "(default backend)" : str(r, "pathType") + " " + str(r, "path");
  return str(r, "namespace") + "/" + str(r, "ingress") + "  host " + or_star(str(r, "host")) + "  " + path + "  -> " +
         str(r, "service") + ":" + str(r, "port");
}

std::string print_explain(dom::element doc) {
  std::string out;
  dom::element request;
  if (!doc["request"].get(request))
    out += "Request:     host " + str(request, "host") + ", path " + str(request, "path") + "\n";
  const std::string selection = str(doc, "hostSelection");
  out += "Host:        " + str(doc, "normalizedHost") +
         (selection == "exact"      ? " (a rule names it)"
          : selection == "wildcard" ? " (covered by " + str(doc, "hostRule") + ")"
                                    : " (no rule names it: the rules without a host apply)") +
         "\n";
  out += "Result:      " + str(doc, "summary") + "\n";
  dom::element matched;
  if (!doc["matched"].get(matched) && matched.is_object()) {
    out += "Matched:     " + rule_text(matched) + "\n";
    out += "Why:         " + str(doc, "reason") + "\n";
    dom::element target;
    if (!matched["target"].get(target)) {
      std::string eps;
      for (dom::element e : array_of(target, "endpoints"))
        eps += (eps.empty() ? "" : ", ") + str(e, "address") + (flag(e, "ready") ? "" : " (not ready)");
      if (std::string external = str(target, "external"); !external.empty()) eps = external + " (ExternalName)";
      out += "Endpoints:   " + (eps.empty() ? std::string("none") : eps) + "\n";
    }
  } else {
    out += "Matched:     nothing\n";
    out += "Why:         " + str(doc, "reason") + "\n";
  }
  Table others({"NAMESPACE", "INGRESS", "HOST", "PATH", "PATHTYPE", "OUTCOME", "WHY"});
  for (dom::element r : array_of(doc, "notMatched"))
    others.add({str(r, "namespace"), str(r, "ingress"), or_star(str(r, "host")), or_dash(str(r, "path")),
                str(r, "pathType"), str(r, "outcome"), str(r, "why")});
  if (!others.empty()) out += "Not matched:\n" + others.render("  ");
  if (auto omitted = num(doc, "notMatchedOmitted"))
    out += "  ... and " + std::to_string(omitted) + " rules for other hosts\n";
  return out;
}

}  // namespace

int run_ctl_command(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "lint") return run_ctl_lint(argc - 1, argv + 1);
  if (argc > 1 && std::string_view(argv[1]) == "annotations") return run_ctl_annotations(argc - 1, argv + 1);
  std::string view, url, admin(default_admin), output = "table";
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string_view flag_name, std::string& into) {
      if (arg.starts_with(std::string(flag_name) + "=")) {
        into = std::string(arg.substr(flag_name.size() + 1));
        return true;
      }
      if (arg == flag_name && i + 1 < argc) {
        into = argv[++i];
        return true;
      }
      return false;
    };
    if (arg == "--help" || arg == "-h") {
      std::fwrite(ctl_usage.data(), 1, ctl_usage.size(), stdout);
      return 0;
    }
    if (value("--admin", admin) || value("-o", output) || value("--output", output)) continue;
    if (arg.starts_with("-")) return usage_error("unknown or incomplete flag " + std::string(arg));
    if (view.empty()) view = arg;
    else if (view == "explain" && url.empty()) url = arg;
    else return usage_error("unexpected argument " + std::string(arg));
  }
  if (output != "table" && output != "json") return usage_error("-o takes json (or table)");

  std::string target;
  if (view == "ingresses" || view == "backends" || view == "snapshot") {
    target = "/debug/" + view;
  } else if (view == "explain") {
    std::string host, path;
    if (url.empty() || !split_url(url, host, path)) return usage_error("explain needs a URL, e.g. http://host/path");
    target = "/debug/explain?host=" + url_encode(host) + "&path=" + url_encode(path);
  } else {
    return usage_error(view.empty() ? "which view? ingresses, backends, snapshot or explain"
                                    : "unknown view " + view);
  }

  int status = 0;
  std::string body, error;
  if (!admin_get(admin, target, status, body, error)) {
    std::fprintf(stderr, "sluice ctl: %s\n", error.c_str());
    return 1;
  }
  if (output == "json") {
    std::fwrite(body.data(), 1, body.size(), stdout);
    return status == 200 ? 0 : 1;
  }
  dom::parser parser;
  dom::element doc;
  if (parser.parse(body).get(doc)) {
    std::fprintf(stderr, "sluice ctl: %s answered %d with no JSON: %.200s\n", target.c_str(), status, body.c_str());
    return 1;
  }
  if (status != 200) {
    std::fprintf(stderr, "sluice ctl: %s answered %d: %s\n", target.c_str(), status, str(doc, "error").c_str());
    return 1;
  }
  std::string text = view == "ingresses" ? print_ingresses(doc)
                     : view == "backends" ? print_backends(doc)
                     : view == "snapshot" ? print_snapshot(doc)
                                          : print_explain(doc);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace sluice::app
