// What the `sluice ctl` views share: one GET to the admin listener, the
// JSON accessors over its answers, and kubectl-style tables.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::app {

inline constexpr std::string_view default_admin = "127.0.0.1:10254";

// GET http://admin/target; returns false with `error` set when it failed.
bool admin_get(std::string_view admin, const std::string& target, int& status, std::string& body,
               std::string& error);
std::string url_encode(std::string_view s);
// "http://host:port/path?q" (or "host/path") -> the Host value and the target.
bool split_url(std::string_view url, std::string& host, std::string& path);

// Missing or mistyped members read as empty, 0, false.
std::string str(simdjson::dom::element e, std::string_view key);
std::uint64_t num(simdjson::dom::element e, std::string_view key);
double real(simdjson::dom::element e, std::string_view key);
bool flag(simdjson::dom::element e, std::string_view key);
simdjson::dom::array array_of(simdjson::dom::element e, std::string_view key);

// Columns padded to their widest cell, two spaces apart; the last unpadded.
// owned by the caller (the ctl command's one thread)
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.size() == 1; }
  std::string render(std::string_view indent = {}) const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace sluice::app
