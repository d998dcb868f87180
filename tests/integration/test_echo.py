"""The echo backend (`sluice echo`) on its own: formats, framing and X-Echo-* hooks."""

import base64
import hashlib
import os
import re
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402

HEX32 = re.compile(r"^[0-9a-f]{32}$")


class EchoTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.echo = h.start_echo(None, "dev-test", threads=2)

    @classmethod
    def tearDownClass(cls):
        cls.echo.proc.kill()

    def client(self):
        c = h.RawClient(self.echo.port)
        self.addCleanup(c.close)
        return c

    def test_plain_text_answer_has_the_hello_demo_format(self):
        resp = h.request(self.echo.port, "GET", "/dev?x=1")
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.header("Content-Type"), "text/plain")
        lines = resp.text.splitlines()
        self.assertEqual([l.split(":")[0] for l in lines],
                         ["Server address", "Server name", "Date", "URI", "Request ID"])
        f = resp.echo_fields()
        self.assertEqual(f["Server address"], self.echo.address)
        self.assertEqual(f["Server name"], "dev-test")
        self.assertRegex(f["Date"], r"^\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000$")
        self.assertEqual(f["URI"], "/dev?x=1")
        self.assertRegex(f["Request ID"], HEX32)
        self.assertEqual(resp.header("X-Request-ID"), f["Request ID"])

    def test_request_id_is_taken_from_the_request(self):
        resp = h.request(self.echo.port, "GET", "/", headers={"X-Request-ID": "abc-123"})
        self.assertEqual(resp.echo_fields()["Request ID"], "abc-123")

    def test_generated_request_ids_differ(self):
        ids = {h.request(self.echo.port, "GET", "/").echo_fields()["Request ID"] for _ in range(5)}
        self.assertEqual(len(ids), 5)

    def test_json_answer_lists_headers_in_order_and_case(self):
        with self.client() as c:
            resp = c.request("POST", "/json", [("Host", "example"), ("Accept", "application/json"),
                                               ("x-lower", "1"), ("X-UPPER", "2"), ("x-lower", "3")],
                             body=b"hello")
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.header("Content-Type"), "application/json")
        j = resp.json()
        self.assertEqual(j["method"], "POST")
        self.assertEqual(j["uri"], "/json")
        self.assertEqual(j["server_name"], "dev-test")
        self.assertEqual(j["server_address"], self.echo.address)
        self.assertEqual(j["version"], "HTTP/1.1")
        self.assertEqual(j["headers"], [["Host", "example"], ["Accept", "application/json"],
                                        ["x-lower", "1"], ["X-UPPER", "2"], ["x-lower", "3"],
                                        ["Content-Length", "5"]])
        self.assertEqual(j["body_bytes"], 5)
        self.assertEqual(j["body_sha256"], hashlib.sha256(b"hello").hexdigest())
        self.assertRegex(j["request_id"], HEX32)

    def test_keep_alive_serves_many_requests_on_one_connection(self):
        with self.client() as c:
            for i in range(50):
                resp = c.request("GET", f"/k/{i}", [("Host", "x")])
                self.assertEqual(resp.status, 200)
                self.assertEqual(resp.echo_fields()["URI"], f"/k/{i}")
                self.assertIsNone(resp.header("Connection"))

    def test_pipelined_requests_are_answered_in_order(self):
        with self.client() as c:
            c.send(b"".join(h.build_request("GET", f"/p/{i}", [("Host", "x")]) for i in range(40)))
            uris = [c.read_response().echo_fields()["URI"] for _ in range(40)]
        self.assertEqual(uris, [f"/p/{i}" for i in range(40)])

    def test_pipelined_requests_with_bodies_and_delays_stay_in_order(self):
        with self.client() as c:
            c.send(h.build_request("POST", "/a", [("Host", "x"), ("X-Echo-Delay-Ms", "100")], b"abc")
                   + h.build_request("POST", "/b", [("Host", "x"), ("Transfer-Encoding", "chunked")],
                                     h.chunked("12", "345"))
                   + h.build_request("GET", "/c", [("Host", "x")]))
            a, b, cc = (c.read_response() for _ in range(3))
        self.assertEqual([r.echo_fields()["URI"] for r in (a, b, cc)], ["/a", "/b", "/c"])
        self.assertEqual(a.header("X-Echo-Body-Received"), "3")
        self.assertEqual(b.header("X-Echo-Body-Received"), "5")

    def test_head_has_headers_but_no_body(self):
        with self.client() as c:
            resp = c.request("HEAD", "/head", [("Host", "x")])
            self.assertEqual(resp.status, 200)
            self.assertGreater(int(resp.header("Content-Length")), 0)
            self.assertEqual(resp.body, b"")
            # The next response parses cleanly, so no body bytes followed the HEAD answer.
            self.assertEqual(c.request("GET", "/after", [("Host", "x")]).echo_fields()["URI"], "/after")

    def test_http10_closes_unless_keep_alive_is_asked_for(self):
        with self.client() as c:
            c.send(b"GET /old HTTP/1.0\r\n\r\n")
            resp = c.read_response()
            self.assertEqual(resp.status, 200)
            self.assertEqual(resp.header("Connection"), "close")
            self.assertTrue(c.is_closed(timeout=2))
        with self.client() as c:
            for _ in range(2):
                c.send(b"GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                resp = c.read_response()
                self.assertEqual(resp.header("Connection"), "keep-alive")
            self.assertFalse(c.is_closed(timeout=0.05))

    def test_connection_close_is_honoured(self):
        with self.client() as c:
            resp = c.request("GET", "/", [("Host", "x"), ("Connection", "close")])
            self.assertEqual(resp.header("Connection"), "close")
            self.assertTrue(c.is_closed(timeout=2))

    def test_chunked_request_body_is_counted_and_hashed(self):
        pieces = [b"a" * 1000, b"b" * 5000, b"c"]
        with self.client() as c:
            resp = c.request("PUT", "/up", [("Host", "x"), ("Transfer-Encoding", "chunked"),
                                            ("Accept", "application/json")],
                             h.chunked(*pieces, trailers=[("X-Trailer", "t")]))
        body = b"".join(pieces)
        self.assertEqual(resp.json()["body_bytes"], len(body))
        self.assertEqual(resp.header("X-Echo-Body-Sha256"), hashlib.sha256(body).hexdigest())

    def test_large_body_is_counted_but_not_hashed(self):
        size = 8 * 1024 * 1024
        with self.client() as c:
            c.send(h.build_request("POST", "/big", [("Host", "x"), ("Content-Length", str(size))]))
            block = b"z" * 65536
            for _ in range(size // len(block)):
                c.send(block)
            resp = c.read_response()
        self.assertEqual(resp.header("X-Echo-Body-Received"), str(size))
        self.assertIsNone(resp.header("X-Echo-Body-Sha256"))

    def test_expect_100_continue_gets_an_interim_response(self):
        with self.client() as c:
            c.send(h.build_request("POST", "/e", [("Host", "x"), ("Content-Length", "4"),
                                                  ("Expect", "100-continue")]))
            interim = c.read_response(skip_interim=False, timeout=2)
            self.assertEqual(interim.status, 100)
            c.send(b"data")
            resp = c.read_response()
            self.assertEqual(resp.status, 200)
            self.assertEqual(resp.header("X-Echo-Body-Received"), "4")

    def test_echo_status_hook(self):
        for status in (201, 404, 503):
            resp = h.request(self.echo.port, "GET", "/", headers={"X-Echo-Status": str(status)})
            self.assertEqual(resp.status, status)
        resp = h.request(self.echo.port, "GET", "/", headers={"X-Echo-Status": "204"})
        self.assertEqual((resp.status, resp.body), (204, b""))

    def test_echo_delay_hook(self):
        start = time.monotonic()
        resp = h.request(self.echo.port, "GET", "/", headers={"X-Echo-Delay-Ms": "300"})
        self.assertEqual(resp.status, 200)
        self.assertGreaterEqual(time.monotonic() - start, 0.3)

    def test_echo_body_bytes_hook_streams_the_pattern(self):
        for extra in ([], [("X-Echo-Chunked", "1")]):
            with self.client() as c:
                for size in (0, 1, 100000):
                    resp = c.request("GET", "/b", [("Host", "x"), ("X-Echo-Body-Bytes", str(size))] + extra)
                    self.assertEqual(resp.body, h.echo_body(size))
                    if extra:
                        self.assertEqual(resp.header("Transfer-Encoding"), "chunked")
                    else:
                        self.assertEqual(resp.header("Content-Length"), str(size))

    def test_echo_body_bytes_hook_serves_a_big_body(self):
        size = 64 * 1024 * 1024 + 3
        checker = h.EchoBodyChecker()
        with self.client() as c:
            c.send(h.build_request("GET", "/big", [("Host", "x"), ("X-Echo-Body-Bytes", str(size))]))
            resp = c.read_response(body_sink=checker, timeout=30)
        self.assertEqual(resp.body_length, size)
        self.assertTrue(checker.ok)

    def test_echo_chunked_hook_on_the_plain_answer(self):
        with self.client() as c:
            resp = c.request("GET", "/chunky", [("Host", "x"), ("X-Echo-Chunked", "1")])
        self.assertEqual(resp.header("Transfer-Encoding"), "chunked")
        self.assertIsNone(resp.header("Content-Length"))
        self.assertEqual(resp.echo_fields()["URI"], "/chunky")

    def test_websocket_upgrade_then_raw_echo(self):
        key = base64.b64encode(os.urandom(16)).decode()
        with self.client() as c:
            c.send(h.build_request("GET", "/ws", [("Host", "x"), ("Upgrade", "websocket"),
                                                  ("Connection", "Upgrade"),
                                                  ("Sec-WebSocket-Key", key),
                                                  ("Sec-WebSocket-Version", "13")]) + b"early")
            resp = c.read_response()
            self.assertEqual(resp.status, 101)
            expected = base64.b64encode(hashlib.sha1(
                (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
            self.assertEqual(resp.header("Sec-WebSocket-Accept"), expected)
            self.assertEqual(c.read_exact(5), b"early")
            payload = os.urandom(300000)
            c.send(payload)
            self.assertEqual(c.read_exact(len(payload)), payload)
            c.shutdown_write()
            self.assertTrue(c.is_closed(timeout=2))

    def test_upgrade_elsewhere_is_a_normal_answer(self):
        with self.client() as c:
            resp = c.request("GET", "/not-ws", [("Host", "x"), ("Upgrade", "websocket"),
                                                ("Connection", "Upgrade"),
                                                ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")])
            self.assertEqual(resp.status, 200)
            self.assertEqual(c.request("GET", "/next", [("Host", "x")]).status, 200)

    def test_malformed_request_gets_400_and_close(self):
        for raw in (b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
                    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                    b"NOT HTTP AT ALL\r\n\r\n"):
            with self.client() as c:
                c.send(raw)
                self.assertEqual(c.read_response().status, 400, raw)
                self.assertTrue(c.is_closed(timeout=2))

    def test_whitespace_before_the_colon_gets_400(self):
        with self.client() as c:
            c.send(b"GET / HTTP/1.1\r\nHost: x\r\nX-Space : a\r\n\r\n")
            self.assertEqual(c.read_response().status, 400)
            self.assertTrue(c.is_closed(timeout=2))

    def test_http2_request_line_gets_505(self):
        with self.client() as c:
            c.send(b"GET / HTTP/2.0\r\nHost: x\r\n\r\n")
            self.assertEqual(c.read_response().status, 505)
            self.assertTrue(c.is_closed(timeout=2))

    def test_oversized_head_gets_431(self):
        with self.client() as c:
            c.send(h.build_request("GET", "/", [("Host", "x"), ("X-Big", "a" * 70000)]))
            self.assertEqual(c.read_response().status, 431)
            self.assertTrue(c.is_closed(timeout=2))


class EchoCommandLineTest(unittest.TestCase):
    def test_bad_flags_exit_2_with_one_line(self):
        for args in (["--bogus"], [], ["--listen"], ["--listen", "nonsense"],
                     ["--listen", "127.0.0.1:0", "--threads", "0"],
                     ["--listen", "127.0.0.1:99999"]):
            r = h.run([h.BIN, "echo", *args], timeout=10)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertEqual(len(r.stderr.strip().splitlines()), 1, (args, r.stderr))

    def test_port_zero_reports_the_real_port_and_sigterm_exits_0(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            echo = h.start_echo(self, "x", threads=3)
            self.assertNotEqual(echo.port, 0)
            self.assertEqual(h.request(echo.port, "GET", "/").status, 200)
            self.assertEqual(echo.proc.stop(sig), 0)
            listening = [l for l in echo.proc.lines if "listening" in l]
            self.assertEqual(len(listening), 1)

    def test_default_name_is_the_host_name(self):
        proc = h.start_process(self, [h.BIN, "echo", "--listen", "127.0.0.1:0"])
        _, port = proc.listening("echo")
        import socket
        self.assertEqual(h.request(port, "GET", "/").echo_fields()["Server name"],
                         socket.gethostname())


if __name__ == "__main__":
    unittest.main()
