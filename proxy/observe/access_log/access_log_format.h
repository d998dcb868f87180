// One access-log line per exchange, in ingress-nginx's upstream log format
// (what its users' log parsers already read) or as one JSON object.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

#include "proxy/http/exchange_record.h"

namespace sluice {

enum class AccessLogFormat { text, json };

// Parses "text" or "json"; false on anything else.
bool parse_access_log_format(std::string_view s, AccessLogFormat& out);

// worker-confined: it caches the text of the current second, so formatting
// a line costs no time-zone or strftime work, and `out` keeps its capacity,
// so it allocates nothing once warm.
//
// text: ingress-nginx's log-format-upstream, field for field, then
// namespace/ingress/service:
//   $remote_addr - $remote_user [$time_local] "$request" $status $bytes_sent
//   "$http_referer" "$http_user_agent" $request_length $request_time
//   [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr
//   $upstream_response_length $upstream_response_time $upstream_status $req_id
//   $namespace/$ingress/$service
// Differences: the byte count includes the response head (nginx's
// $bytes_sent, not $body_bytes_sent), $upstream_response_length is always
// "-", and times are UTC. Absent values are "-", as nginx writes them.
class AccessLogFormatter {
 public:
  explicit AccessLogFormatter(AccessLogFormat format) : format_(format) {}

  // Replaces `out` with one line, ending in '\n'.
  void format(const ExchangeRecord& record, std::string& out);

 private:
  void format_text(const ExchangeRecord& r, std::string& out);
  void format_json(const ExchangeRecord& r, std::string& out);
  void update_clock(std::time_t second);

  AccessLogFormat format_;
  std::time_t cached_second_ = -1;
  char text_time_[32] = {};  // "10/Oct/2025:13:55:36 +0000"
  char iso_time_[32] = {};   // "2025-10-10T13:55:36"
};

// nginx's escaping of logged strings: '"', '\\', control bytes and bytes
// from 0x7f up become \xHH.
void append_log_escaped(std::string& out, std::string_view s);

}  // namespace sluice
