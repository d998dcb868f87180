"""Bodies through the proxy: chunked, 100-continue, huge streams in bounded memory, WebSocket."""

import base64
import hashlib
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402

MIB = 1024 * 1024
BIG = 200 * MIB
RSS_GROWTH_LIMIT_KIB = 100 * 1024


def body_size_routes(size):
    """The classic Ingresses with proxy-body-size `size`: a route's limit wins
    over --max-body-bytes, and ingress-nginx's default is 1m."""
    routes = h.classic_routes()
    for ing in routes:
        ing["metadata"].setdefault("annotations", {})["nginx.ingress.kubernetes.io/proxy-body-size"] = size
    return routes


class ProxyBodiesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fx = h.ProxyFixture(args=["--workers", "2", "--max-body-bytes", str(1024 * MIB)],
                                routes=body_size_routes("1024m")).start()

    @classmethod
    def tearDownClass(cls):
        cls.fx.close()

    def client(self, timeout=10):
        c = self.fx.proxy.connect(timeout=timeout)
        self.addCleanup(c.close)
        return c

    def test_content_length_body_arrives_intact(self):
        body = os.urandom(50000)
        with self.client() as c:
            resp = c.request("POST", "/dev/up", [("Host", "x"), ("Accept", "application/json")], body)
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.json()["body_bytes"], len(body))
        self.assertEqual(resp.json()["body_sha256"], hashlib.sha256(body).hexdigest())

    def test_responses_arrive_intact_whether_the_rewritten_head_is_shorter_or_longer(self):
        # The backend's Connection field goes and none is added (shorter), or
        # the proxy adds one (longer); the head and the first body bytes must
        # arrive intact either way, and a large body after them.
        with self.client() as c:
            for _ in range(3):
                resp = c.request("GET", "/dev/same", [("Host", "x"), ("Accept", "application/json")])
                self.assertEqual(resp.status, 200)
                self.assertEqual(int(resp.header("Content-Length")), len(resp.body))
                self.assertEqual(resp.json()["uri"], "/dev/same")
            resp = c.request("GET", "/dev/big", [("Host", "x"), ("X-Echo-Body-Bytes", "300000")])
            self.assertEqual(len(resp.body), 300000)
            resp = c.request("GET", "/dev/404", [("Host", "x"), ("X-Echo-Status", "404")])
            self.assertEqual(resp.status, 404)
            self.assertEqual(resp.echo_fields()["URI"], "/dev/404")
            resp = c.request("GET", "/dev/last", [("Host", "x"), ("Connection", "close")])
            self.assertEqual(resp.header("Connection"), "close")
            self.assertEqual(resp.echo_fields()["URI"], "/dev/last")
            self.assertTrue(c.is_closed())
        with self.client() as c:
            c.send(b"GET /dev/old HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n")
            resp = c.read_response()
            self.assertEqual(resp.header("Connection"), "keep-alive")
            self.assertEqual(resp.echo_fields()["URI"], "/dev/old")
            self.assertEqual(c.request("GET", "/dev/again", [("Host", "x")]).echo_fields()["URI"], "/dev/again")

    def test_chunked_request_body_arrives_intact(self):
        pieces = [os.urandom(n) for n in (1, 1000, 17, 30000)]
        with self.client() as c:
            resp = c.request("POST", "/dev/chunked", [("Host", "x"), ("Transfer-Encoding", "chunked")],
                             h.chunked(*pieces))
            self.assertEqual(resp.status, 200)
            body = b"".join(pieces)
            self.assertEqual(resp.header("X-Echo-Body-Received"), str(len(body)))
            self.assertEqual(resp.header("X-Echo-Body-Sha256"), hashlib.sha256(body).hexdigest())
            # The connection is still good for the next request.
            self.assertEqual(c.request("GET", "/prod", [("Host", "x")]).status, 200)

    def test_chunked_body_sent_in_pieces_across_packets(self):
        with self.client() as c:
            c.send(h.build_request("PUT", "/dev/slowchunks", [("Host", "x"), ("Transfer-Encoding", "chunked")]))
            body = h.chunked(b"hello", b" ", b"world")
            for i in range(0, len(body), 3):
                c.send(body[i:i + 3])
            resp = c.read_response()
        self.assertEqual(resp.header("X-Echo-Body-Sha256"), hashlib.sha256(b"hello world").hexdigest())

    def test_expect_100_continue(self):
        with self.client() as c:
            c.send(h.build_request("POST", "/dev/expect", [("Host", "x"), ("Content-Length", "11"),
                                                           ("Expect", "100-continue")]))
            interim = c.read_response(skip_interim=False, timeout=3)
            self.assertEqual(interim.status, 100)
            c.send(b"hello world")
            resp = c.read_response()
            self.assertEqual(resp.status, 200)
            self.assertEqual(resp.header("X-Echo-Body-Received"), "11")

    def test_large_upload_streams_in_bounded_memory(self):
        sampler = h.RssSampler(self.fx.proxy.proc)
        block = os.urandom(256 * 1024)
        with self.client(timeout=60) as c:
            c.send(h.build_request("POST", "/dev/big", [("Host", "x"), ("Content-Length", str(BIG))]))
            for _ in range(BIG // len(block)):
                c.send(block)
            resp = c.read_response(timeout=60)
        growth = sampler.stop()
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.header("X-Echo-Body-Received"), str(BIG))
        self.assertLess(growth, RSS_GROWTH_LIMIT_KIB, f"proxy RSS grew {growth} KiB")

    def test_large_chunked_upload_streams_in_bounded_memory(self):
        sampler = h.RssSampler(self.fx.proxy.proc)
        size = 64 * MIB
        chunk = h.chunked(os.urandom(256 * 1024))[:-5]  # one chunk without the terminator
        with self.client(timeout=60) as c:
            c.send(h.build_request("POST", "/dev/bigchunked", [("Host", "x"),
                                                               ("Transfer-Encoding", "chunked")]))
            for _ in range(size // (256 * 1024)):
                c.send(chunk)
            c.send(b"0\r\n\r\n")
            resp = c.read_response(timeout=60)
        growth = sampler.stop()
        self.assertEqual(resp.header("X-Echo-Body-Received"), str(size))
        self.assertLess(growth, RSS_GROWTH_LIMIT_KIB, f"proxy RSS grew {growth} KiB")

    def test_large_download_streams_in_bounded_memory(self):
        for extra in ([], [("X-Echo-Chunked", "1")]):
            sampler = h.RssSampler(self.fx.proxy.proc)
            checker = h.EchoBodyChecker()
            size = BIG if not extra else 64 * MIB
            with self.client(timeout=60) as c:
                c.send(h.build_request("GET", "/prod/big", [("Host", "x"), ("X-Echo-Body-Bytes", str(size))] + extra))
                resp = c.read_response(body_sink=checker, timeout=60)
                self.assertEqual(resp.status, 200)
                self.assertEqual(resp.body_length, size)
                self.assertTrue(checker.ok, "downloaded bytes differ from the backend's pattern")
                # Still usable afterwards.
                self.assertEqual(c.request("GET", "/dev", [("Host", "x")]).status, 200)
            growth = sampler.stop()
            self.assertLess(growth, RSS_GROWTH_LIMIT_KIB, f"proxy RSS grew {growth} KiB")

    def test_slow_reader_download_does_not_buffer_everything(self):
        # The client reads nothing for a while: the proxy must apply back-pressure to the
        # backend rather than buffer the whole response.
        sampler = h.RssSampler(self.fx.proxy.proc)
        size = 150 * MIB
        with self.client(timeout=60) as c:
            c.sock.setsockopt(h.socket.SOL_SOCKET, h.socket.SO_RCVBUF, 64 * 1024)
            c.send(h.build_request("GET", "/prod/big", [("Host", "x"), ("X-Echo-Body-Bytes", str(size))]))
            # Wait until the proxy holds a connection to the backend, then a while longer idle.
            h.wait_for(lambda: h.tcp_connections_to(self.fx.prod.port) > 0, message="upstream connection")
            time.sleep(0.5)  # not synchronisation: the stalled reader is the behaviour under test
            growth_while_stalled = sampler.peak_kib - sampler.start_kib
            resp = c.read_response(body_sink=lambda piece: None, timeout=60)
            self.assertEqual(resp.body_length, size)
        sampler.stop()
        self.assertLess(growth_while_stalled, RSS_GROWTH_LIMIT_KIB)

    def test_websocket_upgrade_through_the_proxy(self):
        key = base64.b64encode(os.urandom(16)).decode()
        with self.client() as c:
            resp = c.request("GET", "/ws", [("Host", "dev"), ("Upgrade", "websocket"),
                                            ("Connection", "Upgrade"), ("Sec-WebSocket-Key", key),
                                            ("Sec-WebSocket-Version", "13")])
            self.assertEqual(resp.status, 101, resp)
            self.assertEqual(resp.header("Upgrade", "").lower(), "websocket")
            expected = base64.b64encode(hashlib.sha1(
                (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
            self.assertEqual(resp.header("Sec-WebSocket-Accept"), expected)
            for payload in (b"hello through the proxy", os.urandom(2 * MIB)):
                c.send(payload)
                self.assertEqual(c.read_exact(len(payload), timeout=10), payload)
            c.shutdown_write()
            self.assertTrue(c.is_closed(timeout=5))


if __name__ == "__main__":
    unittest.main()
