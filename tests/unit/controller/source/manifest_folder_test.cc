// ManifestFolder against a real temporary directory and inotify: load,
// change, delete, rename-in, broken files and duplicates.
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>

#include <boost/asio/io_context.hpp>

#include "controller/source/manifest_folder.h"

using namespace sluice;
using namespace sluice::controller;
namespace fs = std::filesystem;

namespace {

// A fresh directory under $TMPDIR, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "sluice-manifests-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::trunc) << text;
  }
  // How editors save: write a temporary file, then rename it over the target.
  void write_then_rename(const std::string& name, const std::string& text) const {
    write(name + ".tmp~", text);
    fs::rename(path / (name + ".tmp~"), path / name);
  }
};

std::string service(const std::string& name, int port) {
  return "apiVersion: v1\nkind: Service\nmetadata: {name: " + name +
         "}\nspec: {ports: [{port: " + std::to_string(port) + "}]}\n---\n";
}

// Runs the io_context until `done` holds or five seconds pass.
bool run_until(boost::asio::io_context& io, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
  return done();
}

int port_of(const ObjectStore& store, const std::string& name) {
  auto s = store.find<k8s::Service>("default", name);
  return s ? s->ports.at(0).port : 0;
}

}  // namespace

TEST_CASE("an unreadable manifest directory fails start with one line", "[manifest_folder]") {
  boost::asio::io_context io;
  ObjectStore store;
  ManifestFolder folder(io, "/nonexistent/sluice-test-dir", store);
  CHECK_THROWS_AS(folder.start(), std::runtime_error);
}

TEST_CASE("the manifest folder follows files as they change, move and disappear",
          "[manifest_folder]") {
  TempDir dir;
  dir.write("a.yaml", service("a", 80) + "apiVersion: networking.k8s.io/v1\nkind: Ingress\n"
                                         "metadata: {name: web}\nspec: {rules: []}\n");
  dir.write("b.yml", service("b", 80));
  dir.write("notes.txt", service("ignored", 80));
  boost::asio::io_context io;
  ObjectStore store;
  int changes = 0;
  store.set_on_change([&] { ++changes; });
  ManifestFolder folder(io, dir.path, store);
  folder.start();
  CHECK(folder.reloads() == 1);
  CHECK(store.size() == 3);
  CHECK(store.all<k8s::Ingress>().size() == 1);

  SECTION("an edited file is diffed: changed objects update, dropped ones go") {
    dir.write("a.yaml", service("a", 81));
    REQUIRE(run_until(io, [&] { return port_of(store, "a") == 81; }));
    CHECK(store.all<k8s::Ingress>().empty());
    CHECK(port_of(store, "b") == 80);
  }
  SECTION("a file saved by rename is picked up") {
    dir.write_then_rename("b.yml", service("b", 82));
    REQUIRE(run_until(io, [&] { return port_of(store, "b") == 82; }));
  }
  SECTION("a deleted file removes its objects") {
    fs::remove(dir.path / "b.yml");
    REQUIRE(run_until(io, [&] { return port_of(store, "b") == 0; }));
    CHECK(store.size() == 2);
  }
  SECTION("a file moved in from elsewhere is loaded, one moved out is unloaded") {
    TempDir other;
    other.write("c.json", R"({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "c"},
                              "spec": {"ports": [{"port": 90}]}})");
    fs::rename(other.path / "c.json", dir.path / "c.json");
    REQUIRE(run_until(io, [&] { return port_of(store, "c") == 90; }));
    fs::rename(dir.path / "a.yaml", other.path / "a.yaml");
    REQUIRE(run_until(io, [&] { return port_of(store, "a") == 0; }));
  }
  SECTION("a broken file keeps the objects it produced last") {
    const auto before = folder.reloads();
    dir.write("b.yml", "kind: [unclosed\n");
    REQUIRE(run_until(io, [&] { return folder.reloads() > before; }));
    CHECK(port_of(store, "b") == 80);
    dir.write("b.yml", service("b", 83));  // fixing it applies again
    REQUIRE(run_until(io, [&] { return port_of(store, "b") == 83; }));
  }
  SECTION("an invalid object keeps its previous version; the rest of the file applies") {
    const auto before = folder.reloads();
    dir.write("a.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{port: x}]}\n---\n" +
                            service("a2", 84));
    REQUIRE(run_until(io, [&] { return folder.reloads() > before && port_of(store, "a2") == 84; }));
    CHECK(port_of(store, "a") == 80);
    CHECK(store.all<k8s::Ingress>().empty());
  }
  SECTION("an unchanged rewrite does not notify the store's listener") {
    const int changes_before = changes;
    const auto before = folder.reloads();
    dir.write("b.yml", service("b", 80));
    REQUIRE(run_until(io, [&] { return folder.reloads() > before; }));
    CHECK(changes == changes_before);
  }
}

TEST_CASE("an object defined in two files comes from the file whose name sorts last",
          "[manifest_folder]") {
  TempDir dir;
  dir.write("1-first.yaml", service("dup", 80));
  dir.write("2-second.yaml", service("dup", 81));
  boost::asio::io_context io;
  ObjectStore store;
  ManifestFolder folder(io, dir.path, store);
  folder.start();
  CHECK(port_of(store, "dup") == 81);

  fs::remove(dir.path / "2-second.yaml");
  REQUIRE(run_until(io, [&] { return port_of(store, "dup") == 80; }));
  dir.write("0-zeroth.yaml", service("dup", 79));
  const auto before = folder.reloads();
  REQUIRE(run_until(io, [&] { return folder.reloads() > before; }));
  CHECK(port_of(store, "dup") == 80);  // "1-first" still sorts last
}

TEST_CASE("file names the folder loads", "[manifest_folder]") {
  CHECK(is_manifest_file_name("a.yaml"));
  CHECK(is_manifest_file_name("a.yml"));
  CHECK(is_manifest_file_name("a.json"));
  CHECK_FALSE(is_manifest_file_name(".a.yaml.swp"));
  CHECK_FALSE(is_manifest_file_name(".hidden.yaml"));
  CHECK_FALSE(is_manifest_file_name("a.yaml~"));
  CHECK_FALSE(is_manifest_file_name("README.md"));
}
