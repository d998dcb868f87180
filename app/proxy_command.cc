// `sluice`: wires a source to the store, the store through the translator to
// the publisher, the publisher to the workers, and runs until SIGTERM.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <thread>

#include "app/commands.h"
#include "app/observability.h"
#include "app/options.h"
#include "app/version.h"
#include "common/log.h"
#include "common/publish/snapshot_publisher.h"
#include "controller/cluster/cluster_controller.h"
#include "controller/controller_loop.h"
#include "controller/object_store.h"
#include "controller/source/manifest_folder.h"
#include "proxy/server/admin_server.h"
#include "proxy/server/listener.h"
#include "proxy/server/worker_pool.h"
#include "proxy/transport/tls_server.h"

namespace sluice::app {
namespace {

namespace asio = boost::asio;

int usage_error(const std::string& message) {
  std::fprintf(stderr, "sluice: %s (see sluice --help)\n", message.c_str());
  return 2;
}

// /readyz: a configuration is applied, and (cluster mode) every informer
// still follows the cluster. `cluster` is set once it exists and outlives
// the admin server's handlers (both run on the controller thread).
void register_health(AdminServer& admin, const SnapshotPublisher& publisher,
                     const std::unique_ptr<controller::ClusterController>& cluster) {
  admin.handle("/healthz", [](std::string_view) { return AdminResponse{200, "text/plain; charset=utf-8", "ok\n"}; });
  admin.handle("/readyz", [&publisher, &cluster](std::string_view) {
    const auto applied = publisher.applied_generation();
    if (applied == 0) return AdminResponse{503, "text/plain; charset=utf-8", "no configuration applied yet\n"};
    if (std::string stopped = cluster ? cluster->source().stopped_informers() : std::string(); !stopped.empty())
      return AdminResponse{503, "text/plain; charset=utf-8", "informers stopped: " + stopped + "\n"};
    return AdminResponse{200, "text/plain; charset=utf-8", "ok generation=" + std::to_string(applied) + "\n"};
  });
}

// SIGTERM/SIGINT: stop accepting, let in-flight exchanges finish within the
// grace period, then stop the controller loop (which ends main) once the
// leader lease is released too (`released`, bounded by its own timeout).
void drain_then_stop(asio::io_context& io, WorkerPool& pool, AdminServer& admin,
                     std::chrono::milliseconds grace, std::shared_ptr<const bool> released) {
  log::info("shutting down", {{"grace_ms", std::to_string(grace.count())}});
  pool.drain();
  auto deadline = std::chrono::steady_clock::now() + grace;
  auto timer = std::make_shared<asio::steady_timer>(io);
  auto poll = std::make_shared<std::function<void()>>();
  // The function holds itself only weakly (a strong capture would be a cycle
  // that LeakSanitizer reports at exit); the pending wait keeps it alive.
  std::weak_ptr<std::function<void()>> weak_poll = poll;
  *poll = [&io, &pool, &admin, deadline, timer, weak_poll, released] {
    if (*released && (pool.active_connections() == 0 || std::chrono::steady_clock::now() >= deadline)) {
      if (pool.active_connections() != 0)
        log::warn("grace period over, closing remaining connections",
                  {{"connections", std::to_string(pool.active_connections())}});
      admin.stop();
      io.stop();
      return;
    }
    timer->expires_after(std::chrono::milliseconds(20));
    timer->async_wait([self = weak_poll.lock()](boost::system::error_code) { (*self)(); });
  };
  (*poll)();
}

// SIGUSR1, as for nginx: reopen the access log file (logrotate renamed it).
// Handled with or without an access log, so the signal never kills the proxy.
void reopen_access_log_on_sigusr1(asio::signal_set& signal, AccessLog* access_log) {
  signal.async_wait([&signal, access_log](boost::system::error_code ec, int) {
    if (ec) return;
    if (access_log) access_log->reopen();
    reopen_access_log_on_sigusr1(signal, access_log);
  });
}

// Session ticket keys live in memory only and are replaced on a timer, so a
// stolen key decrypts at most a couple of lifetimes' worth of tickets.
void rotate_ticket_keys_periodically(asio::steady_timer& timer, TlsServer& tls) {
  timer.expires_after(TlsServer::ticket_key_lifetime);
  timer.async_wait([&timer, &tls](boost::system::error_code ec) {
    if (ec) return;
    tls.rotate_ticket_keys();
    rotate_ticket_keys_periodically(timer, tls);
  });
}

// The SIGTERM grace period: the ConfigMap's worker-shutdown-timeout when
// the current snapshot has one, else --shutdown-grace.
std::chrono::milliseconds shutdown_grace(const SnapshotPublisher& publisher, std::chrono::milliseconds flag) {
  const auto table = publisher.current();
  if (!table || !table->settings().from_configmap || !table->settings().shutdown_timeout) return flag;
  return *table->settings().shutdown_timeout;
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
  // Anywhere among the flags, as ingress-nginx's --version. The image's OCI
  // version label and this both come from project(VERSION) in CMakeLists.txt.
  if (o.version) {
    std::fputs(version_text().c_str(), stdout);
    return 0;
  }
  log::set_format(o.log_format);
  log::set_level(o.log_level);
  for (const std::string& w : o.warnings) log::warn(w);
  std::optional<controller::kube::ClusterConfig> cluster_config;  // set: cluster mode
  if (o.manifests.empty()) {
    cluster_config = controller::kube::find_cluster_config(o.cluster.kubeconfig, error);
    if (!cluster_config) return usage_error(error);
  } else {
    if (!o.cluster.kubeconfig.empty())
      return usage_error("--manifests and --kubeconfig are two sources: pass only one");
    if (!o.cluster.watch_namespace.empty() || !o.cluster.publish_service.empty() ||
        !o.cluster.publish_status_addresses.empty())
      return usage_error("--watch-namespace and --publish-* need a cluster source, not --manifests");
    std::error_code fs_error;
    if (!std::filesystem::is_directory(o.manifests, fs_error))
      return usage_error("--manifests " + o.manifests + " is not a readable directory");
  }
  if (!o.cluster.publish_service.empty() && !o.cluster.publish_status_addresses.empty())
    return usage_error("--publish-service and --publish-status-address exclude each other");
  if (o.cluster.election.renew_deadline >= o.cluster.election.lease_duration ||
      o.cluster.election.retry_period >= o.cluster.election.renew_deadline)
    return usage_error("leader election needs retry-period < renew-deadline < lease-duration");

  asio::ip::tcp::endpoint http_at, admin_at, https_at;
  try {
    http_at = parse_listen_address(o.http_listen);
    if (o.https_listen != "off") https_at = parse_listen_address(o.https_listen);
    admin_at = parse_listen_address(o.admin_listen);
  } catch (const std::invalid_argument& e) {
    return usage_error(e.what());
  }
  const unsigned workers = o.workers ? o.workers : std::max(1u, std::thread::hardware_concurrency());

  asio::io_context io(1);  // the controller thread: sources, translation, admin
  SnapshotPublisher publisher;
  std::unique_ptr<AccessLog> access_log;  // declared first: it outlives the workers writing to it
  WorkerPool pool(workers, o.proxy, http_at);
  for (SnapshotSink* sink : pool.sinks()) publisher.add_sink(sink);
  try {
    access_log = open_access_log(o, pool);
  } catch (const std::runtime_error& e) {
    return usage_error(e.what());
  }
  log::info("listening", {{"listener", "http"}, {"address", to_string(pool.http_endpoint())},
                          {"workers", std::to_string(workers)}});
  std::unique_ptr<TlsServer> tls;
  if (o.https_listen != "off") {
    tls = std::make_unique<TlsServer>(make_self_signed_certificate("sluice-default"));
    pool.listen_tls(https_at, tls->context());
    log::info("listening", {{"listener", "https"}, {"address", to_string(pool.https_endpoint())}});
    log::info("generated a self-signed certificate for handshakes no configured certificate covers");
  }
  asio::steady_timer ticket_rotation(io);
  if (tls) rotate_ticket_keys_periodically(ticket_rotation, *tls);

  AdminServer admin(io, admin_at);
  log::info("listening", {{"listener", "admin"}, {"address", to_string(admin.endpoint())}});

  controller::ObjectStore store;
  controller::ControllerLoop loop(io, store, o.translator, publisher, o.sync_period);
  auto metric_sources = register_observability(admin, o, pool, publisher, loop, access_log.get());
  add_store_metrics(*metric_sources, store);
  std::optional<controller::ManifestFolder> folder;
  std::unique_ptr<controller::ClusterController> cluster;  // destroyed before the store and the loop
  register_health(admin, publisher, cluster);
  try {
    if (cluster_config) {  // publishes once every informer has synced
      cluster = std::make_unique<controller::ClusterController>(io, std::move(*cluster_config), store,
                                                                loop, o.cluster);
      // Read only by /metrics, which is served while io runs; `cluster` outlives that.
      add_informer_metrics(*metric_sources, cluster->source());
      add_secret_metrics(*metric_sources, cluster->secrets());
      cluster->start();
    } else {
      folder.emplace(io, o.manifests, store);
      folder->start();
      loop.translate_now();  // the first snapshot, before the first connection
    }
  } catch (const std::exception& e) {
    return usage_error(e.what());
  }

  if (access_log) access_log->start();
  pool.start();
  admin.start();
  asio::signal_set reopen_signal(io, SIGUSR1);
  reopen_access_log_on_sigusr1(reopen_signal, access_log.get());
  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (ec) return;
    auto released = std::make_shared<bool>(cluster == nullptr);
    if (cluster)
      cluster->release_leadership(controller::LeaderElection::release_timeout, [released] { *released = true; });
    drain_then_stop(io, pool, admin, shutdown_grace(publisher, o.proxy.drain_timeout), released);
  });
  io.run();
  if (folder) folder->stop();
  if (cluster) cluster->stop();
  pool.stop();
  if (access_log) access_log->stop();  // writes what the workers queued last
  log::info("stopped");
  return 0;
}

}  // namespace sluice::app
