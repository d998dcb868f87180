"""/metrics on the admin listener: valid exposition text, ingress-nginx's names, exact counts."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402
import prom  # noqa: E402

TOTAL = "nginx_ingress_controller_nginx_process_requests_total"
REQUESTS = "nginx_ingress_controller_requests"
REQUEST_LABELS = {"controller_class", "controller_namespace", "controller_pod", "host", "ingress",
                  "method", "namespace", "path", "service", "status"}


def extra_objects(fx):
    return [*h.backend_objects("refused", h.closed_port()),
            h.ingress("errors", [(None, [("/refused", "Prefix", "refused", 80)])])]


class MetricsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.fx = h.ProxyFixture(args=["--workers", "2"], extra_objects=extra_objects).start()

    @classmethod
    def tearDownClass(cls):
        cls.fx.close()

    def scrape(self):
        resp = self.fx.proxy.admin("/metrics")
        self.assertEqual(resp.status, 200)
        self.assertTrue(resp.header("Content-Type", "").startswith("text/plain; version=0.0.4"), resp)
        return prom.parse(resp.text)

    def get(self, path, host="127.0.0.1"):
        return h.request(self.fx.proxy.http_port, "GET", path, headers={"Host": host})

    def requests_count(self, expo, **labels):
        return expo.value(REQUESTS, **labels)

    def test_every_line_is_valid_and_the_expected_families_are_there(self):
        self.get("/dev")  # so that the per-request families have a series
        expo = h.wait_for(lambda: (lambda e: e if e.value(REQUESTS) >= 1 else None)(self.scrape()),
                          message="a counted request")
        expected = {
            REQUESTS: "counter",
            "nginx_ingress_controller_request_duration_seconds": "histogram",
            "nginx_ingress_controller_response_duration_seconds": "histogram",
            "nginx_ingress_controller_header_duration_seconds": "histogram",
            "nginx_ingress_controller_request_size": "histogram",
            "nginx_ingress_controller_response_size": "histogram",
            "nginx_ingress_controller_nginx_process_connections": "gauge",
            "nginx_ingress_controller_nginx_process_connections_total": "counter",
            "nginx_ingress_controller_nginx_process_requests_total": "counter",
            "nginx_ingress_controller_nginx_process_cpu_seconds_total": "counter",
            "nginx_ingress_controller_nginx_process_resident_memory_bytes": "gauge",
            "nginx_ingress_controller_success": "counter",
            "nginx_ingress_controller_config_last_reload_successful": "gauge",
            "nginx_ingress_controller_config_last_reload_successful_timestamp_seconds": "gauge",
            "nginx_ingress_controller_ssl_expire_time_seconds": "gauge",
            "process_cpu_seconds_total": "counter",
            "process_resident_memory_bytes": "gauge",
            "process_open_fds": "gauge",
            "process_max_fds": "gauge",
            "process_start_time_seconds": "gauge",
            "sluice_upstream_connections_opened_total": "counter",
            "sluice_upstream_connections_reused_total": "counter",
            "sluice_upstream_connect_failures_total": "counter",
            "sluice_tls_handshakes_total": "counter",
            "sluice_tls_handshake_errors_total": "counter",
            "sluice_snapshot_generation": "gauge",
            "sluice_snapshot_applied_generation": "gauge",
            "sluice_translations_total": "counter",
            "sluice_translation_duration_seconds": "gauge",
            "sluice_translation_skipped_objects": "gauge",
            "sluice_access_log_lines_total": "counter",
            "sluice_access_log_dropped_total": "counter",
        }
        for name, type_ in expected.items():
            self.assertIn(name, expo.families, name)
            self.assertEqual(expo.families[name].type, type_, name)
            self.assertTrue(expo.families[name].help, name)
        for _, labels, _ in expo.families[REQUESTS].samples:
            self.assertEqual(set(labels), REQUEST_LABELS, labels)
        for sname, labels, _ in expo.families["nginx_ingress_controller_request_duration_seconds"].samples:
            self.assertEqual(set(labels) - {"le"}, REQUEST_LABELS, labels)
        # ingress-nginx's default time buckets (prometheus.DefBuckets).
        les = [l["le"] for l, _ in expo.samples("nginx_ingress_controller_request_duration_seconds_bucket",
                                                 path="/dev", status="200")]
        self.assertEqual(les, ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10",
                               "+Inf"])
        self.assertGreater(expo.value("process_resident_memory_bytes"), 1e6)
        self.assertGreater(expo.value("process_open_fds"), 3)
        self.assertGreater(expo.value("process_cpu_seconds_total"), 0)
        self.assertEqual(expo.value("nginx_ingress_controller_config_last_reload_successful"), 1)
        self.assertGreaterEqual(expo.value("sluice_snapshot_generation"), 1)
        self.assertEqual(expo.value("sluice_snapshot_applied_generation"), expo.value("sluice_snapshot_generation"))

    def settled_scrape(self):
        """A scrape taken once every exchange already answered has been counted
        (a worker counts an exchange just after its last byte went out)."""
        last = [self.scrape()]

        def unchanged():
            now = self.scrape()
            same = all(now.value(n) == last[0].value(n) for n in (TOTAL, REQUESTS))
            last[0] = now
            return now if same else None
        return h.wait_for(unchanged, message="metrics to settle")

    def test_counters_move_by_exactly_the_requests_sent(self):
        before = self.settled_scrape()
        sent = [("/dev/a", "127.0.0.1", 200)] * 5 + [("/nothing", "nowhere.example", 404)] * 3 + \
               [("/refused", "127.0.0.1", 502)] * 2 + [("/x", "dev", 200)] * 4
        for path, host, status in sent:
            self.assertEqual(self.get(path, host).status, status, (path, host))

        def delta(expo, name, **labels):
            return expo.value(name, **labels) - before.value(name, **labels)

        # A worker counts an exchange right after its last byte went out: wait for all of them.
        after = h.wait_for(lambda: (lambda e: e if min(delta(e, TOTAL), delta(e, REQUESTS)) >= len(sent)
                                    else None)(self.scrape()), message="every request counted")
        self.assertEqual(delta(after, "nginx_ingress_controller_nginx_process_requests_total"), len(sent))
        self.assertEqual(delta(after, REQUESTS), len(sent))
        catch_all = dict(namespace="default", ingress="tkng-1", service="dev", host="_", path="/dev", method="GET")
        self.assertEqual(delta(after, REQUESTS, status="200", **catch_all), 5)
        self.assertEqual(delta(after, REQUESTS, status="200", namespace="default", ingress="tkng-2", service="dev",
                               host="dev", path="/", method="GET"), 4)
        self.assertEqual(delta(after, REQUESTS, status="404", ingress="", namespace="", service="", host="_",
                               method="GET"), 3)
        self.assertEqual(delta(after, REQUESTS, status="502", ingress="errors", service="refused",
                               path="/refused"), 2)
        # The histograms saw the same exchanges.
        self.assertEqual(delta(after, "nginx_ingress_controller_request_duration_seconds_count", status="200",
                               **catch_all), 5)
        self.assertEqual(delta(after, "nginx_ingress_controller_request_size_count"), len(sent))
        self.assertEqual(delta(after, "nginx_ingress_controller_response_duration_seconds_count",
                               status="404"), 0)  # no upstream for a 404
        self.assertGreater(delta(after, "nginx_ingress_controller_response_size_sum", status="200",
                                 **catch_all), 5 * 100)
        self.assertEqual(delta(after, "sluice_upstream_connect_failures_total"), 2)
        self.assertGreaterEqual(delta(after, "sluice_upstream_connections_opened_total") +
                                delta(after, "sluice_upstream_connections_reused_total"), 9)
        self.assertEqual(delta(after, "nginx_ingress_controller_nginx_process_connections_total",
                               state="accepted"), len(sent))
        self.assertEqual(delta(after, "sluice_access_log_lines_total"), len(sent))

    def test_a_configuration_change_moves_the_controller_metrics(self):
        before = self.scrape()
        generation = before.value("sluice_snapshot_generation")
        h.write_manifests(self.fx.dir, {"more.yaml": [
            h.ingress("more", [("more.example", [("/", "Prefix", "dev", 80)])]),
            # A rule with an unknown pathType is skipped with a warning.
            {**h.ingress("broken", [("broken.example", [("/", "Bogus", "dev", 80)])])},
        ]})
        after = h.wait_for(lambda: (lambda e: e if e.value("sluice_snapshot_applied_generation") > generation
                                    else None)(self.scrape()), message="a new generation applied")
        self.assertEqual(after.value("sluice_translations_total"), before.value("sluice_translations_total") + 1)
        self.assertEqual(after.value("nginx_ingress_controller_success"),
                         before.value("nginx_ingress_controller_success") + 1)
        self.assertGreaterEqual(after.value("sluice_translation_skipped_objects"), 1)
        self.assertGreater(after.value("sluice_translation_duration_seconds"), 0)
        os.remove(self.fx.path("more.yaml"))
        h.wait_for(lambda: self.scrape().value("sluice_translation_skipped_objects") == 0,
                   message="the broken Ingress gone")

    def test_a_scrape_is_cheap_enough_to_repeat(self):
        # Many scrapes in a row answer and parse; a scrape never blocks the proxy.
        for _ in range(20):
            self.scrape()
        self.assertEqual(self.get("/dev").status, 200)



class ConnectionStatesTest(unittest.TestCase):
    """nginx's reading/writing/waiting gauges, on a proxy of its own so the counts are exact."""

    def test_each_connection_is_counted_in_its_state(self):
        proxy = h.start_proxy(self, h.one_route_manifests(self), ["--workers", "2", "--https-listen", "off"])

        def states():
            expo = prom.parse(proxy.admin("/metrics").text)
            return {s: int(expo.value("nginx_ingress_controller_nginx_process_connections", state=s))
                    for s in ("active", "reading", "writing", "waiting")}

        idle = proxy.connect()  # no byte sent: waiting
        self.addCleanup(idle.close)
        partial = proxy.connect()  # half a head: reading
        self.addCleanup(partial.close)
        partial.send(b"GET / HTTP/1.1\r\nHost: x\r\n")
        slow = proxy.connect()  # answered after 3 s: writing meanwhile
        self.addCleanup(slow.close)
        slow.send(b"GET /slow HTTP/1.1\r\nHost: x\r\nX-Echo-Delay-Ms: 3000\r\n\r\n")
        want = {"active": 3, "reading": 1, "writing": 1, "waiting": 1}
        h.wait_for(lambda: states() == want, message=f"connection states {want}")

        self.assertEqual(slow.read_response().status, 200)  # back to waiting for the next request
        want = {"active": 3, "reading": 1, "writing": 0, "waiting": 2}
        h.wait_for(lambda: states() == want, message=f"connection states {want}")
        for c in (idle, partial, slow):
            c.close()
        want = {"active": 0, "reading": 0, "writing": 0, "waiting": 0}
        h.wait_for(lambda: states() == want, message="no connections left")

if __name__ == "__main__":
    unittest.main()
