// The common-head parser against llhttp: for every input, MessageParser must
// give the same result whether the head took the common path or llhttp's.
// llhttp alone is forced by handing MessageParser the first byte on its own
// (the common path only takes a head that is all there on the first call).
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "proxy/codec/h1/common_head.h"
#include "proxy/codec/h1/message_parser.h"

using namespace sluice;

namespace {

struct Input {
  MessageParser::Kind kind;
  std::string bytes;
  bool response_to_head = false;
  std::size_t max_head_bytes = 1024;
  std::uint64_t max_body_bytes = 0;
};

std::string span_text(const char* base, Span s) {
  return std::to_string(s.offset) + "+" + std::to_string(s.length) + "'" + std::string(s.in(base)) + "'";
}

// Every field of the head, as text, so a difference names itself.
std::string describe(const MessageHead& h, const char* base) {
  std::string out = "method=" + std::to_string(h.method) + " version=" + std::to_string(h.http_major) + "." +
                    std::to_string(h.http_minor) + " status=" + std::to_string(h.status) +
                    " target=" + span_text(base, h.target) + " reason=" + span_text(base, h.reason);
  for (const auto& f : h.headers)
    out += "\n  " + span_text(base, f.name) + ": " + span_text(base, f.value) + " kind=" +
           std::to_string(static_cast<int>(f.kind));
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

// Parses one message as the proxy does (head, then body) and describes what
// the parser reported at each stop.
std::string run(const Input& in, bool llhttp_only) {
  MessageParser p(in.kind);
  p.set_limits(in.max_head_bytes, in.max_body_bytes);
  p.start_message();
  p.set_response_to_head(in.response_to_head);
  const char* base = in.bytes.data();
  std::size_t pos = 0;
  std::string out;
  for (int call = 0; call < 8; ++call) {
    const std::size_t to = llhttp_only && call == 0 ? std::min<std::size_t>(1, in.bytes.size()) : in.bytes.size();
    std::size_t consumed = 0;
    const ParseStatus status = p.execute(base, pos, to, consumed);
    pos += consumed;
    if (status == ParseStatus::need_more && to < in.bytes.size()) continue;
    out += "status=" + std::to_string(static_cast<int>(status));
    // Where an error stopped is not reported (the proxy replies and closes).
    if (status == ParseStatus::error) return out + " error=" + std::to_string(static_cast<int>(p.error()));
    out += " at=" + std::to_string(pos);
    out += " " + describe(p.head(), base) + " keep_alive=" + std::to_string(p.keep_alive()) +
           " eof=" + std::to_string(p.needs_eof()) + " upgrade=" + std::to_string(p.is_upgrade()) +
           " body_bytes=" + std::to_string(p.body_bytes()) + " in_body=" + std::to_string(p.in_body()) + "\n";
    if (status != ParseStatus::head_complete || p.is_upgrade()) return out;
  }
  return out + " finish=" + std::to_string(p.finish());
}

bool takes_common_path(const Input& in) {
  MessageHead head;
  const char* base = in.bytes.data();
  return in.kind == MessageParser::Kind::request
             ? parse_common_request_head(base, 0, in.bytes.size(), in.max_head_bytes, in.max_body_bytes, head) > 0
             : parse_common_response_head(base, 0, in.bytes.size(), head) > 0;
}

template <std::size_t N>
std::string pick(std::mt19937& rng, const char* const (&options)[N]) {  // the first is the likeliest
  if (std::bernoulli_distribution(0.6)(rng)) return options[0];
  return options[std::uniform_int_distribution<std::size_t>(0, N - 1)(rng)];
}

bool chance(std::mt19937& rng, double p) { return std::bernoulli_distribution(p)(rng); }

std::string random_field(std::mt19937& rng) {
  static const char* const plain[] = {
      "Connection: close", "Connection: keep-alive", "Accept: */*",
      "X-Request-ID: abc", "User-Agent: wrk", "X-Spaces:  \t a b \t ", "Expect: 100-continue", "X-Empty:"};
  if (chance(rng, 0.85)) return pick(rng, plain);
  static const char* const fields[] = {
      "Host: example.com", "Host: a:8080", "Content-Length: 5", "Content-Length: 0", "Content-Length: 007",
      "Content-Length: ", "Content-Length: 3x", "Content-Length:  5 ", "Content-Length: 5\t", "Content-Length: 5 \t",
      "Content-Length:\t5", "Content-Length: 99999999999999999999",
      "Content-Length: 1234567890123456", "Content-Length: -1", "Content-Length: +5",
      "Transfer-Encoding: chunked", "Transfer-Encoding: gzip", "Connection: close", "Connection: keep-alive",
      "Connection: CLOSE", "Connection: Keep-Alive", "Connection: upgrade", "Connection: close, x-a",
      "Connection: x-a", "Connection:", "Proxy-Connection: close", "Upgrade: websocket", "Expect: 100-continue",
      "Expect: 100-Continue", "X-Request-ID: abc", "X-Request-ID:", "User-Agent: wrk/4.1 (x; y)",
      "Referer: http://r/p?q", "X-Forwarded-For: 10.0.0.1", "Accept: */*", "X-Empty:", "X-Spaces:  \t a b \t ",
      "X-Tab:\tv", "x-token!#$%&'*+-.^_`|~: v", "Cookie: a=b; c=\"d\"", "Keep-Alive: timeout=5", "TE: trailers",
      "Trailer: X-T", "X-Obs-Text: caf\xc3\xa9", "X-Ctl: a\x01" "b", "X-Del: a\x7f", "Bad Name: v", "Bad\"Name: v",
      ": empty-name", "X-Long: 0123456789012345678901234567890123456789"};
  return pick(rng, fields);
}

std::string mutate(std::mt19937& rng, std::string s) {
  static const char specials[] = {'\0', '\r', '\n', ' ', '\t', ':', '/', '#', '?', '"', '\x7f', '\x80', '\xff', 'A', '1'};
  const int edits = std::uniform_int_distribution<int>(1, 2)(rng);
  for (int i = 0; i < edits && !s.empty(); ++i) {
    const std::size_t at = std::uniform_int_distribution<std::size_t>(0, s.size() - 1)(rng);
    char c = chance(rng, 0.7) ? specials[std::uniform_int_distribution<std::size_t>(0, sizeof specials - 1)(rng)]
                              : static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
    switch (std::uniform_int_distribution<int>(0, 2)(rng)) {
      case 0: s[at] = c; break;
      case 1: s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), c); break;
      default: s.erase(at, 1); break;
    }
  }
  return s;
}

std::string random_fields_and_body(std::mt19937& rng) {
  std::string fields;
  const int n = std::uniform_int_distribution<int>(0, 6)(rng);
  // Each draw is its own statement: the operands of + are evaluated in an
  // unspecified order, and gcc and clang would test different heads.
  for (int i = 0; i < n; ++i) {
    fields += random_field(rng);
    fields += chance(rng, 0.03) ? "\n" : "\r\n";
  }
  std::string body = std::string("hello world, hello world").substr(0, std::uniform_int_distribution<std::size_t>(0, 24)(rng));
  // Mostly one Content-Length that matches the body, as real messages have.
  if (chance(rng, 0.6)) fields.insert(0, "Content-Length: " + std::to_string(body.size()) + "\r\n");
  std::string out = fields + "\r\n" + body;
  if (chance(rng, 0.2)) out += "GET / HTTP/1.1\r\nHost: next\r\n\r\n";
  return out;
}

Input random_request(std::mt19937& rng) {
  static const char* const methods[] = {"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH",
                                        "CONNECT", "TRACE", "get", "PROPFIND", "GET "};
  static const char* const targets[] = {"/", "/a?b=c&d", "/%7e/x;y,z", "/a#frag", "*", "http://h/p", "/a:b@c",
                                        "/~user/$!'()*+=", "//double", "/caf\xc3\xa9", "/[x]", "/{}|\\^`",
                                        "/\"<>", "/a b", "a"};
  static const char* const versions[] = {"HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0",
                                         "HTTP/1.2", "http/1.1", "HTTP/1.1 ", "HTTP/1"};
  Input in{MessageParser::Kind::request, {}};
  std::string line = pick(rng, methods);
  line += " ";
  line += pick(rng, targets);
  line += " ";
  line += pick(rng, versions);
  line += "\r\n";
  in.bytes = line;
  if (chance(rng, 0.8)) in.bytes += "Host: h\r\n";
  in.bytes += random_fields_and_body(rng);
  if (chance(rng, 0.3)) in.bytes = mutate(rng, in.bytes);
  if (chance(rng, 0.1)) in.max_head_bytes = 40;
  if (chance(rng, 0.1)) in.max_body_bytes = 4;
  return in;
}

Input random_response(std::mt19937& rng) {
  static const char* const lines[] = {"HTTP/1.1 200 OK", "HTTP/1.1 200 ", "HTTP/1.1 200", "HTTP/1.1 404 Not Found",
                                      "HTTP/1.1 500 x\ty", "HTTP/1.1 204 No Content", "HTTP/1.1 304 Not Modified",
                                      "HTTP/1.1 101 Switching", "HTTP/1.1 100 Continue", "HTTP/1.1 599 Z",
                                      "HTTP/1.1 600 Z", "HTTP/1.1 099 Z", "HTTP/1.0 200 OK", "HTTP/1.1 20 OK",
                                      "HTTP/1.1  200 OK", "HTTP/1.1 200  OK", "HTTP/1.1 2000 OK",
                                      "HTTP/1.1 200 caf\xc3\xa9", "HTTP/2 200 OK"};
  Input in{MessageParser::Kind::response, {}};
  in.bytes = pick(rng, lines);
  in.bytes += "\r\n";
  in.bytes += random_fields_and_body(rng);
  if (chance(rng, 0.3)) in.bytes = mutate(rng, in.bytes);
  in.response_to_head = chance(rng, 0.2);
  return in;
}

}  // namespace

TEST_CASE("the common path and llhttp agree on every generated head", "[http]") {
  std::mt19937 rng(20261126);
  int common = 0;
  int llhttp = 0;
  for (int i = 0; i < 40000; ++i) {
    const Input in = i % 2 == 0 ? random_request(rng) : random_response(rng);
    (takes_common_path(in) ? common : llhttp)++;
    const std::string with_common = run(in, false);
    const std::string with_llhttp = run(in, true);
    if (with_common != with_llhttp) {
      INFO("input: " << in.bytes);
      CHECK(with_common == with_llhttp);
    }
  }
  // Both paths must really have been exercised.
  CHECK(common > 5000);
  CHECK(llhttp > 5000);
}

TEST_CASE("the common path and llhttp agree on hand-picked edges", "[http]") {
  using K = MessageParser::Kind;
  std::string many_fields = "GET / HTTP/1.1\r\nHost: a\r\n";
  for (int i = 0; i < 127; ++i) many_fields += "X-F: " + std::to_string(i) + "\r\n";
  const std::string long_value = "GET / HTTP/1.1\r\nHost: a\r\nX-Long: 0123456789abcdefghijklmnopqrstuv";
  std::vector<Input> inputs = {
      {K::request, many_fields + "\r\n", false, 8192},                    // 128 fields: the most allowed
      {K::request, many_fields + "X-F: one more\r\n\r\n", false, 8192},  // 129: 431
      {K::request, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 123456789012345\r\n\r\n"},
      {K::request, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1234567890123456\r\n\r\n"},
      {K::request, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", false, 27},  // the head is exactly the limit
      {K::request, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", false, 26},  // one byte over
      {K::request, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", false, 1024, 4},
      {K::response, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi"},
      {K::response, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", true},
      {K::response, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"},
  };
  // A byte no value may hold, at every offset of the 16-byte blocks.
  for (char bad : {'\0', '\x7f', '\x80', '\xff', '\r', '\n', '\x1f'}) {
    for (std::size_t at = 0; at < 32; ++at) {
      std::string req = long_value + "\r\n\r\n";
      req[req.find("0123") + at] = bad;
      inputs.push_back({K::request, req});
    }
  }
  for (const auto& in : inputs) {
    INFO("input: " << in.bytes);
    CHECK(run(in, false) == run(in, true));
  }
  CHECK(takes_common_path(inputs[0]));
  CHECK(takes_common_path(inputs[4]));
  CHECK_FALSE(takes_common_path(inputs[5]));
}

TEST_CASE("a plain request takes the common path with every fact recorded", "[http]") {
  const std::string req =
      "POST /upload?x=1 HTTP/1.1\r\nHost: Example.COM:8080\r\nContent-Length: 5\r\nX-Request-ID: abc \r\n"
      "Connection: keep-alive\r\nExpect: 100-continue\r\nUser-Agent: curl/8\r\nX-Forwarded-For: 1.2.3.4\r\n\r\nhello";
  MessageHead head;
  const std::size_t length = parse_common_request_head(req.data(), 0, req.size(), 1024, 0, head);
  REQUIRE(length == req.size() - 5);
  const char* b = req.data();
  CHECK(head.method == HTTP_POST);
  CHECK(head.target.in(b) == "/upload?x=1");
  REQUIRE(head.headers.size() == 7);
  CHECK(head.headers[head.host].value.in(b) == "Example.COM:8080");
  CHECK(head.headers[head.request_id].value.in(b) == "abc");
  CHECK(head.headers[head.user_agent].value.in(b) == "curl/8");
  CHECK(head.headers[head.forwarded_for].value.in(b) == "1.2.3.4");
  CHECK(head.content_length == 5);
  CHECK(head.has_body);
  CHECK(head.expect_continue);
  CHECK(head.connection_keep_alive);
  CHECK_FALSE(head.connection_close);
}

TEST_CASE("heads the common path leaves to llhttp", "[http]") {
  const char* const declined[] = {
      "GET / HTTP/1.1\r\nHost: a\r\n",                                        // not complete yet
      "GET / HTTP/1.0\r\nHost: a\r\n\r\n",                                    // another version
      "GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n",                            // absolute form
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",     // chunked
      "GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: ws\r\n\r\n",  // upgrade
      "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n",                    // obs-fold
      "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",                         // two Host
      "GET / HTTP/1.1\r\nX: y\r\n\r\n",                                       // no Host
      "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: caf\xc3\xa9\r\n\r\n",                          // obs-text
  };
  for (const char* text : declined) {
    const std::string req = text;
    MessageHead head;
    INFO(req);
    CHECK(parse_common_request_head(req.data(), 0, req.size(), 1024, 0, head) == 0);
  }
  const std::string close_delimited = "HTTP/1.1 200 OK\r\nServer: x\r\n\r\nbody until close";
  MessageHead head;
  CHECK(parse_common_response_head(close_delimited.data(), 0, close_delimited.size(), head) == 0);
}

TEST_CASE("one parser alternates between the common path and llhttp", "[http]") {
  const std::string stream =
      "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
      "POST /2 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
      "POST /3 HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nwxyz"
      "GET /4 HTTP/1.0\r\n\r\n";
  MessageParser p(MessageParser::Kind::request);
  std::size_t pos = 0;
  std::vector<std::string> targets;
  std::vector<std::uint64_t> bodies;
  for (int message = 0; message < 4; ++message) {
    p.start_message();
    std::size_t consumed = 0;
    ParseStatus status = p.execute(stream.data(), pos, stream.size(), consumed);
    pos += consumed;
    targets.emplace_back(p.head().target.in(stream.data()));
    if (status == ParseStatus::head_complete) {
      status = p.execute(stream.data(), pos, stream.size(), consumed);
      pos += consumed;
    }
    REQUIRE(status == ParseStatus::message_complete);
    bodies.push_back(p.body_bytes());
  }
  CHECK(targets == std::vector<std::string>{"/1", "/2", "/3", "/4"});
  CHECK(bodies == std::vector<std::uint64_t>{0, 3, 4, 0});
  CHECK(pos == stream.size());
  CHECK_FALSE(p.keep_alive());  // HTTP/1.0 without keep-alive
}

TEST_CASE("a Content-Length body on the common path arrives in pieces", "[http]") {
  const std::string resp = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789";
  const std::size_t head_length = resp.find("0123");
  MessageParser p(MessageParser::Kind::response);
  p.start_message();
  std::size_t consumed = 0;
  REQUIRE(p.execute(resp.data(), 0, head_length + 3, consumed) == ParseStatus::head_complete);
  CHECK(consumed == head_length);
  CHECK(p.execute(resp.data(), head_length, head_length + 3, consumed) == ParseStatus::need_more);
  CHECK(consumed == 3);
  CHECK(p.in_body());
  CHECK_FALSE(p.finish());  // the backend closing now cuts the body short
  CHECK(p.execute(resp.data(), head_length + 3, resp.size(), consumed) == ParseStatus::message_complete);
  CHECK(consumed == 7);
  CHECK(p.body_bytes() == 10);
  CHECK(p.keep_alive());
}
