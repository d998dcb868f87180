// Manifest folder: initial load, inotify watch, per-file diff into the store.
#include "controller/source/manifest_folder.h"

#include <sys/inotify.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/log.h"
#include "controller/source/manifest_parse.h"

namespace sluice::controller {
namespace fs = std::filesystem;

namespace {

constexpr std::uint32_t watch_mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
                                     IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;

std::string describe(const k8s::ObjectRef& ref) {
  return std::string(k8s::kind_name(ref.kind)) + " " + ref.key();
}

}  // namespace

bool is_manifest_file_name(std::string_view name) {
  if (name.empty() || name.front() == '.') return false;
  return name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".json");
}

ManifestFolder::ManifestFolder(boost::asio::io_context& io, fs::path dir, ObjectStore& store)
    : dir_(std::move(dir)), store_(store), inotify_(io), reload_timer_(io) {}

ManifestFolder::~ManifestFolder() { stop(); }

void ManifestFolder::start() {
  std::error_code ec;
  fs::directory_iterator probe(dir_, ec);
  if (ec) throw std::runtime_error("cannot read manifest directory " + dir_.string() + ": " + ec.message());
  watch();  // before the load, so a change made during it is not missed
  rescan();
  ++reloads_;
  read_events();
}

void ManifestFolder::stop() {
  reload_timer_.cancel();
  boost::system::error_code ignored;
  inotify_.close(ignored);
}

void ManifestFolder::watch() {
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) throw std::runtime_error(std::string("inotify_init1: ") + std::strerror(errno));
  inotify_.assign(fd);
  if (inotify_add_watch(fd, dir_.c_str(), watch_mask) < 0)
    throw std::runtime_error("cannot watch manifest directory " + dir_.string() + ": " +
                             std::strerror(errno));
}

void ManifestFolder::read_events() {
  inotify_.async_read_some(boost::asio::buffer(events_),
                           [this](const boost::system::error_code& ec, std::size_t bytes) {
                             if (ec) return;  // closed by stop() or the destructor
                             on_events(bytes);
                             read_events();
                           });
}

void ManifestFolder::on_events(std::size_t bytes) {
  std::size_t offset = 0;
  while (offset + sizeof(inotify_event) <= bytes) {
    inotify_event event;
    std::memcpy(&event, events_.data() + offset, sizeof event);
    if (offset + sizeof event + event.len > bytes) break;  // the kernel sends whole events
    std::string_view name(events_.data() + offset + sizeof event, event.len);
    name = name.substr(0, name.find('\0'));
    offset += sizeof event + event.len;

    if (event.mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
      log::error("manifest directory is gone; keeping the current objects",
                 {{"directory", dir_.string()}});
    } else if (event.mask & IN_Q_OVERFLOW) {
      rescan_pending_ = true;
    } else if (is_manifest_file_name(name)) {
      pending_files_.emplace(name);
    } else if (name.starts_with("..")) {
      rescan_pending_ = true;  // a ConfigMap volume swapped its "..data" symlink
    }
  }
  if (rescan_pending_ || !pending_files_.empty()) schedule_reload();
}

void ManifestFolder::schedule_reload() {
  if (reload_armed_) return;
  reload_armed_ = true;
  reload_timer_.expires_after(coalesce_delay);
  reload_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled by stop() or the destructor
    on_reload_timer();
  });
}

void ManifestFolder::on_reload_timer() {
  reload_armed_ = false;
  if (rescan_pending_) {
    rescan();
  } else {
    for (const std::string& name : pending_files_) reload_file(name);
  }
  rescan_pending_ = false;
  pending_files_.clear();
  ++reloads_;
}

void ManifestFolder::rescan() {
  std::set<std::string> present;
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (is_manifest_file_name(name)) present.insert(std::move(name));
  }
  if (ec) {
    log::warn("cannot list manifest directory; keeping the current objects",
              {{"directory", dir_.string()}, {"reason", ec.message()}});
    return;
  }
  for (const std::string& name : present) reload_file(name);
  std::vector<std::string> gone;
  for (const auto& [name, objects] : file_objects_)
    if (!present.contains(name)) gone.push_back(name);
  for (const std::string& name : gone) apply(name, {});
}

void ManifestFolder::reload_file(const std::string& name) {
  const fs::path path = dir_ / name;
  std::error_code ec;
  auto status = fs::status(path, ec);  // follows symlinks, as ConfigMap volumes need
  if (!fs::exists(status)) {
    apply(name, {});  // deleted or moved away: its objects go
    return;
  }
  auto reject = [&](const std::string& reason) {
    log::warn("manifest file not applied; keeping its previous objects",
              {{"file", path.string()}, {"reason", reason}});
  };
  if (!fs::is_regular_file(status)) return reject("not a regular file");
  auto size = fs::file_size(path, ec);
  if (ec) return reject(ec.message());
  if (size > max_file_bytes) return reject("larger than " + std::to_string(max_file_bytes) + " bytes");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) return reject("read failed");
  bool ok = false;
  Objects objects = decode_file(name, text.str(), ok);
  if (ok) apply(name, std::move(objects));
}

ManifestFolder::Objects ManifestFolder::decode_file(const std::string& name, const std::string& text,
                                                    bool& ok) const {
  const std::string path = (dir_ / name).string();
  ParsedManifest parsed = parse_manifest(text);
  ok = parsed.ok;
  if (!parsed.ok) {
    log::warn("manifest file not applied; keeping its previous objects",
              {{"file", path}, {"reason", parsed.error}});
    return {};
  }
  const auto previous = file_objects_.find(name);
  Objects objects;
  for (k8s::DecodeResult& r : parsed.objects) {
    if (r.object) {
      auto ref = k8s::ref_of(*r.object);
      if (!objects.insert_or_assign(ref, std::move(*r.object)).second)
        log::warn("object defined twice in one file; the later one wins",
                  {{"file", path}, {"object", describe(ref)}});
    } else if (r.unknown_kind) {
      log::info("skipping an object of a kind sluice does not use",
                {{"file", path}, {"reason", r.error}});
    } else if (r.ref && previous != file_objects_.end() && previous->second.contains(*r.ref)) {
      log::warn("invalid object; keeping its previous version",
                {{"file", path}, {"object", describe(*r.ref)}, {"reason", r.error}});
      objects.insert_or_assign(*r.ref, previous->second.at(*r.ref));
    } else {
      log::warn("invalid object skipped",
                {{"file", path}, {"object", r.ref ? describe(*r.ref) : "?"}, {"reason", r.error}});
    }
  }
  return objects;
}

void ManifestFolder::apply(const std::string& name, Objects objects) {
  std::set<k8s::ObjectRef> affected;
  if (auto old = file_objects_.find(name); old != file_objects_.end()) {
    for (const auto& [ref, object] : old->second) {
      affected.insert(ref);
      claims_[ref].erase(name);
    }
  }
  for (const auto& [ref, object] : objects) {
    affected.insert(ref);
    claims_[ref].insert(name);
  }
  if (objects.empty())
    file_objects_.erase(name);
  else
    file_objects_[name] = std::move(objects);
  for (const k8s::ObjectRef& ref : affected) settle(ref);
}

// Puts the winning definition of `ref` (the last file by name) in the store.
void ManifestFolder::settle(const k8s::ObjectRef& ref) {
  auto claim = claims_.find(ref);
  if (claim == claims_.end() || claim->second.empty()) {
    if (claim != claims_.end()) claims_.erase(claim);
    store_.erase(ref);
    return;
  }
  const std::string& winner = *claim->second.rbegin();
  if (claim->second.size() > 1) {
    std::string files;
    for (const auto& f : claim->second) files += (files.empty() ? "" : ",") + f;
    log::warn("object defined in several manifest files; the last file by name wins",
              {{"object", describe(ref)}, {"files", files}, {"winner", winner}});
  }
  store_.upsert(file_objects_.at(winner).at(ref));
}

}  // namespace sluice::controller
