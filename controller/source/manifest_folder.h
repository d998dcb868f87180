// Standalone mode's source: every manifest file in one directory, kept in the
// ObjectStore as the files change (inotify on the controller's io_context).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/k8s/object.h"
#include "controller/object_store.h"

namespace sluice::controller {

// controller-confined. Reads *.yaml, *.yml and *.json (not dotfiles) in one
// directory, not its subdirectories. A file that cannot be read or parsed
// keeps the objects it produced last; an object that fails to decode keeps
// its previous version from that file. When two files define one object, the
// file whose name sorts last wins (with a warning). Must be destroyed before
// the io_context it was given.
class ManifestFolder {
 public:
  // A burst of events for one file (write, then rename) is read once.
  static constexpr std::chrono::milliseconds coalesce_delay{20};
  // Larger files are refused (and keep their previous objects).
  static constexpr std::uintmax_t max_file_bytes = 16u << 20;

  ManifestFolder(boost::asio::io_context& io, std::filesystem::path dir, ObjectStore& store);
  ManifestFolder(const ManifestFolder&) = delete;
  ManifestFolder& operator=(const ManifestFolder&) = delete;
  ~ManifestFolder();

  // Loads every file into the store, then watches the directory. Throws
  // std::runtime_error (one line) when the directory cannot be read or watched.
  void start();
  void stop();

  // Batches of changes applied so far (the initial load counts as one).
  std::uint64_t reloads() const { return reloads_; }
  const std::filesystem::path& directory() const { return dir_; }

 private:
  using Objects = std::map<k8s::ObjectRef, k8s::AnyObject>;

  void watch();
  void read_events();
  void on_events(std::size_t bytes);
  void schedule_reload();
  void on_reload_timer();
  void rescan();
  void reload_file(const std::string& name);
  Objects decode_file(const std::string& name, const std::string& text, bool& ok) const;
  void apply(const std::string& name, Objects objects);
  void settle(const k8s::ObjectRef& ref);

  std::filesystem::path dir_;
  ObjectStore& store_;
  boost::asio::posix::stream_descriptor inotify_;
  boost::asio::steady_timer reload_timer_;
  alignas(8) std::array<char, 64 * 1024> events_{};

  std::set<std::string> pending_files_;
  bool rescan_pending_ = false;
  bool reload_armed_ = false;

  std::map<std::string, Objects> file_objects_;               // file -> what it produced last
  std::map<k8s::ObjectRef, std::set<std::string>> claims_;  // object -> files defining it
  std::uint64_t reloads_ = 0;
};

// True for the names the folder loads: *.yaml, *.yml, *.json, not dotfiles.
bool is_manifest_file_name(std::string_view name);

}  // namespace sluice::controller
