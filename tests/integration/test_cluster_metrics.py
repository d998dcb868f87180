"""Informer state on /metrics in cluster mode: watch restarts, relists, sync state and time, events."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import cluster_fixture as c  # noqa: E402
import harness as h  # noqa: E402
import prom  # noqa: E402

KINDS = ("ingresses", "ingressclasses", "services", "endpointslices", "secrets")
FAMILIES = {"sluice_informer_watch_restarts_total": "counter", "sluice_informer_relists_total": "counter",
            "sluice_informer_synced": "gauge", "sluice_informer_last_sync_timestamp_seconds": "gauge",
            "sluice_informer_events_total": "counter"}


class InformerMetricsTest(unittest.TestCase):
    def setUp(self):
        self.api = c.start_api(self, bookmark_interval=0.2)
        self.echo = h.start_echo(self, "dev-pod")
        c.apply_all(self.api, h.backend_objects("dev", self.echo.port) + h.classic_routes())
        self.proxy = c.start_sluice(self, self.api)
        self.wait_watching()

    def wait_watching(self):
        h.wait_for(lambda: all(self.api.watching(p) for p in KINDS), message="every informer watching")

    def scrape(self):
        resp = self.proxy.admin("/metrics")
        self.assertEqual(resp.status, 200)
        return prom.parse(resp.text)

    def per_kind(self, expo, name):
        return {p: expo.value(name, resource=p) for p in KINDS}

    def wait_metrics(self, name, expected, message):
        """Waits until `name` per resource equals `expected`; returns that scrape."""
        return h.wait_for(lambda: (lambda e: e if self.per_kind(e, name) == expected else None)(self.scrape()),
                          message=message)

    def test_families_and_their_movement_under_dropped_watches_and_410(self):
        started = time.time()
        expo = self.scrape()
        for name, type_ in FAMILIES.items():
            self.assertEqual(expo.families[name].type, type_, name)
            self.assertTrue(expo.families[name].help, name)
        self.assertEqual(self.per_kind(expo, "sluice_informer_synced"), {p: 1 for p in KINDS})
        self.assertEqual(self.per_kind(expo, "sluice_informer_relists_total"), {p: 0 for p in KINDS})
        self.assertEqual(self.per_kind(expo, "sluice_informer_watch_restarts_total"), {p: 0 for p in KINDS})
        for p in KINDS:
            self.assertGreater(expo.value("sluice_informer_last_sync_timestamp_seconds", resource=p), started - 60)

        # An ADDED event and bookmarks are counted by type.
        self.api.apply(h.ingress("new", [(None, [("/new", "Prefix", "dev", 80)])]))
        h.wait_for(lambda: self.scrape().value("sluice_informer_events_total", resource="ingresses",
                                               type="ADDED") >= 1, message="the ADDED event counted")
        h.wait_for(lambda: self.scrape().value("sluice_informer_events_total", resource="services",
                                               type="BOOKMARK") >= 1, message="a bookmark counted")

        # Every watch breaks once: one restart each, no relist.
        self.api.drop_watches()
        self.wait_metrics("sluice_informer_watch_restarts_total", {p: 1 for p in KINDS}, "one restart each")
        h.wait_for(lambda: all(len(self.api.watches(p)) == 2 for p in KINDS), message="the watches resumed")
        self.wait_watching()
        self.assertEqual(self.per_kind(self.scrape(), "sluice_informer_relists_total"), {p: 0 for p in KINDS})

        # Again, and the first watch to come back gets HTTP 410: that informer restarts twice
        # (dropped, then gone) and relists once.
        before_gone = time.time()
        self.api.force_gone(count=1, mode="http")
        self.api.drop_watches()
        gone = h.wait_for(lambda: [r.resource for r in self.api.requests if r.watch and r.status == 410],
                          message="a watch answered 410")[0]
        relists = {p: int(p == gone) for p in KINDS}
        restarts = {p: 3 if p == gone else 2 for p in KINDS}
        self.wait_metrics("sluice_informer_relists_total", relists, f"{gone} to relist")
        expo = self.wait_metrics("sluice_informer_watch_restarts_total", restarts, "the restarts")
        self.assertEqual(self.per_kind(expo, "sluice_informer_relists_total"), relists)
        self.assertEqual(self.per_kind(expo, "sluice_informer_synced"), {p: 1 for p in KINDS})
        self.assertGreaterEqual(expo.value("sluice_informer_last_sync_timestamp_seconds", resource=gone),
                                before_gone - 1)


if __name__ == "__main__":
    unittest.main()
