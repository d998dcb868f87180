"""proxy-body-size, differential against real nginx configured as
ingress-nginx renders it: `client_max_body_size` in the location (nginx.tmpl),
1m by default (the ConfigMap's proxy-body-size), "0" for no limit. A declared
body over the limit gets 413 before the backend is contacted; a chunked body
gets 413 once it grows past it. nginx reads the whole body first
(proxy_request_buffering on), so its backend sees nothing; sluice streams,
so its backend may see the start of the request, but never a complete one."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402
import nginx_reference as ref  # noqa: E402
import raw_backend  # noqa: E402

A = "nginx.ingress.kubernetes.io/"
MIB = 1024 * 1024

SERVERS = """
    upstream echo {{ server 127.0.0.1:ECHO; }}
    upstream raw {{ server 127.0.0.1:RAW; }}
    server {{
        listen 127.0.0.1:{port};
        server_name small.example;
        location / {{ {proxy_defaults} client_max_body_size 100; proxy_pass http://echo; }}
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name none.example;
        location / {{ {proxy_defaults} client_max_body_size 0; proxy_pass http://echo; }}
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name default.example;
        location / {{ {proxy_defaults} client_max_body_size 1m; proxy_pass http://echo; }}
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name raw.example;
        location / {{ {proxy_defaults} client_max_body_size 100; proxy_pass http://raw; }}
    }}
"""


def raw_exchange(port, request):
    """Sends exact bytes on a fresh connection; (status, visible headers, its
    Connection field). nginx closes after a 413 only once its lingering close
    has read what the client still sends, so the field is what both say."""
    with h.RawClient(port, timeout=10) as c:
        try:
            c.send(request)
        except (BrokenPipeError, ConnectionResetError):
            pass
        resp = c.read_response(timeout=10)
        return resp.status, ref.visible_headers(resp), (resp.header("Connection") or "keep-alive").lower()


class BodySizeAgainstNginx(unittest.TestCase):
    def setUp(self):
        echo = h.start_echo(self, "web-1")
        self.raw = raw_backend.RawBackend()
        self.addCleanup(self.raw.close)
        objects = h.backend_objects("web", echo.port) + h.backend_objects("raw", self.raw.port) + [
            h.ingress("small", [("small.example", [("/", "Prefix", "web", 80)])],
                      annotations={A + "proxy-body-size": "100"}),
            h.ingress("none", [("none.example", [("/", "Prefix", "web", 80)])],
                      annotations={A + "proxy-body-size": "0"}),
            h.ingress("default", [("default.example", [("/", "Prefix", "web", 80)])]),
            h.ingress("rawsmall", [("raw.example", [("/", "Prefix", "raw", 80)])],
                      annotations={A + "proxy-body-size": "100"}),
        ]
        self.proxy = h.start_proxy(self, h.write_manifests(h.temp_dir(self), {"all.yaml": objects}))
        self.nginx = ref.start_nginx(self, SERVERS.replace("ECHO", str(echo.port))
                                     .replace("RAW", str(self.raw.port)))

    def same_raw(self, request):
        ours = raw_exchange(self.proxy.http_port, request)
        theirs = raw_exchange(self.nginx.port, request)
        self.assertEqual(ours, theirs, f"{request[:200]!r}: sluice (left) vs nginx (right)")
        return ours

    def same(self, host, body, headers=None):
        return ref.assert_same(self, self.proxy.http_port, self.nginx.port, "POST", "/up",
                               headers={"Host": host, **(headers or {})}, body=body)

    def test_a_declared_length_over_the_limit_is_413_before_any_body(self):
        for host, length in (("small.example", 101), ("default.example", MIB + 1)):
            with self.subTest(host=host, length=length):
                head = h.build_request("POST", "/up", [("Host", host), ("Content-Length", str(length))])
                status, _, connection = self.same_raw(head)
                self.assertEqual((status, connection), (413, "close"))

    def test_bodies_within_the_limit_reach_the_backend(self):
        for host, size in (("small.example", 100), ("default.example", MIB), ("none.example", 3 * MIB)):
            with self.subTest(host=host, size=size):
                status, _, seen = self.same(host, b"b" * size)
                self.assertEqual((status, seen["URI"]), (200, "/up"))

    def test_no_limit_takes_any_declared_length(self):
        head = h.build_request("POST", "/up", [("Host", "none.example"), ("Content-Length", str(2 * MIB))])
        for port in (self.proxy.http_port, self.nginx.port):
            with h.RawClient(port, timeout=10) as c:
                c.send(head + b"n" * (2 * MIB))
                self.assertEqual(c.read_response(timeout=10).status, 200)

    def test_a_chunked_body_is_counted_as_it_arrives(self):
        within = h.build_request("POST", "/up", [("Host", "small.example"), ("Transfer-Encoding", "chunked")],
                                 h.chunked(b"a" * 60, b"b" * 40))
        self.assertEqual(self.same_raw(within)[0], 200)
        over = h.build_request("POST", "/up", [("Host", "small.example"), ("Transfer-Encoding", "chunked")],
                               h.chunked(b"a" * 60, b"b" * 41))
        status, _, connection = self.same_raw(over)
        self.assertEqual((status, connection), (413, "close"))

    def test_a_chunked_body_over_the_limit_never_reaches_the_backend_whole(self):
        over = h.build_request("POST", "/up", [("Host", "raw.example"), ("Transfer-Encoding", "chunked")],
                               h.chunked(b"a" * 60, b"b" * 60))
        self.assertEqual(raw_exchange(self.nginx.port, over)[0], 413)
        self.assertEqual(self.raw.wait_quiet(seconds=0.3), b"", "nginx buffers the body: nothing upstream")
        self.assertEqual(raw_exchange(self.proxy.http_port, over)[0], 413)
        got = self.raw.wait_quiet(seconds=0.3)
        self.assertIsNone(raw_backend._complete_request_end(got) if got else None,
                          f"the backend got a complete request: {got!r}")


if __name__ == "__main__":
    unittest.main()
