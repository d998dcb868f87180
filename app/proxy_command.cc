// `sluice`: wires a source to the store, the store through the translator to
// the publisher, the publisher to the workers, and runs until SIGTERM.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "app/commands.h"
#include "app/options.h"
#include "common/log.h"
#include "common/publish/snapshot_publisher.h"
#include "controller/controller_loop.h"
#include "controller/object_store.h"
#include "controller/source/manifest_folder.h"
#include "proxy/admin_server.h"
#include "proxy/listener.h"
#include "proxy/worker/worker_pool.h"

namespace sluice::app {
namespace {

namespace asio = boost::asio;

int usage_error(const std::string& message) {
  std::fprintf(stderr, "sluice: %s (see sluice --help)\n", message.c_str());
  return 2;
}

void register_health(AdminServer& admin, const SnapshotPublisher& publisher) {
  admin.handle("/healthz", [](std::string_view) { return AdminResponse{200, "text/plain; charset=utf-8", "ok\n"}; });
  admin.handle("/readyz", [&publisher](std::string_view) {
    const auto applied = publisher.applied_generation();
    if (applied == 0) return AdminResponse{503, "text/plain; charset=utf-8", "no configuration applied yet\n"};
    return AdminResponse{200, "text/plain; charset=utf-8", "ok generation=" + std::to_string(applied) + "\n"};
  });
}

// SIGTERM/SIGINT: stop accepting, let in-flight exchanges finish within the
// grace period, then stop the controller loop (which ends main).
void drain_then_stop(asio::io_context& io, WorkerPool& pool, AdminServer& admin,
                     std::chrono::milliseconds grace) {
  log::info("shutting down", {{"grace_ms", std::to_string(grace.count())}});
  pool.drain();
  auto deadline = std::chrono::steady_clock::now() + grace;
  auto timer = std::make_shared<asio::steady_timer>(io);
  auto poll = std::make_shared<std::function<void()>>();
  *poll = [&io, &pool, &admin, deadline, timer, poll] {
    if (pool.active_connections() == 0 || std::chrono::steady_clock::now() >= deadline) {
      if (pool.active_connections() != 0)
        log::warn("grace period over, closing remaining connections",
                  {{"connections", std::to_string(pool.active_connections())}});
      admin.stop();
      io.stop();
      return;
    }
    timer->expires_after(std::chrono::milliseconds(20));
    timer->async_wait([poll](boost::system::error_code) { (*poll)(); });
  };
  (*poll)();
}

}  // namespace

int run_proxy_command(int argc, char** argv) {
  std::string error;
  auto parsed = parse_options(argc, argv, error);
  if (!parsed) return usage_error(error);
  Options& o = *parsed;
  if (o.help) {
    std::fputs(usage_text, stdout);
    return 0;
  }
  log::set_format(o.log_format);
  log::set_level(o.log_level);
  if (o.manifests.empty())
    return usage_error("no source: pass --manifests DIR (standalone mode)");
  std::error_code fs_error;
  if (!std::filesystem::is_directory(o.manifests, fs_error))
    return usage_error("--manifests " + o.manifests + " is not a readable directory");

  asio::ip::tcp::endpoint http_at, admin_at;
  try {
    http_at = parse_listen_address(o.http_listen);
    admin_at = parse_listen_address(o.admin_listen);
  } catch (const std::invalid_argument& e) {
    return usage_error(e.what());
  }
  const unsigned workers = o.workers ? o.workers : std::max(1u, std::thread::hardware_concurrency());

  asio::io_context io(1);  // the controller thread: sources, translation, admin
  SnapshotPublisher publisher;
  WorkerPool pool(workers, o.proxy, http_at);
  for (SnapshotSink* sink : pool.sinks()) publisher.add_sink(sink);
  log::info("listening", {{"listener", "http"}, {"address", to_string(pool.http_endpoint())},
                          {"workers", std::to_string(workers)}});

  AdminServer admin(io, admin_at);
  register_health(admin, publisher);
  log::info("listening", {{"listener", "admin"}, {"address", to_string(admin.endpoint())}});

  controller::ObjectStore store;
  controller::ControllerLoop loop(io, store, o.translator, publisher, o.sync_period);
  controller::ManifestFolder folder(io, o.manifests, store);
  try {
    folder.start();
  } catch (const std::exception& e) {
    return usage_error(e.what());
  }
  loop.translate_now();  // the first snapshot, before the first connection

  pool.start();
  admin.start();
  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (!ec) drain_then_stop(io, pool, admin, o.proxy.drain_timeout);
  });
  io.run();
  folder.stop();
  pool.stop();
  log::info("stopped");
  return 0;
}

}  // namespace sluice::app
