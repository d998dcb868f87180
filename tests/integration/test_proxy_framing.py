"""Malformed and ambiguous requests: the proxy answers 4xx/5xx and closes, never forwards."""

import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402

HEX32 = re.compile(r"^[0-9a-f]{32}$")
MAX_HEADER_BYTES = 8192
MAX_BODY_BYTES = 65536

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


class ProxyFramingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fx = h.ProxyFixture(args=[
            "--client-header-timeout", "1s", "--max-header-bytes", str(MAX_HEADER_BYTES),
            "--max-body-bytes", str(MAX_BODY_BYTES)]).start()

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


if __name__ == "__main__":
    unittest.main()
