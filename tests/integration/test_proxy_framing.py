"""Malformed and ambiguous requests: the proxy answers 4xx/5xx and closes, never forwards."""

import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402
import prom  # noqa: E402
import raw_backend  # noqa: E402

HEX32 = re.compile(r"^[0-9a-f]{32}$")
MAX_HEADER_BYTES = 8192
MAX_BODY_BYTES = 65536
MAX_HEADER_FIELDS = 30
MAX_REQUEST_LINE_BYTES = 1024

# Each of these must get 400 and a closed connection (the request smuggling classics).
FRAMING_ATTACKS = {
    "content-length and transfer-encoding":
        b"POST /dev HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"0\r\n\r\nGET /prod HTTP/1.1\r\nHost: x\r\n\r\n",
    "transfer-encoding and content-length":
        b"POST /dev HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 6\r\n\r\n"
        b"0\r\n\r\n",
    "two differing content-length":
        b"POST /dev HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
    "content-length list":
        b"POST /dev HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\nhello!",
    "content-length not a number":
        b"POST /dev HTTP/1.1\r\nHost: x\r\nContent-Length: 5a\r\n\r\nhello",
    "negative content-length":
        b"POST /dev HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    "hex content-length":
        b"POST /dev HTTP/1.1\r\nHost: x\r\nContent-Length: 0x5\r\n\r\nhello",
    "transfer-encoding not ending in chunked":
        b"POST /dev HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nhello",
    "bad chunk size":
        b"POST /dev HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
    "chunk size line ending in bare LF":
        b"POST /dev HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n",
    "obsolete line folding":
        b"GET /dev HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n  b\r\n\r\n",
    "whitespace before the colon":
        b"GET /dev HTTP/1.1\r\nHost: x\r\nX-Space : a\r\n\r\n",
    "whitespace before the colon of content-length":
        b"POST /dev HTTP/1.1\r\nHost: x\r\nContent-Length : 5\r\n\r\nhello",
    "NUL in a header value":
        b"GET /dev HTTP/1.1\r\nHost: x\r\nX-Nul: a\x00b\r\n\r\n",
    "bare CR in a header value":
        b"GET /dev HTTP/1.1\r\nHost: x\r\nX-CR: a\rb\r\n\r\n",
    "bare CR ending a header line":
        b"GET /dev HTTP/1.1\r\nHost: x\r\nX-CR: a\rX-Other: b\r\n\r\n",
}

MALFORMED = {
    "not http": b"HELLO THERE\r\n\r\n",
    "header without a colon": b"GET /dev HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n",
    "space in the request target": b"GET /dev /x HTTP/1.1\r\nHost: x\r\n\r\n",
    "control character in the target": b"GET /d\x01ev HTTP/1.1\r\nHost: x\r\n\r\n",
    "garbage version": b"GET /dev HTTX/1.1\r\nHost: x\r\n\r\n",
}



def body_size_routes(size):
    """The classic Ingresses with proxy-body-size `size`: a route's limit wins
    over --max-body-bytes, and ingress-nginx's default is 1m."""
    routes = h.classic_routes()
    for ing in routes:
        ing["metadata"].setdefault("annotations", {})["nginx.ingress.kubernetes.io/proxy-body-size"] = size
    return routes


class ProxyFramingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fx = h.ProxyFixture(args=[
            "--client-header-timeout", "1s", "--max-header-bytes", str(MAX_HEADER_BYTES),
            "--max-body-bytes", str(MAX_BODY_BYTES), "--max-header-fields", str(MAX_HEADER_FIELDS),
            "--max-request-line-bytes", str(MAX_REQUEST_LINE_BYTES)],
            routes=body_size_routes(str(MAX_BODY_BYTES))).start()

    @classmethod
    def tearDownClass(cls):
        cls.fx.close()

    def client(self):
        c = self.fx.proxy.connect(timeout=5)
        self.addCleanup(c.close)
        return c

    def assert_rejected(self, raw, status, label):
        with self.client() as c:
            try:
                c.send(raw)
            except (BrokenPipeError, ConnectionResetError):
                pass  # closed before we finished sending is fine, we still want the answer
            resp = c.read_response(timeout=5)
            self.assertEqual(resp.status, status, f"{label}: {resp!r}")
            self.assertTrue(resp.header("X-Request-ID"), f"{label}: error answer without X-Request-ID")
            self.assertTrue(c.is_closed(timeout=3), f"{label}: connection left open")

    def assert_still_serving(self):
        self.assertEqual(self.fx.proxy.get("/dev").status, 200)

    def test_framing_attacks_get_400_and_close(self):
        for label, raw in FRAMING_ATTACKS.items():
            with self.subTest(label):
                self.assert_rejected(raw, 400, label)
        self.assert_still_serving()

    def test_framing_attack_after_a_good_request_on_the_same_connection(self):
        with self.client() as c:
            self.assertEqual(c.request("GET", "/dev", [("Host", "x")]).status, 200)
            c.send(FRAMING_ATTACKS["content-length and transfer-encoding"])
            self.assertEqual(c.read_response().status, 400)
            self.assertTrue(c.is_closed(timeout=3))

    def test_malformed_requests_get_400_and_close(self):
        for label, raw in MALFORMED.items():
            with self.subTest(label):
                self.assert_rejected(raw, 400, label)
        self.assert_still_serving()

    def test_http2_version_in_a_request_line_is_505(self):
        self.assert_rejected(b"GET /dev HTTP/2.0\r\nHost: x\r\n\r\n", 505, "HTTP/2.0")

    def test_header_block_over_the_limit_is_431(self):
        raw = h.build_request("GET", "/dev", [("Host", "x"), ("X-Big", "a" * (MAX_HEADER_BYTES + 100))])
        self.assert_rejected(raw, 431, "big header")
        many = [("Host", "x")] + [(f"X-H{i}", "v" * 50) for i in range(MAX_HEADER_BYTES // 50)]
        self.assert_rejected(h.build_request("GET", "/dev", many), 431, "many headers")
        # Just under the limit passes.
        with self.client() as c:
            ok = c.request("GET", "/dev", [("Host", "x"), ("X-Fits", "a" * (MAX_HEADER_BYTES // 2))])
            self.assertEqual(ok.status, 200)

    def test_more_header_fields_than_allowed_is_431(self):
        # The plain shape (parsed in one pass) and one llhttp parses (chunked) alike.
        for framing in ([], [("Transfer-Encoding", "chunked")]):
            body = b"0\r\n\r\n" if framing else b""
            fields = [("Host", "x")] + framing
            fitting = fields + [(f"X-F{i}", "v") for i in range(MAX_HEADER_FIELDS - len(fields))]
            with self.subTest(framing=framing), self.client() as c:
                method = "POST" if framing else "GET"
                self.assertEqual(c.request(method, "/dev", fitting, body).status, 200)
            with self.subTest(framing=framing):
                self.assert_rejected(h.build_request(method, "/dev", fitting + [("X-One-More", "v")], body),
                                     431, "one field too many")

    def local_replies(self, reason):
        return prom.parse(self.fx.proxy.admin("/metrics").text).value("sluice_local_replies_total", reason=reason)

    def test_each_refusal_counts_by_its_reason(self):
        before = {r: self.local_replies(r) for r in ("uri_too_long", "too_many_fields", "bad_request")}
        self.assert_rejected(b"GET /" + b"c" * MAX_REQUEST_LINE_BYTES + b" HTTP/1.1\r\nHost: x\r\n\r\n",
                             414, "long line")
        fields = [("Host", "x")] + [(f"X-F{i}", "v") for i in range(MAX_HEADER_FIELDS)]
        self.assert_rejected(h.build_request("GET", "/dev", fields), 431, "too many fields")
        self.assert_rejected(FRAMING_ATTACKS["content-length and transfer-encoding"], 400, "CL.TE")
        for reason, n in before.items():
            h.wait_for(lambda: self.local_replies(reason) == n + 1, message=f"{reason} counted once")

    def test_a_request_line_over_the_limit_is_414(self):
        line_overhead = len("GET  HTTP/1.1\r\n")
        target = "/dev/" + "a" * (MAX_REQUEST_LINE_BYTES - line_overhead - len("/dev/"))
        with self.client() as c:
            self.assertEqual(c.request("GET", target, [("Host", "x")]).status, 200)
        self.assert_rejected(h.build_request("GET", target + "a", [("Host", "x")]), 414, "long line")
        # Refused as the line grows, before the head is complete.
        with self.client() as c:
            c.send(b"GET /" + b"b" * MAX_REQUEST_LINE_BYTES)
            self.assertEqual(c.read_response(timeout=5).status, 414)

    def test_body_over_the_limit_is_413(self):
        with self.client() as c:
            c.send(h.build_request("POST", "/dev", [("Host", "x"),
                                                    ("Content-Length", str(MAX_BODY_BYTES + 1))]))
            resp = c.read_response()
            self.assertEqual(resp.status, 413)
            self.assertTrue(resp.header("X-Request-ID"))
        with self.client() as c:
            body = h.chunked(*(b"x" * 16384 for _ in range(MAX_BODY_BYTES // 16384 + 1)))
            try:
                c.send(h.build_request("POST", "/dev", [("Host", "x"),
                                                        ("Transfer-Encoding", "chunked")], body))
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.assertEqual(c.read_response().status, 413)
        with self.client() as c:
            resp = c.request("POST", "/dev", [("Host", "x")], body=b"y" * MAX_BODY_BYTES)
            self.assertEqual(resp.status, 200)
            self.assertEqual(resp.header("X-Echo-Body-Received"), str(MAX_BODY_BYTES))

    def test_slowloris_gets_408_and_close_in_bounded_time(self):
        with self.client() as c:
            start = time.monotonic()
            c.send(b"GET /dev HTTP/1.1\r\nHost: x\r\n")
            # Dribble a header line every 200 ms: each read is quick, the whole head is not.
            for i in range(25):
                try:
                    c.send(f"X-Drip-{i}: a\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    break
                if c.wait_readable(0.2):
                    break
            status = c.read_response(timeout=3).status
            elapsed = time.monotonic() - start
            self.assertEqual(status, 408)
            self.assertTrue(c.is_closed(timeout=2))
            self.assertLess(elapsed, 4.0)

    def test_idle_connection_without_a_request_is_closed(self):
        with self.client() as c:
            c.send(b"GET")
            # Either a 408 or a plain close is fine, but it must happen.
            try:
                resp = c.read_response(timeout=4)
                self.assertEqual(resp.status, 408)
            except h.ConnectionClosed:
                pass


SMUGGLED = b"GET /smuggled HTTP/1.1\r\nHost: raw.test\r\n\r\n"


class ReportedDefectsTest(raw_backend.RawBackendCase):
    """The five framing defects found on main by hand, each closed."""

    def test_connection_naming_a_framing_header_is_refused(self):
        # Refused rather than obeyed or ignored: a client that lists its own
        # framing as hop-by-hop is confused or attacking, and either way the
        # framing must reach the backend unchanged. (nginx ignores Connection
        # tokens; HAProxy removes the named fields but never its framing ones.)
        body = SMUGGLED
        cases = {
            "Connection: Content-Length":
                b"POST / HTTP/1.1\r\nHost: raw.test\r\nConnection: Content-Length\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(body), body),
            "Connection: keep-alive, content-length":
                b"POST / HTTP/1.1\r\nHost: raw.test\r\nConnection: keep-alive, content-length\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(body), body),
            "Connection: Transfer-Encoding":
                b"POST / HTTP/1.1\r\nHost: raw.test\r\nConnection: Transfer-Encoding\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n" % (len(body), body),
            "Connection: Host":
                b"GET / HTTP/1.1\r\nHost: raw.test\r\nConnection: Host\r\n\r\n",
            "Connection: Upgrade without an Upgrade field":
                b"GET / HTTP/1.1\r\nHost: raw.test\r\nConnection: Upgrade\r\n\r\n",
        }
        for label, raw in cases.items():
            with self.subTest(label):
                self.assert_refused_unforwarded(raw, label)

    def test_empty_or_odd_transfer_encoding_is_refused(self):
        cases = {
            "empty, with Content-Length":
                b"POST / HTTP/1.1\r\nHost: raw.test\r\nTransfer-Encoding:\r\nContent-Length: 5\r\n\r\nhello",
            "whitespace only, with Content-Length":
                b"POST / HTTP/1.1\r\nHost: raw.test\r\nTransfer-Encoding:  \t \r\nContent-Length: 5\r\n\r\nhello",
            "commas only, with Content-Length":
                b"POST / HTTP/1.1\r\nHost: raw.test\r\nTransfer-Encoding: , ,\r\nContent-Length: 5\r\n\r\nhello",
            "empty, alone":
                b"POST / HTTP/1.1\r\nHost: raw.test\r\nTransfer-Encoding:\r\n\r\n",
            "final coding not chunked":
                b"POST / HTTP/1.1\r\nHost: raw.test\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
            "gzip then an empty field":
                b"POST / HTTP/1.1\r\nHost: raw.test\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding:\r\n\r\n",
            "identity":
                b"POST / HTTP/1.1\r\nHost: raw.test\r\nTransfer-Encoding: identity\r\nContent-Length: 5\r\n\r\nhello",
            "chunked twice":
                b"POST / HTTP/1.1\r\nHost: raw.test\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
            "in an HTTP/1.0 request (RFC 9112 6.1)":
                b"POST / HTTP/1.0\r\nHost: raw.test\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        }
        for label, raw in cases.items():
            with self.subTest(label):
                self.assert_refused_unforwarded(raw, label)

    def test_absolute_form_authority_replaces_host(self):
        (line, headers), _ = self.assert_forwarded_once(
            b"GET http://raw.test/x?q=1 HTTP/1.1\r\nHost: other.test\r\n\r\n", "absolute form")
        self.assertEqual(line, "GET /x?q=1 HTTP/1.1")
        hosts = [v for k, v in headers if k.lower() == "host"]
        self.assertEqual(hosts, ["raw.test"])
        self.assertEqual([v for k, v in headers if k.lower() == "x-forwarded-host"], ["raw.test"])

    def test_absolute_form_routes_by_its_authority_not_host(self):
        # other.test has no rule: routed by Host this would be a 404.
        with self.client() as c:
            resp = c.request("GET", "http://raw.test/", [("Host", "other.test")])
            self.assertEqual(resp.status, 200)
            self.assertEqual(resp.body, b"ok")
            # and the reverse: Host names the route, the authority does not
            resp = c.request("GET", "http://other.test/", [("Host", "raw.test")])
            self.assertEqual(resp.status, 404)

    def test_http_0_9_request_line_is_refused_at_once(self):
        # The header timeout is 30 s here: an answer within 5 s is not the timeout's.
        for raw in (b"GET /\r\n", b"GET /\r\n\r\n", b"GET /index.html\n"):
            with self.subTest(raw):
                self.assert_refused_unforwarded(raw, repr(raw))

    def test_chunk_extensions_are_forwarded(self):
        for ext in (b";name=value", b";name", b';name="quoted value"', b";a=1;b=2"):
            with self.subTest(ext):
                raw = (b"POST / HTTP/1.1\r\nHost: raw.test\r\nTransfer-Encoding: chunked\r\n\r\n"
                       b"5" + ext + b"\r\nhello\r\n0\r\n\r\n")
                _, got = self.assert_forwarded_once(raw, repr(ext))
                # Forwarded as the bytes arrived: body framing is never re-written.
                self.assertTrue(got.endswith(b"\r\n\r\n5" + ext + b"\r\nhello\r\n0\r\n\r\n"), got)

    def test_bad_chunk_lines_stay_refused(self):
        cases = {
            "bare LF after the size": b"5\nhello\r\n0\r\n\r\n",
            "bare LF after an extension": b"5;a=b\nhello\r\n0\r\n\r\n",
            "bad hex": b"5g\r\nhello\r\n0\r\n\r\n",
            "size overflowing 64 bits": b"1" + b"0" * 16 + b"\r\nhello\r\n0\r\n\r\n",
            "oversized extension list": b"5;" + b";".join(b"e%d=%s" % (i, b"v" * 60) for i in range(300)) +
                                        b"\r\nhello\r\n0\r\n\r\n",
            "bare CR in an extension": b"5;a=b\rc\r\nhello\r\n0\r\n\r\n",
        }
        for label, body in cases.items():
            with self.subTest(label):
                raw = b"POST / HTTP/1.1\r\nHost: raw.test\r\nTransfer-Encoding: chunked\r\n\r\n" + body
                resp, got, closed = self.sent_to_backend(raw)
                self.assertIsNotNone(resp, label)
                self.assertEqual(resp.status, 400, f"{label}: {resp!r}")
                self.assertTrue(closed, label)
                # The head may have gone ahead of the body; the bad line never does.
                self.assertNotIn(body.split(b"\r\n")[0], got, label)


if __name__ == "__main__":
    unittest.main()
