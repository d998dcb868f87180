// The command line of `sluice` (the proxy and controller) and its parser.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/log.h"
#include "controller/cluster/cluster_options.h"
#include "controller/translate/translator_options.h"
#include "proxy/observe/access_log/access_log_format.h"
#include "proxy/proxy_config.h"

namespace sluice::app {

struct Options {
  std::string manifests;
  std::string http_listen = "0.0.0.0:8080";
  std::string admin_listen = "127.0.0.1:10254";
  std::string https_listen = "0.0.0.0:8443";  // "off" disables HTTPS
  unsigned workers = 0;  // 0: one per core
  controller::TranslatorOptions translator;
  log::format log_format = log::format::text;
  log::level log_level = log::level::info;
  std::string access_log = "stdout";  // "off", "stdout" or a file path
  AccessLogFormat access_log_format = AccessLogFormat::text;
  ProxyConfig proxy;
  std::chrono::milliseconds sync_period{50};  // coalescing window for changes
  controller::ClusterOptions cluster;  // --kubeconfig, --watch-namespace, status, election
  // ingress-nginx's flags sluice accepts but does not act on yet: a
  // --default-backend-service is warned about (requests no rule matches get
  // sluice's 404), an --enable-ssl-passthrough=true is refused.
  std::string default_backend_service;  // --default-backend-service NS/NAME
  bool enable_ssl_passthrough = false;
  std::vector<std::string> warnings;  // for the log, once it is configured
  bool help = false;
  bool version = false;
};

// Parses argv[1..]; on a bad flag returns nullopt with `error` set to one
// line naming the problem.
std::optional<Options> parse_options(int argc, char** argv, std::string& error);

extern const char* const usage_text;

}  // namespace sluice::app
