"""Passive health and the retry policy, end to end: a refusing endpoint is
skipped after --upstream-max-fails, until --upstream-fail-timeout ends, and a
new snapshot with the same endpoints keeps that; a stale pooled connection is
retried without a health mark; a POST is never sent twice."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402
import prom  # noqa: E402
from raw_backend import RawBackend  # noqa: E402

FAIL_TIMEOUT_S = 8  # long enough that the checks inside it finish on a loaded machine


def metrics(proxy):
    return prom.parse(proxy.admin("/metrics").text)


def backend_on_ports(name, ports):
    """Service `name` with an endpoint at 127.0.0.1 on each port (a slice each)."""
    return [h.service(name, 80, ports[0])] + [
        h.endpoint_slice(name, port, name=f"{name}-{i}") for i, port in enumerate(ports)]


class RefusingEndpointTest(unittest.TestCase):
    def test_a_refusing_endpoint_is_ejected_until_its_backoff_ends(self):
        echo = h.start_echo(self, "good")
        # 127.0.0.2 at the echo's port: on loopback, but nothing listens there.
        objects = [h.service("dev", 80, echo.port),
                   h.endpoint_slice("dev", echo.port, addresses=("127.0.0.1", "127.0.0.2")),
                   h.ingress("dev", [(None, [("/", "Prefix", "dev", 80)])])]
        folder = h.write_manifests(h.temp_dir(self), {"all.yaml": objects})
        proxy = h.start_proxy(self, folder, ["--workers", "1", "--upstream-max-fails", "3",
                                             "--upstream-fail-timeout", f"{FAIL_TIMEOUT_S}s"])

        # Every request is answered: a refused connect moves to the other endpoint.
        for _ in range(8):
            self.assertEqual(proxy.get("/").status, 200)
        m = metrics(proxy)
        ejected_at = time.monotonic()
        self.assertEqual(m.value("sluice_upstream_ejections_total"), 1)
        self.assertEqual(m.value("sluice_upstream_connect_failures_total"), 3)
        proxy.proc.wait_for_line(r"upstream endpoint ejected.*127\.0\.0\.2.*failures=3")

        # Ejected: no connect goes to it, and a new snapshot with the same
        # endpoints (another Ingress added) keeps the mark.
        for _ in range(10):
            self.assertEqual(proxy.get("/").status, 200)
        generation = m.value("sluice_snapshot_applied_generation")
        h.write_manifests(folder, {"more.yaml": [h.ingress("more", [("more.test", [("/", "Prefix", "dev", 80)])])]})
        h.wait_for(lambda: metrics(proxy).value("sluice_snapshot_applied_generation") > generation,
                   message="the new generation applied")
        for _ in range(10):
            self.assertEqual(proxy.get("/").status, 200)
        m = metrics(proxy)
        self.assertLess(time.monotonic() - ejected_at, FAIL_TIMEOUT_S, "the checks outlasted the backoff")
        self.assertEqual(m.value("sluice_upstream_connect_failures_total"), 3)
        self.assertEqual(m.value("sluice_upstream_ejections_total"), 1)
        self.assertEqual(m.value("sluice_upstream_panic_picks_total"), 0)

        # The backoff ends: the endpoint is tried again (and refuses again).
        def tried_again():
            self.assertEqual(proxy.get("/").status, 200)
            return metrics(proxy).value("sluice_upstream_connect_failures_total") > 3
        h.wait_for(tried_again, timeout=FAIL_TIMEOUT_S + 10, interval=0.1, message="the endpoint tried again")
        self.assertGreaterEqual(time.monotonic() - ejected_at, FAIL_TIMEOUT_S - 1)


class RetryPolicyTest(unittest.TestCase):
    def start(self, backends, args=()):
        objects = backend_on_ports("raw", [b.port for b in backends]) + [
            h.ingress("raw", [(None, [("/", "Prefix", "raw", 80)])])]
        folder = h.write_manifests(h.temp_dir(self), {"all.yaml": objects})
        return h.start_proxy(self, folder, ["--workers", "1", *args])

    def raw(self, **kwargs):
        b = RawBackend(**kwargs)
        self.addCleanup(b.close)
        return b

    def test_a_get_on_a_pooled_connection_the_backend_closed_is_retried_without_a_health_mark(self):
        # The backend closes every connection after its response without
        # saying so: the proxy pools it, and the next GET finds it closed.
        quiet = self.raw(close_after_response=True)
        proxy = self.start([quiet], ["--upstream-max-fails", "1"])
        first = h.RawClient(proxy.http_port)
        self.addCleanup(first.close)
        for _ in range(4):
            self.assertEqual(first.request("GET", "/", [("Host", "raw.test")]).status, 200)
        m = metrics(proxy)
        self.assertGreaterEqual(m.value("sluice_upstream_retries_total"), 1)
        self.assertEqual(m.value("sluice_upstream_ejections_total"), 0)
        self.assertEqual(m.value("sluice_upstream_connect_failures_total"), 0)

    def test_a_post_reset_after_its_body_is_answered_502_and_sent_once(self):
        def reset_posts(request):
            return None if request.startswith(b"POST") else b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        a, b = self.raw(respond=reset_posts), self.raw(respond=reset_posts)
        proxy = self.start([a, b], ["--upstream-max-fails", "0"])
        resp = h.request(proxy.http_port, "POST", "/", body=b"exactly-once")
        self.assertEqual(resp.status, 502)
        received = a.wait_quiet() + b.wait_quiet()
        self.assertEqual(received.count(b"exactly-once"), 1)
        self.assertEqual(metrics(proxy).value("sluice_upstream_retries_total"), 0)

    def test_a_get_reset_before_its_response_is_retried_once_on_the_other_endpoint(self):
        def reset_everything(request):
            return None
        a, b = self.raw(respond=reset_everything), self.raw(respond=reset_everything)
        proxy = self.start([a, b], ["--upstream-max-fails", "0"])
        resp = h.request(proxy.http_port, "GET", "/once-each")
        self.assertEqual(resp.status, 502)
        self.assertEqual(a.wait_quiet().count(b"GET /once-each"), 1)
        self.assertEqual(b.wait_quiet().count(b"GET /once-each"), 1)
        self.assertEqual(metrics(proxy).value("sluice_upstream_retries_total"), 1)


if __name__ == "__main__":
    unittest.main()
