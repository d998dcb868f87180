// `sluice echo`: flag parsing and lifetime for the echo backend (tools/echo).
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include "app/commands.h"
#include "common/log.h"
#include "tools/echo/echo_server.h"

namespace sluice::app {
namespace {

namespace asio = boost::asio;

constexpr std::string_view echo_usage =
    "usage: sluice echo --listen ADDR:PORT [--name NAME] [--threads N]\n"
    "  --listen ADDR:PORT  address to listen on (port 0 picks a free port)\n"
    "  --name NAME         'Server name' in every answer (default: the host name)\n"
    "  --threads N         worker threads, each with its own SO_REUSEPORT acceptor (default 1)\n";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "sluice echo: %s (see sluice echo --help)\n", message.c_str());
  return 2;
}

// "127.0.0.1:9001", "[::1]:9001", "localhost:9001", ":9001" (all IPv4 addresses).
bool parse_listen(std::string_view s, asio::ip::tcp::endpoint& out) {
  std::string_view host, port;
  if (!s.empty() && s.front() == '[') {
    auto close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':') return false;
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
  } else {
    auto colon = s.rfind(':');
    if (colon == std::string_view::npos) return false;
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
  }
  unsigned p = 0;
  auto r = std::from_chars(port.data(), port.data() + port.size(), p);
  if (port.empty() || r.ec != std::errc{} || r.ptr != port.data() + port.size() || p > 65535) return false;
  if (host.empty()) host = "0.0.0.0";
  else if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(std::string(host), ec);
  if (ec) return false;
  out = {addr, static_cast<unsigned short>(p)};
  return true;
}

}  // namespace

int run_echo_command(int argc, char** argv) {
  echo::EchoConfig config;
  bool have_listen = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::fwrite(echo_usage.data(), 1, echo_usage.size(), stdout);
      return 0;
    }
    std::string_view name = arg, value;
    bool inline_value = false;
    if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      inline_value = true;
    }
    if (name != "--listen" && name != "--name" && name != "--threads")
      return usage_error("unknown flag " + std::string(name));
    if (!inline_value) {
      if (i + 1 >= argc) return usage_error("flag " + std::string(name) + " needs a value");
      value = argv[++i];
    }
    if (name == "--listen") {
      if (!parse_listen(value, config.listen))
        return usage_error("--listen wants ADDR:PORT, got '" + std::string(value) + "'");
      have_listen = true;
    } else if (name == "--name") {
      if (value.empty()) return usage_error("--name must not be empty");
      config.name = std::string(value);
    } else {
      int n = 0;
      auto r = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || r.ec != std::errc{} || r.ptr != value.data() + value.size() || n < 1 ||
          n > echo::max_threads)
        return usage_error("--threads wants a number from 1 to " + std::to_string(echo::max_threads) +
                           ", got '" + std::string(value) + "'");
      config.threads = n;
    }
  }
  if (!have_listen) return usage_error("--listen ADDR:PORT is required");

  try {
    // Asio's signal handler forwards SIGINT/SIGTERM to this io_context whichever thread gets them.
    asio::io_context signals_io{1};
    asio::signal_set signals(signals_io, SIGINT, SIGTERM);
    echo::EchoServer server(config);
    log::info("listening", {{"listener", "echo"},
                            {"address", echo::endpoint_to_string(server.local_endpoint())}});
    server.start();
    signals.async_wait([&](const boost::system::error_code&, int) { server.stop(); });
    signals_io.run();
    server.join();
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sluice echo: %s\n", e.what());
    return 1;
  }
}

}  // namespace sluice::app
