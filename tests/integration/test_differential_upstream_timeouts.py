"""proxy-read-timeout, proxy-connect-timeout, proxy-next-upstream and
proxy-next-upstream-tries, differential against real nginx configured as
ingress-nginx renders them (proxy_read_timeout Ns, proxy_next_upstream ...,
proxy_next_upstream_tries N in the location). ingress-nginx balances in Lua,
without passive health checks: plain nginx reproduces that with max_fails=0,
and sluice runs with --upstream-max-fails 0."""

import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402
import nginx_reference as ref  # noqa: E402
import raw_backend  # noqa: E402

A = "nginx.ingress.kubernetes.io/"
SLOW_SECONDS = 3.0

# The location's own proxy_read_timeout and proxy_next_upstream* lines
# replace the defaults', as ingress-nginx renders each from the annotation.
OWN = ("proxy_connect_timeout ", "proxy_read_timeout ", "proxy_next_upstream ", "proxy_next_upstream_tries ")
DEFAULTS = "\n".join(line for line in ref.PROXY_LOCATION_DEFAULTS.splitlines()
                     if not line.strip().startswith(OWN))
RETRY_DEFAULTS = "proxy_read_timeout 60s; proxy_next_upstream error timeout; proxy_next_upstream_tries 3;"
CONNECT_DEFAULT = "proxy_connect_timeout 5s;"

SERVERS = """
    upstream slow {{ server 127.0.0.1:SLOW; }}
    upstream pair {{ server 127.0.0.1:ECHO max_fails=0; server 127.0.0.2:ECHO max_fails=0; }}
    server {{
        listen 127.0.0.1:{port};
        server_name short.example;
        location / {{ DEFAULTS proxy_read_timeout 1s; proxy_next_upstream error timeout;
                      proxy_next_upstream_tries 3; proxy_pass http://slow; }}
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name long.example;
        location / {{ OWN_CONNECT proxy_connect_timeout 2s; proxy_read_timeout 10s;
                      proxy_next_upstream error timeout; proxy_next_upstream_tries 3; proxy_pass http://slow; }}
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name retry.example;
        location / {{ DEFAULTS RETRY_DEFAULTS proxy_pass http://pair; }}
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name off.example;
        location / {{ DEFAULTS proxy_read_timeout 60s; proxy_next_upstream off; proxy_next_upstream_tries 3;
                      proxy_pass http://pair; }}
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name once.example;
        location / {{ DEFAULTS proxy_read_timeout 60s; proxy_next_upstream error timeout;
                      proxy_next_upstream_tries 1; proxy_pass http://pair; }}
    }}
""".replace("RETRY_DEFAULTS", RETRY_DEFAULTS).replace("DEFAULTS", DEFAULTS + " " + CONNECT_DEFAULT) \
    .replace("OWN_CONNECT", DEFAULTS)


def slow_answer(request):
    time.sleep(SLOW_SECONDS)
    return b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nslow"


class UpstreamTimeoutsAgainstNginx(unittest.TestCase):
    def setUp(self):
        echo = h.start_echo(self, "web-1")
        self.slow = raw_backend.RawBackend(respond=slow_answer)
        self.addCleanup(self.slow.close)
        # 127.0.0.2:<echo port> refuses: nothing listens there.
        pair = [h.service("pair", 80, echo.port), h.endpoint_slice("pair", echo.port,
                                                                  addresses=("127.0.0.1", "127.0.0.2"))]
        objects = h.backend_objects("slow", self.slow.port) + pair + [
            h.ingress("short", [("short.example", [("/", "Prefix", "slow", 80)])],
                      annotations={A + "proxy-read-timeout": "1"}),
            h.ingress("long", [("long.example", [("/", "Prefix", "slow", 80)])],
                      annotations={A + "proxy-read-timeout": "10", A + "proxy-connect-timeout": "2"}),
            h.ingress("retry", [("retry.example", [("/", "Prefix", "pair", 80)])]),
            h.ingress("off", [("off.example", [("/", "Prefix", "pair", 80)])],
                      annotations={A + "proxy-next-upstream": "off"}),
            h.ingress("once", [("once.example", [("/", "Prefix", "pair", 80)])],
                      annotations={A + "proxy-next-upstream-tries": "1"}),
        ]
        self.proxy = h.start_proxy(self, h.write_manifests(h.temp_dir(self), {"all.yaml": objects}),
                                   ["--workers", "1", "--upstream-max-fails", "0"])
        self.nginx = ref.start_nginx(self, SERVERS.replace("SLOW", str(self.slow.port))
                                     .replace("ECHO", str(echo.port)))

    def timed(self, port, host):
        start = time.monotonic()
        resp = h.request(port, "GET", "/", headers={"Host": host}, timeout=15)
        return resp.status, time.monotonic() - start

    def test_read_timeout_is_the_routes(self):
        results = {}

        def one(name, port, host):
            results[name] = self.timed(port, host)

        # Concurrently, so the test waits for the slow backend once per host.
        threads = [threading.Thread(target=one, args=(f"{who}-{host}", port, host))
                   for who, port in (("sluice", self.proxy.http_port), ("nginx", self.nginx.port))
                   for host in ("short.example", "long.example")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=20)
        for who in ("sluice", "nginx"):
            with self.subTest(who=who):
                status, elapsed = results[f"{who}-short.example"]
                self.assertEqual(status, 504)
                # The backend answers after SLOW_SECONDS: a 504 before that is the 1 s timeout's.
                self.assertGreaterEqual(elapsed, 0.9)
                self.assertLess(elapsed, SLOW_SECONDS)
                self.assertEqual(results[f"{who}-long.example"][0], 200)

    def statuses(self, port, host, n=4):
        return sorted(h.request(port, "GET", "/", headers={"Host": host}, timeout=10).status for _ in range(n))

    def test_next_upstream_moves_past_a_refusing_endpoint_unless_told_not_to(self):
        for host, expected in (("retry.example", [200] * 4), ("off.example", [200, 200, 502, 502]),
                               ("once.example", [200, 200, 502, 502])):
            with self.subTest(host=host):
                ours = self.statuses(self.proxy.http_port, host)
                theirs = self.statuses(self.nginx.port, host)
                self.assertEqual(ours, theirs, "sluice (left) vs nginx (right)")
                self.assertEqual(ours, expected)


if __name__ == "__main__":
    unittest.main()
