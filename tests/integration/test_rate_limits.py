"""limit-rps, limit-rpm, limit-connections and limit-allowlist, against real
nginx configured as ingress-nginx renders them (limit_req_zone ... rate=Nr/s,
limit_req zone=... burst=N×multiplier nodelay, limit_conn ... N, the geo/map
allow list), with sluice on one worker so its per-worker buckets are the
whole count. Rates are checked with bounds that hold however slow the
machine is: a volley lets at least burst + 1 through, at most that plus what
the rate refilled while it ran, and refuses the rest."""

import math
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
RPS, MULTIPLIER = 2, 3
BURST = RPS * MULTIPLIER
VOLLEY = 3 * (BURST + 1)

EXTRA = """
    limit_req_status 503;
    limit_conn_status 503;
    geo $remote_addr $allowlist_rps {{ default 0; }}
    map $allowlist_rps $limit_rps {{ 0 $binary_remote_addr; 1 ""; }}
    geo $remote_addr $allowlist_open {{ default 0; 127.0.0.1 1; }}
    map $allowlist_open $limit_open {{ 0 $binary_remote_addr; 1 ""; }}
    geo $remote_addr $allowlist_conn {{ default 0; }}
    map $allowlist_conn $limit_conn {{ 0 $binary_remote_addr; 1 ""; }}
    limit_req_zone $limit_rps zone=rps_rps:5m rate={rps}r/s;
    limit_req_zone $limit_open zone=open_rps:5m rate={rps}r/s;
    limit_conn_zone $limit_conn zone=conn_conn:5m;
""".format(rps=RPS)

SERVERS = """
    upstream echo {{ server 127.0.0.1:ECHO; }}
    upstream slow {{ server 127.0.0.1:SLOW; }}
    server {{
        listen 127.0.0.1:{port};
        server_name rps.example;
        location / {{ limit_req zone=rps_rps burst=BURST nodelay; {proxy_defaults} proxy_pass http://echo; }}
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name open.example;
        location / {{ limit_req zone=open_rps burst=BURST nodelay; {proxy_defaults} proxy_pass http://echo; }}
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name conn.example;
        location / {{ limit_conn conn_conn 1; {proxy_defaults} proxy_pass http://slow; }}
    }}
""".replace("BURST", str(BURST))


class SlowRelease:
    """A backend that holds each request until released (or 10 s pass)."""

    def __init__(self):
        self.arrived = threading.Event()
        self.release = threading.Event()

    def __call__(self, request):
        self.arrived.set()
        self.release.wait(timeout=10)
        return b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


class RateLimitsAgainstNginx(unittest.TestCase):
    def setUp(self):
        echo = h.start_echo(self, "web-1")
        self.slow_answer = SlowRelease()
        self.slow = raw_backend.RawBackend(respond=self.slow_answer)
        self.addCleanup(self.slow.close)
        self.addCleanup(self.slow_answer.release.set)
        objects = h.backend_objects("web", echo.port) + h.backend_objects("slow", self.slow.port) + [
            h.ingress("rps", [("rps.example", [("/", "Prefix", "web", 80)])],
                      annotations={A + "limit-rps": str(RPS), A + "limit-burst-multiplier": str(MULTIPLIER)}),
            h.ingress("open", [("open.example", [("/", "Prefix", "web", 80)])],
                      annotations={A + "limit-rps": str(RPS), A + "limit-burst-multiplier": str(MULTIPLIER),
                                   A + "limit-allowlist": "10.0.0.0/8, 127.0.0.1"}),
            h.ingress("conn", [("conn.example", [("/", "Prefix", "slow", 80)])],
                      annotations={A + "limit-connections": "1"}),
        ]
        self.proxy = h.start_proxy(self, h.write_manifests(h.temp_dir(self), {"all.yaml": objects}),
                                   ["--workers", "1"])
        self.nginx = ref.start_nginx(self, SERVERS.replace("ECHO", str(echo.port))
                                     .replace("SLOW", str(self.slow.port)), extra=EXTRA)

    def volley(self, port, host):
        """VOLLEY requests on one keep-alive connection: (statuses, seconds it took)."""
        statuses = []
        start = time.monotonic()
        with h.RawClient(port, timeout=10) as c:
            for _ in range(VOLLEY):
                resp = c.request("GET", "/", [("Host", host)])
                statuses.append(resp.status)
                if resp.header("Connection", "").lower() == "close":
                    break
        return statuses, time.monotonic() - start

    def test_a_volley_gets_the_burst_then_refusals(self):
        for who, port in (("sluice", self.proxy.http_port), ("nginx", self.nginx.port)):
            with self.subTest(who=who):
                statuses, elapsed = self.volley(port, "rps.example")
                self.assertEqual(len(statuses), VOLLEY, statuses)
                self.assertEqual(set(statuses) - {200, 503}, set(), statuses)
                ok = statuses.count(200)
                refill = math.ceil(RPS * elapsed) + 1
                self.assertGreaterEqual(ok, BURST + 1, statuses)
                self.assertLessEqual(ok, BURST + 1 + refill, (statuses, elapsed))
                if elapsed < (VOLLEY - BURST - 1) / RPS / 2:
                    self.assertGreater(statuses.count(503), 0, statuses)
                self.assertEqual(statuses[:BURST + 1], [200] * (BURST + 1), statuses)

    def test_an_allow_listed_client_is_never_limited(self):
        for who, port in (("sluice", self.proxy.http_port), ("nginx", self.nginx.port)):
            with self.subTest(who=who):
                statuses, _ = self.volley(port, "open.example")
                self.assertEqual(statuses, [200] * VOLLEY)

    def test_limit_connections_refuses_a_second_request_in_progress(self):
        for who, port in (("sluice", self.proxy.http_port), ("nginx", self.nginx.port)):
            with self.subTest(who=who):
                self.slow_answer.arrived.clear()
                self.slow_answer.release.clear()
                with h.RawClient(port, timeout=15) as first:
                    first.send(h.build_request("GET", "/", [("Host", "conn.example")]))
                    self.assertTrue(self.slow_answer.arrived.wait(timeout=10), "the first request never arrived")
                    second = h.request(port, "GET", "/", headers={"Host": "conn.example"}, timeout=10)
                    self.assertEqual(second.status, 503)
                    self.slow_answer.release.set()
                    self.assertEqual(first.read_response(timeout=10).status, 200)
                # Once the first is done (its count goes at the end of its log phase), the next passes.
                h.wait_for(lambda: h.request(port, "GET", "/", headers={"Host": "conn.example"},
                                             timeout=10).status == 200, timeout=10,
                           message=f"{who}: a request after the first ended")


if __name__ == "__main__":
    unittest.main()
