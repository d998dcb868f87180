// The CPU work of one proxied request outside the kernel: parse a typical
// browser request head (llhttp via MessageParser), rewrite it for the backend
// (build_upstream_head), then parse the backend's response head and rewrite
// it for the client (build_downstream_head). No sockets.
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

#include "common/model/route_table.h"
#include "proxy/codec/h1/header_rewrite.h"
#include "proxy/codec/h1/message_parser.h"

namespace {

using sluice::MessageParser;
using sluice::ParseStatus;

// What Chrome sends for a same-site navigation (16 fields, ~1.1 KiB).
constexpr std::string_view browser_request =
    "GET /products/4711/reviews?sort=newest&page=2 HTTP/1.1\r\n"
    "Host: shop.example.com\r\n"
    "Connection: keep-alive\r\n"
    "sec-ch-ua: \"Not_A Brand\";v=\"8\", \"Chromium\";v=\"120\", \"Google Chrome\";v=\"120\"\r\n"
    "sec-ch-ua-mobile: ?0\r\n"
    "sec-ch-ua-platform: \"Linux\"\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7\r\n"
    "Sec-Fetch-Site: same-origin\r\n"
    "Sec-Fetch-Mode: navigate\r\n"
    "Sec-Fetch-User: ?1\r\n"
    "Sec-Fetch-Dest: document\r\n"
    "Referer: https://shop.example.com/products/4711\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Accept-Language: en-US,en;q=0.9,de;q=0.8\r\n"
    "Cookie: session=4f2a9c1e7b3d4e5f8a9b0c1d2e3f4a5b; _ga=GA1.2.1234567890.1700000000; "
    "_gid=GA1.2.987654321.1700000000; cart=3; consent=analytics%3Dtrue%26ads%3Dfalse\r\n"
    "\r\n";

// A small backend response head (what `sluice echo` sends).
constexpr std::string_view backend_response =
    "HTTP/1.1 200 OK\r\n"
    "Server: sluice-echo\r\n"
    "Date: Thu, 26 Nov 2026 04:58:19 GMT\r\n"
    "X-Request-ID: 57fa0c82895e0df30b6682d3cc226ccc\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 140\r\n"
    "\r\n";

sluice::ForwardFacts facts_for(const MessageParser& p, const char* base) {
  sluice::ForwardFacts f;
  f.client_ip = "203.0.113.9";
  f.proto = "http";
  f.port = "8080";
  f.request_id = "6ccd350709dd92b76cdfabbcbf92d5c5";
  f.generated_request_id = true;
  f.target = p.head().target.in(base);
  return f;
}

bool parse(MessageParser& p, std::string_view bytes) {
  p.start_message();
  std::size_t consumed = 0;
  auto status = p.execute(bytes.data(), 0, bytes.size(), consumed);
  return status == ParseStatus::head_complete || status == ParseStatus::message_complete;
}

void BM_ParseRequest(benchmark::State& state) {
  MessageParser p(MessageParser::Kind::request);
  p.set_limits(32 * 1024, 0);
  for (auto _ : state) {
    if (!parse(p, browser_request)) { state.SkipWithError("parse failed"); break; }
    benchmark::DoNotOptimize(p.head());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(browser_request.size()));
}

void BM_ParseAndRewriteRequest(benchmark::State& state) {
  MessageParser p(MessageParser::Kind::request);
  p.set_limits(32 * 1024, 0);
  std::string out;
  for (auto _ : state) {
    if (!parse(p, browser_request)) { state.SkipWithError("parse failed"); break; }
    sluice::build_upstream_head(out, p.head(), browser_request.data(), facts_for(p, browser_request.data()));
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["upstream_head_bytes"] = static_cast<double>(out.size());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(browser_request.size()));
}

void BM_ParseAndRewriteResponse(benchmark::State& state) {
  MessageParser p(MessageParser::Kind::response);
  std::string out;
  for (auto _ : state) {
    if (!parse(p, backend_response)) { state.SkipWithError("parse failed"); break; }
    const char* base = backend_response.data();
    sluice::build_downstream_head(out, p.head(), base, p.head().reason.in(base), {});
    benchmark::DoNotOptimize(out.data());
  }
}

// Everything above plus the route lookup, per request.
void BM_WholeRequestHeadPath(benchmark::State& state) {
  sluice::RouteTableBuilder b;
  sluice::Backend backend;
  backend.name = "shop/web:80";
  sluice::Route r;
  r.host = "shop.example.com";
  r.path = "/products";
  r.backend = b.add_backend(backend);
  b.add_route(r);
  auto table = std::move(b).build(1);

  MessageParser req(MessageParser::Kind::request);
  req.set_limits(32 * 1024, 0);
  MessageParser resp(MessageParser::Kind::response);
  std::string up, down;
  const char* base = browser_request.data();
  for (auto _ : state) {
    if (!parse(req, browser_request)) { state.SkipWithError("parse failed"); break; }
    const auto& h = req.head();
    auto m = table->match(h.headers[static_cast<std::size_t>(h.host)].value.in(base), h.target.in(base));
    benchmark::DoNotOptimize(m);
    sluice::build_upstream_head(up, h, base, facts_for(req, base));
    if (!parse(resp, backend_response)) { state.SkipWithError("parse failed"); break; }
    sluice::build_downstream_head(down, resp.head(), backend_response.data(),
                                  resp.head().reason.in(backend_response.data()), {});
    benchmark::DoNotOptimize(down.data());
  }
}

BENCHMARK(BM_ParseRequest);
BENCHMARK(BM_ParseAndRewriteRequest);
BENCHMARK(BM_ParseAndRewriteResponse);
BENCHMARK(BM_WholeRequestHeadPath);

}  // namespace

BENCHMARK_MAIN();
