"""Cluster mode under malformed API input: every bad watch event logs one line, counts in
sluice_informer_bad_events_total, and the informer goes on (restarting its watch when the line
cannot be trusted) while the proxy keeps serving the last good snapshot. An informer that stops
for good makes /readyz fail."""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import cluster_fixture as c  # noqa: E402
import harness as h  # noqa: E402
import prom  # noqa: E402

KINDS = ("ingresses", "ingressclasses", "services", "endpointslices", "secrets")
ING = ("networking.k8s.io/v1", "Ingress")
MAX_LINE = 64 << 20  # ApiClient::max_line_bytes

# (name, the event as sent, reason counted, whether the watch restarts)
BAD_EVENTS = [
    ("non-numeric ERROR code", {"type": "ERROR", "object": {"kind": "Status", "code": "5xx", "message": "m"}},
     "bad_error_code", True),
    ("huge ERROR code", {"type": "ERROR", "object": {"kind": "Status", "code": "59999999999999999999"}},
     "bad_error_code", True),
    ("huge numeric ERROR code", {"type": "ERROR", "object": {"kind": "Status", "code": 2 ** 64 - 1}},
     "bad_error_code", True),
    ("ERROR code beyond 64 bits", {"type": "ERROR", "object": {"kind": "Status", "code": 5 * 10 ** 30}},
     "bad_json", True),
    ("missing object", {"type": "MODIFIED"}, "missing_object", False),
    ("null object", {"type": "ADDED", "object": None}, "missing_object", False),
    ("wrong kind", {"type": "ADDED", "object": {"kind": "Service", "apiVersion": "v1",
                                                "metadata": {"name": "tkng-1", "namespace": "default"}}},
     "wrong_kind", False),
    ("unknown type", {"type": "UPSERTED", "object": {"metadata": {"name": "x"}}}, "unknown_type", False),
    ("not an object", ["ADDED"], "not_an_object", True),
]


class BadWatchInputTest(unittest.TestCase):
    def setUp(self):
        self.api = c.start_api(self, bookmark_interval=0.2)
        self.dev = h.start_echo(self, "dev-pod")
        self.prod = h.start_echo(self, "prod-pod")
        c.apply_all(self.api, h.backend_objects("dev", self.dev.port) +
                    h.backend_objects("prod", self.prod.port) + h.classic_routes())

    def start(self, **kwargs):
        self.proxy = c.start_sluice(self, self.api, **kwargs)
        self.wait_watching()
        return self.proxy

    def wait_watching(self):
        h.wait_for(lambda: all(self.api.watching(p) for p in KINDS), message="every informer watching")

    def scrape(self):
        resp = self.proxy.admin("/metrics")
        self.assertEqual(resp.status, 200)
        return prom.parse(resp.text)

    def bad_events(self, reason):
        return self.scrape().value("sluice_informer_bad_events_total", resource="ingresses", reason=reason)

    def log_lines(self, pattern):
        return [line for line in self.proxy.proc.stderr_text().splitlines() if re.search(pattern, line)]

    def still_serving_and_following(self, marker):
        """The last good snapshot serves, and the informer still applies what comes next."""
        self.assertEqual(c.server_of(self.proxy, "/dev"), (200, "dev-pod"))
        self.assertEqual(c.server_of(self.proxy, "/", host="prod"), (200, "prod-pod"))
        self.api.apply(h.ingress(marker, [(None, [("/" + marker, "Prefix", "prod", 80)])]))
        c.wait_route(self.proxy, "/" + marker, "prod-pod")

    def test_each_bad_event_logs_once_counts_and_the_informer_goes_on(self):
        self.start()
        for i, (name, event, reason, restarts) in enumerate(BAD_EVENTS):
            with self.subTest(name):
                count = self.bad_events(reason)
                logged = len(self.log_lines("bad watch event"))
                failed = len(self.log_lines("API request failed"))
                watches = len(self.api.watches("ingresses"))
                self.api.inject_watch_event(*ING, event)
                h.wait_for(lambda: self.bad_events(reason) == count + 1, message=f"{reason} counted")
                self.assertEqual(len(self.log_lines("bad watch event")), logged + 1)
                line = self.log_lines("bad watch event")[-1]
                self.assertIn(f"reason={reason}", line)
                self.assertIn("restarting the watch" if restarts else "skipped", line)
                self.still_serving_and_following(f"after-{i}")
                self.assertEqual(len(self.log_lines("API request failed")), failed, "a second line for it")
                if restarts:
                    self.assertGreater(len(self.api.watches("ingresses")), watches)
                else:
                    self.assertEqual(len(self.api.watches("ingresses")), watches, "a skipped line restarted")
                self.wait_watching()
        self.assertEqual({p: len(self.api.lists(p)) for p in KINDS}, {p: 1 for p in KINDS},
                         "a bad event caused a relist")
        self.assertTrue(self.proxy.proc.alive())
        self.assertEqual(self.proxy.admin("/readyz").status, 200)
        self.assertEqual(self.scrape().value("sluice_informer_stopped"), 0)

    def test_truncated_json_restarts_the_watch_from_the_last_resource_version(self):
        self.start()
        self.api.apply(h.ingress("before", [(None, [("/before", "Prefix", "dev", 80)])]))
        c.wait_route(self.proxy, "/before", "dev-pod")
        watches = len(self.api.watches("ingresses"))
        self.api.inject_watch_line(*ING, '{"type":"ADDED","object":{"metadata":{"name":"cut","names')
        h.wait_for(lambda: self.bad_events("bad_json") == 1, message="bad_json counted")
        h.wait_for(lambda: len(self.api.watches("ingresses")) > watches, message="the watch to restart")
        resumed = self.api.watches("ingresses")[watches]
        self.assertNotIn(resumed.query["resourceVersion"], ("", "0"), "resumed from nothing")
        self.still_serving_and_following("after-truncated")
        self.assertEqual(len(self.api.lists("ingresses")), 1)
        self.assertEqual(len(self.log_lines("bad watch event")), 1)

    def test_a_64_mib_line_is_refused_and_the_watch_resumes(self):
        self.start()
        watches = len(self.api.watches("ingresses"))
        self.api.inject_long_watch_line(*ING, MAX_LINE + 4096)
        h.wait_for(lambda: self.bad_events("too_long") == 1, timeout=60, message="too_long counted")
        h.wait_for(lambda: len(self.api.watches("ingresses")) > watches, message="the watch to restart")
        self.still_serving_and_following("after-huge")
        self.assertEqual(c.server_of(self.proxy, "/huge")[0], 404, "the oversized object was applied")
        self.assertEqual(len(self.log_lines("bad watch event")), 1)
        self.assertEqual(len(self.log_lines("API request failed")), 0)
        self.assertEqual(len(self.api.lists("ingresses")), 1)

    def test_a_well_formed_error_event_is_logged_as_what_it_said_and_the_watch_resumes(self):
        self.start()
        watches = len(self.api.watches("ingresses"))
        self.api.inject_watch_event(*ING, {"type": "ERROR", "object": {
            "kind": "Status", "apiVersion": "v1", "status": "Failure", "message": "etcd is down", "code": 500}})
        line = self.proxy.proc.wait_for_line(r"API request failed.*kind=Ingress")
        self.assertIn("watch ERROR event 500 etcd is down", line.string)
        h.wait_for(lambda: len(self.api.watches("ingresses")) > watches, message="the watch to resume")
        self.still_serving_and_following("after-error")
        self.assertEqual(len(self.api.lists("ingresses")), 1)
        self.assertEqual(self.scrape().value("sluice_informer_bad_events_total"), 0)

    def test_an_informer_that_stops_for_good_makes_readyz_fail(self):
        # Input errors are values and cannot stop an informer, so a test hook makes every watch line of
        # the ingress informer throw: it relists after each, then gives up for good.
        env = dict(os.environ, SLUICE_INFORMER_FAULT_FOR_TEST="ingresses")
        self.proxy = c.start_sluice(self, self.api, env=env)
        self.assertEqual(c.server_of(self.proxy, "/dev"), (200, "dev-pod"))
        h.wait_for(lambda: self.proxy.admin("/readyz").status == 503, timeout=30, message="/readyz to fail")
        self.assertIn("informers stopped: ingresses", self.proxy.admin("/readyz").text)
        expo = self.scrape()
        self.assertEqual(expo.value("sluice_informer_stopped", resource="ingresses"), 1)
        self.assertEqual(expo.value("sluice_informer_stopped"), 1, "another informer stopped")
        self.assertGreaterEqual(expo.value("sluice_informer_internal_errors_total", resource="ingresses"), 5)
        self.assertEqual(len(self.log_lines("informer stopped for good")), 1)
        self.assertGreaterEqual(len(self.api.lists("ingresses")), 5, "it did not relist after each error")
        # The proxy keeps serving the last good snapshot, and the other informers keep following.
        self.assertEqual(c.server_of(self.proxy, "/dev"), (200, "dev-pod"))
        self.api.apply(h.endpoint_slice("dev", self.prod.port, name="dev-1"))
        c.wait_route(self.proxy, "/dev", "prod-pod")
        self.assertEqual(self.proxy.admin("/readyz").status, 503)
        self.assertTrue(self.proxy.proc.alive())


if __name__ == "__main__":
    unittest.main()
