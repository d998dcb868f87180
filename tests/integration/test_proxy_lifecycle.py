"""Start-up, health endpoints, flag errors and graceful shutdown of the proxy."""

import os
import signal
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402


class ProxyLifecycleTest(unittest.TestCase):
    def test_health_and_readiness(self):
        fx = h.ProxyFixture().start()
        self.addCleanup(fx.close)
        self.assertEqual(fx.proxy.admin("/healthz").status, 200)
        self.assertEqual(fx.proxy.admin("/readyz").status, 200)
        # The admin endpoints are not reachable through the public listener.
        self.assertNotEqual(h.request(fx.proxy.http_port, "GET", "/readyz",
                                      headers={"Host": "nowhere"}).status, 200)

    def test_empty_manifest_folder_serves_404(self):
        d = h.temp_dir(self)
        proxy = h.start_proxy(self, d)
        self.assertEqual(proxy.get("/anything").status, 404)

    def test_sigterm_lets_an_in_flight_request_finish_then_exits_0(self):
        fx = h.ProxyFixture().start()
        self.addCleanup(fx.close)
        result = {}

        def slow_request():
            try:
                with h.RawClient(fx.proxy.http_port, timeout=10) as c:
                    result["resp"] = c.request("GET", "/dev/slow", [("Host", "x"),
                                                                    ("X-Echo-Delay-Ms", "1500")])
            except Exception as e:  # noqa: BLE001 - reported below
                result["error"] = e

        t = threading.Thread(target=slow_request, daemon=True)
        t.start()
        # The request is in flight once the proxy holds a connection to the dev backend.
        h.wait_for(lambda: h.tcp_connections_to(fx.dev.port) > 0, message="the upstream connection")
        fx.proxy.proc.send_signal(signal.SIGTERM)
        rc = fx.proxy.proc.wait(timeout=15)
        t.join(timeout=10)
        self.assertNotIn("error", result, f"in-flight request failed: {result.get('error')!r}")
        self.assertEqual(result["resp"].status, 200)
        self.assertEqual(result["resp"].echo_fields()["Server name"], fx.dev_name)
        self.assertEqual(rc, 0, fx.proxy.proc.stderr_text()[-2000:])

    def test_sigterm_when_idle_exits_0(self):
        fx = h.ProxyFixture().start()
        self.addCleanup(fx.close)
        self.assertEqual(fx.proxy.proc.stop(signal.SIGTERM, timeout=10), 0)

    def test_bad_flag_exits_2_with_one_line(self):
        d = h.temp_dir(self)
        for args in (["--no-such-flag"], ["--manifests", d, "--workers", "many"],
                     ["--manifests", d, "--http-listen", "not-an-address"],
                     ["--manifests", d, "--client-header-timeout", "soon"],
                     ["--manifests", d, "--log-level", "loud"]):
            r = h.run([h.BIN, *args], timeout=10)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertEqual(len(r.stderr.strip().splitlines()), 1, (args, r.stderr))

    def test_unreadable_manifest_folder_exits_2(self):
        d = h.temp_dir(self)
        missing = os.path.join(d, "does-not-exist")
        r = h.run([h.BIN, "--manifests", missing, "--http-listen", "127.0.0.1:0",
                   "--admin-listen", "127.0.0.1:0"], timeout=10)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertTrue(r.stderr.strip(), "no error message")


if __name__ == "__main__":
    unittest.main()
