// One-line structured logging for start-up, the controller and the admin
// listener. Never used on the request path above debug level.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace sluice::log {

enum class level { debug = 0, info = 1, warn = 2, error = 3 };
enum class format { text, json };

void set_level(level l);
void set_format(format f);
bool enabled(level l);
// Parses "debug", "info", "warn"/"warning", "error"; false when unknown.
bool parse_level(std::string_view s, level& out);

using field = std::pair<std::string_view, std::string>;

// Writes one line: "<time> <LEVEL> <message> key=value ..." or one JSON object.
void write(level l, std::string_view message, std::initializer_list<field> fields = {});

inline void debug(std::string_view m, std::initializer_list<field> f = {}) {
  if (enabled(level::debug)) write(level::debug, m, f);
}
inline void info(std::string_view m, std::initializer_list<field> f = {}) { write(level::info, m, f); }
inline void warn(std::string_view m, std::initializer_list<field> f = {}) { write(level::warn, m, f); }
inline void error(std::string_view m, std::initializer_list<field> f = {}) { write(level::error, m, f); }

}  // namespace sluice::log
