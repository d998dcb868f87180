"""Cluster mode under faults: broken watches, 410 Gone, an API server that fails or goes away,
bad objects, token rotation. Routes keep serving throughout and catch up afterwards."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import cluster_fixture as c  # noqa: E402
import harness as h  # noqa: E402

KINDS = ("ingresses", "ingressclasses", "services", "endpointslices", "secrets")
OBSERVE_SECONDS = 2.0  # an observation window for request rates, not synchronisation


class ClusterFaultTest(unittest.TestCase):
    def setUp(self):
        self.api = c.start_api(self, bookmark_interval=0.2)
        self.dev = h.start_echo(self, "dev-pod")
        self.prod = h.start_echo(self, "prod-pod")
        c.apply_all(self.api, h.backend_objects("dev", self.dev.port) +
                    h.backend_objects("prod", self.prod.port) + h.classic_routes())

    def start(self, **kwargs):
        self.proxy = c.start_sluice(self, self.api, **kwargs)
        for plural in KINDS:
            h.wait_for(lambda: self.api.watches(plural), message=f"a watch of {plural}")
        return self.proxy

    def list_counts(self):
        return {p: len(self.api.lists(p)) for p in KINDS}

    def test_dropped_watches_resume_without_relisting(self):
        self.start()
        # Bookmarks move the resourceVersion on while only other kinds change.
        rv = self.api.apply(h.service("unrelated", 80, 1))["metadata"]["resourceVersion"]
        # (Resource versions are opaque to sluice; the fake's happen to be numbers.)
        h.wait_for(lambda: any(p == "ingresses" and int(v) >= int(rv) for p, v in self.api.bookmarks),
                   message="a bookmark at the new version")
        before = len(self.api.watches("ingresses"))
        self.api.drop_watches()
        h.wait_for(lambda: len(self.api.watches("ingresses")) > before, message="the watch to resume")
        self.assertGreaterEqual(int(self.api.watches("ingresses")[before].query["resourceVersion"]), int(rv))
        self.api.apply(h.ingress("new", [(None, [("/new", "Prefix", "dev", 80)])]))
        c.wait_route(self.proxy, "/new", "dev-pod")
        self.assertEqual(self.list_counts(), {p: 1 for p in KINDS}, "a dropped watch caused a relist")

    def test_server_side_watch_timeout_resumes_without_relisting(self):
        self.api.max_watch_timeout = 0.5
        self.start()
        h.wait_for(lambda: len(self.api.watches("ingresses")) >= 3, message="watches to time out and resume")
        self.api.apply(h.ingress("new", [(None, [("/new", "Prefix", "dev", 80)])]))
        c.wait_route(self.proxy, "/new", "dev-pod")
        self.assertEqual(self.list_counts(), {p: 1 for p in KINDS})

    def test_gone_relists_and_removes_objects_deleted_meanwhile(self):
        self.start()
        self.assertEqual(c.server_of(self.proxy, "/", host="dev"), (200, "dev-pod"))
        # Watches fail for a while; meanwhile tkng-2 (the host rules) is deleted, another Ingress
        # added, and the history compacted, so the next watch gets 410 Gone.
        self.api.fail(500, match=lambda r: r.watch)
        self.api.drop_watches()
        h.wait_for(lambda: any(r.status == 500 for r in self.api.watches("ingresses")),
                   message="a failed ingress watch")
        self.api.delete("networking.k8s.io/v1", "Ingress", "tkng-2")
        self.api.delete("discovery.k8s.io/v1", "EndpointSlice", "prod-1")
        self.api.apply(h.ingress("later", [(None, [("/later", "Prefix", "dev", 80)])]))
        self.api.compact()
        self.api.clear_faults()
        c.wait_route(self.proxy, "/", 404, host="dev")
        c.wait_route(self.proxy, "/later", "dev-pod")
        c.wait_route(self.proxy, "/prod", 503)
        self.assertEqual(c.server_of(self.proxy, "/dev"), (200, "dev-pod"))
        self.assertEqual(len(self.api.lists("ingresses")), 2)
        self.assertIn("relisting", self.proxy.proc.stderr_text())

    def test_gone_as_http_410_relists(self):
        self.start()
        self.api.force_gone(count=1, mode="http")
        self.api.drop_watches()
        h.wait_for(lambda: sum(self.list_counts().values()) == len(KINDS) + 1,
                   message="exactly one informer to relist")
        self.api.apply(h.ingress("new", [(None, [("/new", "Prefix", "dev", 80)])]))
        c.wait_route(self.proxy, "/new", "dev-pod")

    def test_api_server_down_routes_keep_serving_then_catch_up(self):
        self.start()
        self.api.stop()  # connection refused from now on
        self.assertEqual(c.server_of(self.proxy, "/dev"), (200, "dev-pod"))
        # The cluster changes while sluice cannot see it.
        self.api.apply(h.ingress("tkng-1", [(None, [("/dev", "Prefix", "prod", 80)])]))
        h.wait_for(lambda: "watch" in self.proxy.proc.stderr_text() and
                   "Connection refused" in self.proxy.proc.stderr_text(), message="refused reconnects")
        self.assertEqual(c.server_of(self.proxy, "/dev"), (200, "dev-pod"))
        self.assertEqual(self.proxy.admin("/readyz").status, 200)
        self.api.restart()
        c.wait_route(self.proxy, "/dev", "prod-pod")
        self.assertEqual(self.list_counts(), {p: 1 for p in KINDS}, "caught up by watching, not relisting")

    def test_failing_api_is_retried_with_backoff_then_caught_up(self):
        self.start()
        self.api.fail(500)
        self.api.drop_watches()
        h.wait_for(lambda: any(r.status == 500 for r in self.api.watches("ingresses")),
                   message="the first failed watch")
        start = time.monotonic()
        time.sleep(OBSERVE_SECONDS)  # an observation window, not synchronisation
        during = [r for r in self.api.requests if start <= r.time < start + OBSERVE_SECONDS]
        for plural in KINDS:
            n = len([r for r in during if r.resource == plural])
            # 200 ms doubling (+-20%): at most ~4 attempts in 2 s; never a tight loop.
            self.assertLessEqual(n, 6, f"{plural}: {n} requests in {OBSERVE_SECONDS}s while failing")
            self.assertGreaterEqual(n, 1, f"{plural} stopped retrying")
        self.assertEqual(c.server_of(self.proxy, "/dev"), (200, "dev-pod"))
        self.api.apply(h.ingress("tkng-1", [(None, [("/dev", "Prefix", "prod", 80)])]))
        self.api.clear_faults()
        c.wait_route(self.proxy, "/dev", "prod-pod", timeout=8)  # the backoff caps at 5 s

    def test_retry_after_is_honoured(self):
        self.start()
        self.api.fail(429, count=1, retry_after=1,
                      match=lambda r: r.resource == "ingresses" and r.watch)
        before = len(self.api.watches("ingresses"))
        self.api.drop_watches()
        h.wait_for(lambda: len(self.api.watches("ingresses")) >= before + 2,
                   message="the watch after the 429")
        refused, retried = self.api.watches("ingresses")[before:before + 2]
        self.assertEqual(refused.status, 429)
        self.assertGreaterEqual(retried.time - refused.time, 0.95)

    def test_bad_objects_are_skipped_and_good_ones_keep_working(self):
        bad = h.ingress("bad-at-start", [(None, [("/bad", "Prefix", "dev", 80)])])
        bad["spec"]["rules"] = "not a list"
        self.api.apply(bad)
        self.start()
        self.assertIn("object skipped", self.proxy.proc.stderr_text())
        self.assertEqual(c.server_of(self.proxy, "/dev"), (200, "dev-pod"))
        # A good Ingress turned bad keeps its last good version.
        broken = h.ingress("tkng-1", [(None, [("/dev", "Prefix", "prod", 80)])])
        broken["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["port"] = {"number": "eighty"}
        self.api.apply(broken)
        self.api.apply(h.ingress("marker", [(None, [("/marker", "Prefix", "dev", 80)])]))
        c.wait_route(self.proxy, "/marker", "dev-pod")
        self.assertEqual(c.server_of(self.proxy, "/dev"), (200, "dev-pod"))
        self.assertRegex(self.proxy.proc.stderr_text(), r"object skipped.*default/tkng-1")
        # Fixed, it applies.
        self.api.apply(h.ingress("tkng-1", [(None, [("/dev", "Prefix", "prod", 80)])]))
        c.wait_route(self.proxy, "/dev", "prod-pod")

    def test_a_corrupt_watch_line_restarts_the_watch_from_the_last_resource_version(self):
        self.start()
        before = len(self.api.watches("ingresses"))
        self.api.inject_watch_line("networking.k8s.io/v1", "Ingress", "{this is not json")
        h.wait_for(lambda: len(self.api.watches("ingresses")) > before, message="the watch to restart")
        self.api.apply(h.ingress("new", [(None, [("/new", "Prefix", "dev", 80)])]))
        c.wait_route(self.proxy, "/new", "dev-pod")
        self.assertEqual(self.list_counts(), {p: 1 for p in KINDS})

    def test_token_file_rotation(self):
        token_dir = h.temp_dir(self)
        token_file = os.path.join(token_dir, "token")
        h.write_file(token_file, "first-token\n")
        self.api.set_tokens("first-token")
        self.start(token_file=token_file)
        # The token rotates: the file changes and the old token stops working.
        h.write_file(token_file, "second-token\n")
        self.api.set_tokens("second-token")
        self.api.drop_watches()
        h.wait_for(lambda: any(r.token == "second-token" and r.status == 200
                               for r in self.api.watches("ingresses")),
                   message="a watch with the new token")
        self.assertTrue(any(r.status == 401 for r in self.api.requests))
        self.api.apply(h.ingress("new", [(None, [("/new", "Prefix", "dev", 80)])]))
        c.wait_route(self.proxy, "/new", "dev-pod")
        self.assertEqual(self.list_counts(), {p: 1 for p in KINDS})

    def test_a_wrong_token_never_becomes_ready_and_keeps_retrying(self):
        proxy = c.start_sluice(self, self.api, ready=False, token="wrong")
        # A request is logged before its answer is, so wait for three answered ones.
        h.wait_for(lambda: sum(r.status == 401 for r in self.api.requests_for("ingresses")) >= 3,
                   message="retries after 401")
        self.assertFalse(any(r.status not in (None, 401) for r in self.api.requests_for("ingresses")))
        self.assertEqual(proxy.admin("/readyz").status, 503)
        self.assertIn("HTTP 401", proxy.proc.stderr_text())
        self.assertTrue(proxy.proc.alive())


if __name__ == "__main__":
    unittest.main()
