"""Cluster mode: sluice lists and watches the (fake) Kubernetes API and traffic follows every change."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import cluster_fixture as c  # noqa: E402
import harness as h  # noqa: E402


class ClusterSyncTest(unittest.TestCase):
    def setUp(self):
        self.api = c.start_api(self)
        self.dev = h.start_echo(self, "dev-pod")
        self.prod = h.start_echo(self, "prod-pod")
        c.apply_all(self.api, h.backend_objects("dev", self.dev.port) +
                    h.backend_objects("prod", self.prod.port) + h.classic_routes())

    def test_initial_sync_then_routing(self):
        proxy = c.start_sluice(self, self.api)
        self.assertEqual(c.server_of(proxy, "/dev"), (200, "dev-pod"))
        self.assertEqual(c.server_of(proxy, "/prod"), (200, "prod-pod"))
        self.assertEqual(c.server_of(proxy, "/", host="prod"), (200, "prod-pod"))
        self.assertEqual(c.server_of(proxy, "/nothing")[0], 404)
        # Every informer listed once, then watched from the list's resourceVersion with bookmarks.
        for plural in ("ingresses", "ingressclasses", "services", "endpointslices", "secrets"):
            self.assertEqual(len(self.api.lists(plural)), 1, plural)
            watch = h.wait_for(lambda: self.api.watches(plural), message=f"a watch of {plural}")[0]
            self.assertEqual(watch.query["allowWatchBookmarks"], "true")
            self.assertNotIn(watch.query["resourceVersion"], ("", "0"))
            self.assertGreater(int(watch.query["timeoutSeconds"]), 0)
        secrets = self.api.lists("secrets")[0]
        self.assertEqual(secrets.query.get("fieldSelector"), "type=kubernetes.io/tls")
        self.assertIn("limit", secrets.query)

    def test_paginated_list(self):
        # 7 Ingresses with limit 500 would be one page: make many more, the LIST pages through them.
        extra = [h.ingress(f"bulk-{i:04d}", [(f"bulk{i}.example", [("/", "Prefix", "dev", 80)])])
                 for i in range(1203)]
        c.apply_all(self.api, extra)
        proxy = c.start_sluice(self, self.api)
        self.assertEqual(c.server_of(proxy, "/", host="bulk1202.example"), (200, "dev-pod"))
        self.assertEqual(c.server_of(proxy, "/", host="bulk0.example"), (200, "dev-pod"))
        pages = self.api.requests_for("ingresses", watch=False)
        self.assertEqual(len(pages), 3, pages)
        self.assertTrue(all("continue" in p.query for p in pages[1:]))

    def test_an_expired_continue_token_or_a_garbled_page_restarts_the_list(self):
        extra = [h.ingress(f"bulk-{i:04d}", [(f"bulk{i}.example", [("/", "Prefix", "dev", 80)])])
                 for i in range(600)]
        c.apply_all(self.api, extra)
        self.api.fail(410, count=1, match=lambda r: "continue" in r.query, message="continue too old")
        self.api.fail(200, count=1, match=lambda r: r.resource == "services" and not r.watch,
                      body=b'{"kind": "ServiceList", "items": [')
        proxy = c.start_sluice(self, self.api)
        self.assertEqual(c.server_of(proxy, "/", host="bulk599.example"), (200, "dev-pod"))
        self.assertEqual(c.server_of(proxy, "/dev"), (200, "dev-pod"))
        self.assertEqual(len(self.api.lists("ingresses")), 2)
        self.assertEqual(len(self.api.lists("services")), 2)
        self.assertIn("invalid JSON", proxy.proc.stderr_text())

    def test_not_ready_until_every_informer_has_listed(self):
        self.api.fail(500, match=lambda r: r.resource == "endpointslices" and not r.watch)
        proxy = c.start_sluice(self, self.api, ready=False)
        h.wait_for(lambda: len(self.api.requests_for("endpointslices")) >= 2,
                   message="the failing LIST to be retried")
        self.assertEqual(proxy.admin("/readyz").status, 503)
        # Nothing was published: the proxy says so instead of routing on a partial view.
        early = h.request(proxy.http_port, "GET", "/dev")
        self.assertEqual(early.status, 503)
        self.assertIn("no routing configuration loaded yet", early.text)
        self.api.clear_faults()
        c.wait_ready(proxy)
        self.assertEqual(c.server_of(proxy, "/dev"), (200, "dev-pod"))

    def test_ingress_create_update_delete(self):
        proxy = c.start_sluice(self, self.api)
        self.api.apply(h.ingress("new", [(None, [("/new", "Prefix", "dev", 80)])]))
        c.wait_route(proxy, "/new", "dev-pod")
        self.api.apply(h.ingress("new", [(None, [("/new", "Prefix", "prod", 80)])]))
        c.wait_route(proxy, "/new", "prod-pod")
        self.api.delete("networking.k8s.io/v1", "Ingress", "new")
        c.wait_route(proxy, "/new", 404)
        self.assertEqual(c.server_of(proxy, "/dev"), (200, "dev-pod"))

    def test_service_port_change(self):
        proxy = c.start_sluice(self, self.api)
        # The Ingress asks for port 80: a Service without it makes the route a 503.
        self.api.apply(h.service("dev", 8080, self.dev.port))
        c.wait_route(proxy, "/dev", 503)
        self.api.apply(h.service("dev", 80, self.dev.port))
        c.wait_route(proxy, "/dev", "dev-pod")

    def test_endpoint_slice_scale_up_down_and_readiness(self):
        # Two pods on one port: the second echo listens on 127.0.0.2.
        second = h.start_echo(self, "dev-pod-2", listen=f"127.0.0.2:{self.dev.port}")
        proxy = c.start_sluice(self, self.api)

        def names(n=12):
            return {c.server_of(proxy, "/dev")[1] for _ in range(n)}

        self.api.apply(h.endpoint_slice("dev", self.dev.port, addresses=("127.0.0.1", "127.0.0.2")))
        h.wait_for(lambda: names() == {"dev-pod", second.name}, message="both pods to serve")
        # Scale down to the second pod only.
        self.api.apply(h.endpoint_slice("dev", self.dev.port, addresses=("127.0.0.2",)))
        h.wait_for(lambda: names() == {second.name}, message="only the second pod to serve")
        # Its only endpoint not ready: 503.
        self.api.apply(h.endpoint_slice("dev", self.dev.port, addresses=("127.0.0.2",), ready=False))
        c.wait_route(proxy, "/dev", 503)
        # A second slice for the same Service adds its endpoints.
        self.api.apply(h.endpoint_slice("dev", self.dev.port, name="dev-2"))
        c.wait_route(proxy, "/dev", "dev-pod")
        self.api.delete("discovery.k8s.io/v1", "EndpointSlice", "dev-2")
        c.wait_route(proxy, "/dev", 503)

    def test_class_selection(self):
        proxy = c.start_sluice(self, self.api)
        self.api.apply(h.ingress("other", [(None, [("/other", "Prefix", "dev", 80)])], ingress_class="nginx"))
        self.api.apply(h.ingress("mine", [(None, [("/mine", "Prefix", "dev", 80)])], ingress_class="custom"))
        self.api.apply(h.ingress("none", [(None, [("/none", "Prefix", "dev", 80)])], ingress_class=None))
        # Marker: once /marker routes, the three above have been seen too (one watch, in order).
        self.api.apply(h.ingress("marker", [(None, [("/marker", "Prefix", "dev", 80)])]))
        c.wait_route(proxy, "/marker", "dev-pod")
        for path in ("/other", "/mine", "/none"):
            self.assertEqual(c.server_of(proxy, path)[0], 404, path)
        # An IngressClass naming our controller, marked default, adopts "custom" and class-less ones.
        self.api.apply({"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
                        "metadata": {"name": "custom", "annotations": {
                            "ingressclass.kubernetes.io/is-default-class": "true"}},
                        "spec": {"controller": "sluice.dev/ingress-controller"}})
        c.wait_route(proxy, "/mine", "dev-pod")
        c.wait_route(proxy, "/none", "dev-pod")
        self.assertEqual(c.server_of(proxy, "/other")[0], 404)
        self.api.delete("networking.k8s.io/v1", "IngressClass", "custom", namespace="")
        c.wait_route(proxy, "/mine", 404)

    def test_watch_namespace(self):
        c.apply_all(self.api, [
            h.service("dev", 80, self.dev.port, namespace="team-a"),
            h.endpoint_slice("dev", self.dev.port, namespace="team-a"),
            h.ingress("a", [(None, [("/team-a", "Prefix", "dev", 80)])], namespace="team-a")])
        proxy = c.start_sluice(self, self.api, args=["--watch-namespace", "team-a"])
        self.assertEqual(c.server_of(proxy, "/team-a"), (200, "dev-pod"))
        self.assertEqual(c.server_of(proxy, "/dev")[0], 404)  # default/ is not watched
        self.assertTrue(self.api.lists("ingresses")[0].path.endswith("/namespaces/team-a/ingresses"))
        self.assertEqual(self.api.lists("ingressclasses")[0].path,
                         "/apis/networking.k8s.io/v1/ingressclasses")  # cluster-scoped
        self.api.apply(h.ingress("b", [(None, [("/b", "Prefix", "dev", 80)])]))  # default: ignored
        self.api.apply(h.ingress("b", [(None, [("/b", "Prefix", "dev", 80)])], namespace="team-a"))
        c.wait_route(proxy, "/b", "dev-pod")

    def test_sigterm_stops_cleanly_while_watching(self):
        proxy = c.start_sluice(self, self.api, args=["--shutdown-grace", "1s"])
        h.wait_for(lambda: self.api.open_watches >= 5, message="five open watches")
        self.assertEqual(proxy.proc.stop(), 0)
        self.assertIn("stopped", proxy.proc.stderr_text())


if __name__ == "__main__":
    unittest.main()
