// AccessLogFormatter: appends fields by hand (no printf on the hot path).
#include "proxy/observe/access_log/access_log_format.h"

#include "common/strings.h"

#include <charconv>
#include <chrono>

namespace sluice {

namespace {

using steady = std::chrono::steady_clock;

constexpr char hex_digits[] = "0123456789abcdef";

void append_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

// Seconds with millisecond resolution, as nginx writes $request_time.
void append_seconds(std::string& out, steady::duration d) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  if (ms < 0) ms = 0;
  append_uint(out, static_cast<std::uint64_t>(ms / 1000));
  out += '.';
  const auto frac = static_cast<int>(ms % 1000);
  out += static_cast<char>('0' + frac / 100);
  out += static_cast<char>('0' + frac / 10 % 10);
  out += static_cast<char>('0' + frac % 10);
}

void append_or_dash(std::string& out, std::string_view s) {
  if (s.empty()) out += '-';
  else out += s;
}

// The wall-clock time the exchange ended.
std::chrono::system_clock::time_point end_time(const ExchangeRecord& r) {
  if (r.start_wall == std::chrono::system_clock::time_point{} || r.end < r.start)
    return std::chrono::system_clock::now();
  return r.start_wall + std::chrono::duration_cast<std::chrono::system_clock::duration>(r.end - r.start);
}

// ingress-nginx's $proxy_upstream_name: namespace-service-port.
void append_upstream_name(std::string& out, const Backend* b) {
  if (!b) return;
  out += b->service_namespace;
  out += '-';
  out += b->service_name;
  out += '-';
  out += b->service_port;
}


}  // namespace

bool parse_access_log_format(std::string_view s, AccessLogFormat& out) {
  if (s == "text") out = AccessLogFormat::text;
  else if (s == "json") out = AccessLogFormat::json;
  else return false;
  return true;
}

void append_log_escaped(std::string& out, std::string_view s) {
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\' || c < 0x20 || c >= 0x7f) {
      out += "\\x";
      out += hex_digits[c >> 4];
      out += hex_digits[c & 0xf];
    } else {
      out += ch;
    }
  }
}


void AccessLogFormatter::update_clock(std::time_t second) {
  cached_second_ = second;
  std::tm tm{};
  gmtime_r(&second, &tm);
  std::strftime(text_time_, sizeof text_time_, "%d/%b/%Y:%H:%M:%S +0000", &tm);
  std::strftime(iso_time_, sizeof iso_time_, "%Y-%m-%dT%H:%M:%S", &tm);
}

void AccessLogFormatter::format(const ExchangeRecord& r, std::string& out) {
  out.clear();
  if (format_ == AccessLogFormat::json) format_json(r, out);
  else format_text(r, out);
  out += '\n';
}

void AccessLogFormatter::format_text(const ExchangeRecord& r, std::string& out) {
  const auto end = end_time(r);
  const std::time_t second = std::chrono::system_clock::to_time_t(end);
  if (second != cached_second_) update_clock(second);
  const steady::time_point none{};

  append_or_dash(out, r.client_ip);
  out += " - - [";
  out += text_time_;
  out += "] \"";
  if (r.method.empty()) {
    out += '-';
  } else {
    append_log_escaped(out, r.method);
    out += ' ';
    append_log_escaped(out, r.target);
    out += " HTTP/1.";
    out += static_cast<char>('0' + r.http_minor % 10);
  }
  out += "\" ";
  append_uint(out, static_cast<std::uint64_t>(r.status));
  out += ' ';
  append_uint(out, r.response_bytes);
  out += " \"";
  if (r.referer.empty()) out += '-';
  else append_log_escaped(out, r.referer);
  out += "\" \"";
  if (r.user_agent.empty()) out += '-';
  else append_log_escaped(out, r.user_agent);
  out += "\" ";
  append_uint(out, r.request_bytes);
  out += ' ';
  append_seconds(out, r.start != none && r.end >= r.start ? r.end - r.start : steady::duration{});
  out += " [";
  append_upstream_name(out, r.backend);
  out += "] [] ";
  append_or_dash(out, r.upstream_address);
  out += " - ";
  if (r.upstream_start != none && r.end >= r.upstream_start) append_seconds(out, r.end - r.upstream_start);
  else out += '-';
  out += ' ';
  if (r.upstream_status) append_uint(out, static_cast<std::uint64_t>(r.upstream_status));
  else out += '-';
  out += ' ';
  append_or_dash(out, r.request_id);
  out += ' ';
  if (r.route) {
    out += r.route->ingress_namespace;
    out += '/';
    out += r.route->ingress_name;
    out += '/';
    if (r.backend) out += r.backend->service_name;
  } else {
    out += '-';
  }
}

namespace {

// The fields of one JSON line, appended to its string.
class JsonFields {
 public:
  explicit JsonFields(std::string& out) : out_(out) {}
  std::string& key(std::string_view k) {
    out_ += out_.size() > 1 ? ",\"" : "\"";
    out_ += k;
    out_ += "\":";
    return out_;
  }
  void string(std::string_view k, std::string_view v) {
    key(k) += '"';
    append_json_string_body(out_, v);
    out_ += '"';
  }
  void nullable(std::string_view k, std::string_view v) {
    if (v.empty()) key(k) += "null";
    else string(k, v);
  }

 private:
  std::string& out_;
};

// What the backend side of the exchange did (nulls when it had none).
void upstream_fields(JsonFields& j, std::string& out, const ExchangeRecord& r) {
  const steady::time_point none{};
  j.key("upstream_name");
  if (r.backend) {
    out += '"';
    append_json_string_body(out, r.backend->service_namespace);
    out += '-';
    append_json_string_body(out, r.backend->service_name);
    out += '-';
    append_json_string_body(out, r.backend->service_port);
    out += '"';
  } else {
    out += "null";
  }
  j.nullable("upstream_addr", r.upstream_address);
  j.key("upstream_status");
  if (r.upstream_status) append_uint(out, static_cast<std::uint64_t>(r.upstream_status));
  else out += "null";
  j.key("upstream_response_time");
  if (r.upstream_start != none && r.end >= r.upstream_start) append_seconds(out, r.end - r.upstream_start);
  else out += "null";
  j.nullable("namespace", r.route ? std::string_view(r.route->ingress_namespace) : std::string_view());
  j.nullable("ingress", r.route ? std::string_view(r.route->ingress_name) : std::string_view());
  j.nullable("service", r.backend ? std::string_view(r.backend->service_name) : std::string_view());
}

}  // namespace

void AccessLogFormatter::format_json(const ExchangeRecord& r, std::string& out) {
  const auto end = end_time(r);
  const std::time_t second = std::chrono::system_clock::to_time_t(end);
  if (second != cached_second_) update_clock(second);
  const steady::time_point none{};
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(end.time_since_epoch()).count() % 1000;
  JsonFields j(out);

  out += '{';
  j.key("time") += '"';
  out += iso_time_;
  out += '.';
  out += static_cast<char>('0' + ms / 100);
  out += static_cast<char>('0' + ms / 10 % 10);
  out += static_cast<char>('0' + ms % 10);
  out += "Z\"";
  j.string("remote_addr", r.client_ip);
  j.string("request_id", r.request_id);
  j.nullable("method", r.method);
  j.nullable("uri", r.target);
  j.key("protocol") += r.method.empty() ? "null" : (r.http_minor == 0 ? "\"HTTP/1.0\"" : "\"HTTP/1.1\"");
  j.key("scheme") += r.tls ? "\"https\"" : "\"http\"";
  j.string("host", r.host);
  append_uint(j.key("status"), static_cast<std::uint64_t>(r.status));
  append_uint(j.key("bytes_sent"), r.response_bytes);
  append_uint(j.key("request_length"), r.request_bytes);
  append_seconds(j.key("request_time"), r.start != none && r.end >= r.start ? r.end - r.start : steady::duration{});
  j.nullable("http_referer", r.referer);
  j.nullable("http_user_agent", r.user_agent);
  upstream_fields(j, out, r);
  if (r.error != ProxyError::none) j.string("error", describe(r.error));
  out += '}';
}

}  // namespace sluice
