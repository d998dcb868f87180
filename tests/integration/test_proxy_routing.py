"""The proxy routes by Ingress rules, reuses connections, and sets the forwarding headers."""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402

HEX32 = re.compile(r"^[0-9a-f]{32}$")


def extra_objects(fx):
    return [
        # A Service whose only endpoint is not ready, and one with no EndpointSlice at all.
        h.service("empty", 80, 9),
        h.endpoint_slice("empty", fx.dev.port, ready=False),
        h.service("noslice", 80, 9),
        # An endpoint where nothing listens.
        *h.backend_objects("refused", h.closed_port()),
        h.ingress("errors", [(None, [("/empty", "Prefix", "empty", 80),
                                     ("/noslice", "Prefix", "noslice", 80),
                                     ("/refused", "Prefix", "refused", 80)])]),
    ]


class ProxyRoutingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fx = h.ProxyFixture(args=["--workers", "2", "--upstream-read-timeout", "1s"],
                                extra_objects=extra_objects).start()
        cls.port = cls.fx.proxy.http_port

    @classmethod
    def tearDownClass(cls):
        cls.fx.close()

    def client(self):
        c = self.fx.proxy.connect()
        self.addCleanup(c.close)
        return c

    def get(self, path, host=None, headers=None):
        hdrs = dict(headers or {})
        if host:
            hdrs["Host"] = host
        return h.request(self.port, "GET", path, headers=hdrs)

    def backend_json(self, path="/dev", headers=(), host="127.0.0.1"):
        """Sends a GET through the proxy (exact headers); returns the echo backend's JSON."""
        with self.client() as c:
            resp = c.request("GET", path, [("Host", host), *headers, ("Accept", "application/json")])
        self.assertEqual(resp.status, 200, resp)
        return resp.json()

    # --- routing ---------------------------------------------------------------

    def test_path_routing_sends_dev_and_prod_to_their_backends(self):
        for path, name in (("/dev", self.fx.dev_name), ("/prod", self.fx.prod_name),
                           ("/dev/sub/page?q=1", self.fx.dev_name)):
            resp = self.get(path)
            self.assertEqual(resp.status, 200, resp)
            f = resp.echo_fields()
            self.assertEqual(f["Server name"], name)
            self.assertEqual(f["URI"], path)

    def test_prefix_matches_whole_segments_only(self):
        self.assertEqual(self.get("/devx").status, 404)

    def test_host_routing_sends_dev_and_prod_to_their_backends(self):
        for host, name in (("dev", self.fx.dev_name), ("prod", self.fx.prod_name),
                           ("PROD", self.fx.prod_name), ("dev:8080", self.fx.dev_name)):
            resp = self.get("/anything", host=host)
            self.assertEqual(resp.status, 200, (host, resp))
            self.assertEqual(resp.echo_fields()["Server name"], name, host)

    def test_a_host_rule_wins_over_the_catch_all_paths(self):
        # Ingress semantics: rules for host "prod" apply to Host: prod; /dev without a host
        # applies only to hosts that have no rule of their own.
        self.assertEqual(self.get("/dev", host="prod").echo_fields()["Server name"], self.fx.prod_name)

    def test_no_rule_is_404_with_a_request_id(self):
        resp = self.get("/nothing-here", host="nowhere.example")
        self.assertEqual(resp.status, 404)
        self.assertRegex(resp.header("X-Request-ID", ""), HEX32)
        resp = self.get("/nothing-here", host="nowhere.example", headers={"X-Request-ID": "given-1"})
        self.assertEqual((resp.status, resp.header("X-Request-ID")), (404, "given-1"))

    def test_service_without_ready_endpoints_is_503(self):
        for path in ("/empty", "/noslice"):
            resp = self.get(path)
            self.assertEqual(resp.status, 503, (path, resp))
            self.assertRegex(resp.header("X-Request-ID", ""), HEX32)

    def test_endpoint_with_nothing_listening_is_502(self):
        resp = self.get("/refused")
        self.assertEqual(resp.status, 502, resp)
        self.assertRegex(resp.header("X-Request-ID", ""), HEX32)

    def test_backend_slower_than_the_read_timeout_is_504(self):
        # The backend answers after 1.5 s; the proxy must give up at 1 s.
        resp = self.get("/dev/slow", headers={"X-Echo-Delay-Ms": "1500"})
        self.assertEqual(resp.status, 504, resp)
        self.assertRegex(resp.header("X-Request-ID", ""), HEX32)
        # Within the timeout is fine.
        self.assertEqual(self.get("/dev/ok", headers={"X-Echo-Delay-Ms": "200"}).status, 200)

    def test_backend_status_is_passed_through(self):
        resp = self.get("/dev", headers={"X-Echo-Status": "503"})
        self.assertEqual(resp.status, 503)
        self.assertIn("Server name: " + self.fx.dev_name, resp.text)

    # --- connections ------------------------------------------------------------

    def test_keep_alive_serves_many_requests_on_one_connection(self):
        with self.client() as c:
            for i in range(100):
                path, name = (("/dev", self.fx.dev_name), ("/prod", self.fx.prod_name))[i % 2]
                resp = c.request("GET", f"{path}/{i}", [("Host", "127.0.0.1")])
                self.assertEqual(resp.status, 200, resp)
                self.assertEqual(resp.echo_fields()["Server name"], name)
                self.assertEqual(resp.echo_fields()["URI"], f"{path}/{i}")
                self.assertNotEqual((resp.header("Connection") or "").lower(), "close")

    def test_pipelined_requests_are_answered_in_order(self):
        paths = [("/dev", "/prod")[i % 2] + f"/{i}" for i in range(20)]
        with self.client() as c:
            c.send(b"".join(h.build_request("GET", p, [("Host", "127.0.0.1")]) for p in paths))
            got = [c.read_response().echo_fields()["URI"] for _ in paths]
        self.assertEqual(got, paths)

    def test_head_has_no_body(self):
        with self.client() as c:
            resp = c.request("HEAD", "/dev/head", [("Host", "127.0.0.1")])
            self.assertEqual(resp.status, 200)
            self.assertGreater(int(resp.header("Content-Length", "0")), 0)
            # A body after the HEAD answer would corrupt the next response.
            after = c.request("GET", "/prod/after", [("Host", "127.0.0.1")])
            self.assertEqual(after.echo_fields()["URI"], "/prod/after")

    def test_http10_client_is_answered(self):
        with self.client() as c:
            c.send(b"GET /dev/old HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            resp = c.read_response()
            self.assertEqual(resp.status, 200)
            self.assertEqual(resp.echo_fields()["URI"], "/dev/old")
            self.assertTrue(c.is_closed(timeout=3))

    def test_http10_client_never_gets_a_chunked_response(self):
        # The backend would chunk for HTTP/1.1; asked in HTTP/1.0 it must not.
        with self.client() as c:
            c.send(b"GET /dev/old HTTP/1.0\r\nHost: 127.0.0.1\r\nX-Echo-Chunked: 1\r\n\r\n")
            resp = c.read_response()
            self.assertEqual(resp.status, 200)
            self.assertIsNone(resp.header("Transfer-Encoding"))
            self.assertEqual(resp.echo_fields()["URI"], "/dev/old")

    # --- headers the backend sees -------------------------------------------------

    def test_forwarding_headers(self):
        host = f"127.0.0.1:{self.port}"
        j = self.backend_json("/dev/fwd", host=host)
        self.assertEqual(h.echo_headers(j, "X-Forwarded-For"), ["127.0.0.1"])
        self.assertEqual(h.echo_headers(j, "X-Real-IP"), ["127.0.0.1"])
        self.assertEqual(h.echo_headers(j, "X-Forwarded-Proto"), ["http"])
        self.assertEqual(h.echo_headers(j, "X-Forwarded-Host"), [host])
        self.assertEqual(h.echo_headers(j, "X-Forwarded-Port"), [str(self.port)])
        self.assertEqual(h.echo_headers(j, "Host"), [host])

    def test_request_id_is_kept_when_sent(self):
        j = self.backend_json(headers=[("X-Request-ID", "client-chosen-id")])
        self.assertEqual(h.echo_headers(j, "X-Request-ID"), ["client-chosen-id"])
        self.assertEqual(j["request_id"], "client-chosen-id")

    def test_request_id_is_generated_when_missing(self):
        ids = set()
        for _ in range(3):
            j = self.backend_json()
            got = h.echo_headers(j, "X-Request-ID")
            self.assertEqual(len(got), 1, j["headers"])
            self.assertRegex(got[0], HEX32)
            ids.add(got[0])
        self.assertEqual(len(ids), 3)

    def test_hop_by_hop_headers_are_removed(self):
        j = self.backend_json(headers=[
            ("Connection", "keep-alive, X-Drop-Me"), ("X-Drop-Me", "1"), ("Keep-Alive", "timeout=5"),
            ("TE", "trailers"), ("Trailer", "X-T"), ("Proxy-Connection", "keep-alive"),
            ("Upgrade", "h2c"), ("X-Keep-Me", "yes")])
        names = [k.lower() for k, _ in j["headers"]]
        for gone in ("x-drop-me", "keep-alive", "te", "trailer", "proxy-connection", "upgrade"):
            self.assertNotIn(gone, names, j["headers"])
        # The proxy may speak its own Connection header to the backend, never the client's.
        for v in h.echo_headers(j, "Connection"):
            self.assertIn(v.lower(), ("keep-alive", "close"), j["headers"])
        self.assertEqual(h.echo_headers(j, "X-Keep-Me"), ["yes"])

    def test_other_headers_pass_in_order_and_case(self):
        sent = [("X-Alpha", "1"), ("x-beta", "two words"), ("X-GAMMA", "3"), ("X-Alpha", "4"),
                ("Cookie", "a=b"), ("x-Mixed-Case", "Value With CAPS")]
        j = self.backend_json(headers=sent)
        wanted = {k.lower() for k, _ in sent}
        seen = [(k, v) for k, v in j["headers"] if k.lower() in wanted]
        self.assertEqual(seen, sent)
        self.assertEqual(j["method"], "GET")


if __name__ == "__main__":
    unittest.main()
