"""Hot reload from the manifest folder: changes apply fast, no request fails, bad files change nothing."""

import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402

BROKEN_YAML = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: [unclosed\n  spec: : :\n"
OBSERVE_SECONDS = 1.5  # how long "nothing changes" is watched for


class RequestLoop:
    """Sends GET `path` in a loop on one keep-alive connection and records every outcome."""

    def __init__(self, port, path, host="127.0.0.1"):
        self.port, self.path, self.host = port, path, host
        self.results = []  # (monotonic time, status or None, server name or error text)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        client = None
        try:
            client = h.RawClient(self.port, timeout=5)
            while not self._stop.is_set():
                try:
                    resp = client.request("GET", self.path, [("Host", self.host)])
                    outcome = (time.monotonic(), resp.status, resp.echo_fields().get("Server name"))
                    if (resp.header("Connection") or "").lower() == "close":
                        outcome = (outcome[0], None, "proxy closed the keep-alive connection")
                except Exception as e:  # noqa: BLE001 - recorded as a failed request
                    outcome = (time.monotonic(), None, repr(e))
                with self._lock:
                    self.results.append(outcome)
                if outcome[1] is None:
                    return
        finally:
            if client:
                client.close()

    def snapshot(self):
        with self._lock:
            return list(self.results)

    def count(self):
        with self._lock:
            return len(self.results)

    def first_time_with(self, name, after=0.0):
        for t, status, got in self.snapshot():
            if t >= after and status == 200 and got == name:
                return t
        return None

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=10)
        return self.snapshot()


class ProxyReloadTest(unittest.TestCase):
    def setUp(self):
        # The loop fails on any close, so a connection may carry more requests than the
        # loop sends (the default --keepalive-requests, 1000, would end it legitimately).
        self.fx = h.ProxyFixture(args=["--workers", "2", "--keepalive-requests", "100000000"]).start()
        self.addCleanup(self.fx.close)
        self.loop = RequestLoop(self.fx.proxy.http_port, "/dev")
        self.addCleanup(self.loop.stop)
        h.wait_for(lambda: self.loop.count() >= 5, message="the request loop to get going")

    def rewrite_dev_to_prod(self):
        routes = [h.ingress("tkng-1", [(None, [("/dev", "Prefix", "prod", 80),
                                               ("/prod", "Prefix", "prod", 80)])]),
                  h.classic_routes()[1]]
        h.write_manifests(self.fx.dir, {"ingress.yaml": routes})

    def assert_no_failures(self, results):
        failures = [r for r in results if r[1] != 200]
        self.assertEqual(failures, [], "requests failed during the reload")

    def observe_nothing_changes(self):
        start = time.monotonic()
        time.sleep(OBSERVE_SECONDS)  # an observation window, not synchronisation
        results = self.loop.snapshot()
        self.assert_no_failures(results)
        later = [r for r in results if r[0] >= start]
        self.assertGreater(len(later), 10)
        self.assertEqual({r[2] for r in later}, {self.fx.dev_name})

    def test_rewrite_takes_effect_within_a_second_and_no_request_fails(self):
        changed_at = time.monotonic()
        self.rewrite_dev_to_prod()
        switched_at = h.wait_for(lambda: self.loop.first_time_with(self.fx.prod_name), timeout=5,
                                 message="/dev to be served by prod")
        # A few more requests after the switch, then look at everything.
        n = self.loop.count()
        h.wait_for(lambda: self.loop.count() >= n + 20, message="requests after the switch")
        results = self.loop.stop()
        self.assert_no_failures(results)
        self.assertLess(switched_at - changed_at, 1.0, "the change took longer than 1 s to apply")
        after = [r[2] for r in results if r[0] >= switched_at]
        self.assertEqual(set(after), {self.fx.prod_name}, "routing flapped back after the switch")
        # The untouched host rules still work.
        self.assertEqual(self.fx.proxy.get("/", headers={"Host": "dev"}).echo_fields()["Server name"],
                         self.fx.dev_name)

    def test_endpoint_change_takes_effect(self):
        # Point the dev Service's EndpointSlice at the prod backend.
        h.write_manifests(self.fx.dir, {"backends.yaml": h.backend_objects("dev", self.fx.prod.port) +
                                        h.backend_objects("prod", self.fx.prod.port)})
        h.wait_for(lambda: self.loop.first_time_with(self.fx.prod_name), timeout=5,
                   message="dev's endpoints to move")
        self.assert_no_failures(self.loop.stop())

    def test_a_new_broken_file_changes_nothing(self):
        h.write_manifests(self.fx.dir, {"broken.yaml": BROKEN_YAML})
        self.observe_nothing_changes()
        self.assertEqual(self.fx.proxy.get("/prod").echo_fields()["Server name"], self.fx.prod_name)
        # A broken file elsewhere does not block valid changes.
        self.rewrite_dev_to_prod()
        h.wait_for(lambda: self.loop.first_time_with(self.fx.prod_name), timeout=5,
                   message="a valid change next to a broken file to apply")
        self.assert_no_failures(self.loop.stop())
        self.assertTrue(self.fx.proxy.proc.alive())

    def test_breaking_an_existing_file_keeps_its_routes(self):
        h.write_manifests(self.fx.dir, {"ingress.yaml": BROKEN_YAML})
        self.observe_nothing_changes()
        self.assertEqual(self.fx.proxy.get("/", headers={"Host": "prod"}).status, 200)
        # Fixing the file applies the fixed content.
        self.rewrite_dev_to_prod()
        h.wait_for(lambda: self.loop.first_time_with(self.fx.prod_name), timeout=5,
                   message="the fixed file to apply")
        self.assert_no_failures(self.loop.stop())


if __name__ == "__main__":
    unittest.main()
