// Drives MessageParser over one buffer as the proxy does (reads ending at
// given cut points, head then body, pipelined messages, finish() at EOF),
// checks its invariants, and describes every stop so two runs of the same
// bytes with different cuts (or parse paths) can be compared.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/codec/h1/common_head.h"
#include "proxy/codec/h1/message_parser.h"

namespace sluice::fuzz {

struct Drive {
  MessageParser::Kind kind = MessageParser::Kind::request;
  std::string_view bytes;
  std::vector<std::size_t> cuts;  // read boundaries, ascending, inside (0, size)
  bool response_to_head = false;
  std::size_t max_head_bytes = 0;
  std::uint64_t max_body_bytes = 0;
  int max_messages = 4;
};

[[noreturn]] inline void fail(std::string_view what, std::string_view input, const std::string& detail) {
  std::fprintf(stderr, "fuzz: %.*s\ninput (%zu bytes): %.*s\n%s\n", static_cast<int>(what.size()), what.data(),
               input.size(), static_cast<int>(input.size()), input.data(), detail.c_str());
  std::abort();
}

inline std::string span_text(const char* base, Span s) {
  return std::to_string(s.offset) + "+" + std::to_string(s.length) + "'" + std::string(s.in(base)) + "'";
}

// Every field of the head, as text (as common_head_test.cc describes it).
inline std::string describe(const MessageHead& h, const char* base) {
  std::string out = "method=" + std::to_string(h.method) + " version=" + std::to_string(h.http_major) + "." +
                    std::to_string(h.http_minor) + " status=" + std::to_string(h.status) +
                    " target=" + span_text(base, h.target) + " reason=" + span_text(base, h.reason);
  for (const auto& f : h.headers)
    out += "\n  " + span_text(base, f.name) + ": " + span_text(base, f.value) +
           " kind=" + std::to_string(static_cast<int>(f.kind));
  out += "\n host=" + std::to_string(h.host) + " id=" + std::to_string(h.request_id) +
         " xff=" + std::to_string(h.forwarded_for) + " upgrade=" + std::to_string(h.upgrade) +
         " ua=" + std::to_string(h.user_agent) + " referer=" + std::to_string(h.referer) +
         " body=" + std::to_string(h.has_body) + " chunked=" + std::to_string(h.chunked) +
         " expect=" + std::to_string(h.expect_continue) + " conn=" + std::to_string(h.connection_upgrade) +
         std::to_string(h.connection_close) + std::to_string(h.connection_keep_alive) +
         " length=" + std::to_string(h.content_length) + " tokens=";
  for (const auto& t : h.connection_tokens) out += span_text(base, t) + ",";
  return out;
}

// Every span of a finished head lies within the bytes parsed so far.
inline void check_spans(const MessageHead& h, const Drive& d, std::size_t parsed) {
  auto inside = [&](Span s) { return s.empty() || std::size_t{s.offset} + s.length <= parsed; };
  bool ok = inside(h.target) && inside(h.reason);
  for (const auto& f : h.headers) ok = ok && inside(f.name) && inside(f.value);
  for (const auto& t : h.connection_tokens) ok = ok && inside(t);
  if (!ok) fail("a span of the head points past the parsed bytes", d.bytes, describe(h, d.bytes.data()));
}

// RFC 9110 6.4.1: a response to HEAD and a 1xx, 204 or 304 response end
// with their head, whatever Content-Length or Transfer-Encoding say.
inline bool bodyless_response(const Drive& d, const MessageHead& h) {
  return d.kind == MessageParser::Kind::response &&
         (d.response_to_head || h.status < 200 || h.status == 204 || h.status == 304);
}

// Runs the parser over `d` and returns what it reported at each stop.
inline std::string drive(const Drive& d) {
  const char* base = d.bytes.data();
  const std::size_t size = d.bytes.size();
  MessageParser p(d.kind);
  p.set_limits(d.max_head_bytes, d.max_body_bytes);
  std::size_t pos = 0;
  std::size_t next_cut = 0;
  std::size_t avail = d.cuts.empty() ? size : d.cuts[0];
  std::string out;
  for (int message = 0; message < d.max_messages; ++message) {
    p.start_message();
    p.set_response_to_head(d.response_to_head);
    std::size_t head_end = SIZE_MAX;
    bool complete = false;
    for (int call = 0; call < 64 && !complete; ++call) {
      std::size_t consumed = 0;
      const ParseStatus status = p.execute(base, pos, avail, consumed);
      if (consumed > avail - pos)
        fail("execute consumed more than it was given", d.bytes,
             std::to_string(consumed) + " of " + std::to_string(avail - pos));
      if (status == ParseStatus::need_more && consumed != avail - pos)
        fail("need_more left bytes unconsumed", d.bytes,
             std::to_string(consumed) + " of " + std::to_string(avail - pos));
      pos += consumed;
      if (status == ParseStatus::error) return out + "error=" + std::to_string(static_cast<int>(p.error()));
      if (head_end != SIZE_MAX && p.body_bytes() > pos - head_end)
        fail("more body bytes than bytes after the head", d.bytes, std::to_string(p.body_bytes()));
      if (p.in_body() && bodyless_response(d, p.head()))
        fail("a bodyless response waits for a body", d.bytes, describe(p.head(), base));
      if (status == ParseStatus::need_more) {
        if (avail < size) {  // the next read
          avail = ++next_cut < d.cuts.size() ? d.cuts[next_cut] : size;
          continue;
        }
        return out + "eof in_body=" + std::to_string(p.in_body()) + " finish=" + std::to_string(p.finish()) +
               " body_bytes=" + std::to_string(p.body_bytes());
      }
      check_spans(p.head(), d, pos);
      out += (status == ParseStatus::head_complete ? "head at=" : "message at=") + std::to_string(pos) + " " +
             describe(p.head(), base) + " keep_alive=" + std::to_string(p.keep_alive()) +
             " eof=" + std::to_string(p.needs_eof()) + " upgrade=" + std::to_string(p.is_upgrade()) +
             " body_bytes=" + std::to_string(p.body_bytes()) + " in_body=" + std::to_string(p.in_body()) + "\n";
      if (status == ParseStatus::head_complete) {
        if (p.is_upgrade()) return out + "upgrade";
        head_end = pos;
        continue;
      }
      // message_complete: the body is exactly what the head announced.
      const MessageHead& h = p.head();
      const bool bodyless = bodyless_response(d, h);
      if (!h.chunked && !bodyless && !p.needs_eof() && p.body_bytes() != h.content_length)
        fail("a Content-Length body completed with another length", d.bytes, describe(h, base));
      if (bodyless && p.body_bytes() != 0)
        fail("a bodyless response completed with body bytes", d.bytes, describe(h, base));
      if (d.kind == MessageParser::Kind::request && d.max_body_bytes != 0 && p.body_bytes() > d.max_body_bytes)
        fail("a request body passed the body limit", d.bytes, describe(h, base));
      complete = true;
    }
    if (!complete) fail("64 calls without finishing a message", d.bytes, out);
    if (!p.keep_alive() || p.is_upgrade()) return out + "close";
  }
  return out + "stop";
}

// Read boundaries from fuzzer bytes: each byte is a fraction of the size.
inline std::vector<std::size_t> cuts_from(const std::uint8_t* fractions, std::size_t n, std::size_t size) {
  std::vector<std::size_t> cuts;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t at = fractions[i] * size / 256;
    if (at > 0 && at < size) cuts.push_back(at);
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  return cuts;
}

// Which limit or rule an invalid message breaks first may depend on where a
// read ends (a head both too long and malformed is a 431 if the read stops
// past the limit, a 400 if llhttp sees the bad byte first), as for nginx;
// either way it is refused. Split runs are compared without the kind.
inline std::string without_error_kind(std::string s) {
  // A drive that failed ends with "error=N", N one digit.
  if (s.size() >= 7 && s.compare(s.size() - 7, 6, "error=") == 0) s.resize(s.size() - 1);
  return s;
}

// The same bytes must parse the same however the reads fall.
inline void expect_same(const std::string& a, const std::string& b, std::string_view what, std::string_view input) {
  if (a != b) fail(what, input, "--- one way:\n" + a + "\n--- the other:\n" + b);
}

}  // namespace sluice::fuzz
