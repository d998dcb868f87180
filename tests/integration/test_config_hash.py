"""nginx_ingress_controller_config_hash: the snapshot's content hash, with ingress-nginx's constant
labels; it moves when the served configuration changes and only then."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import cluster_fixture as c  # noqa: E402
import harness as h  # noqa: E402
import prom  # noqa: E402

HASH = "nginx_ingress_controller_config_hash"
TRANSLATIONS = "nginx_ingress_controller_success"
ENV = {"POD_NAME": "sluice-abc12", "POD_NAMESPACE": "ingress-nginx"}


class ConfigHashTest(unittest.TestCase):
    def setUp(self):
        self.echo = h.start_echo(self, "dev-pod")
        self.dir = h.temp_dir(self)
        self.web = h.ingress("web", [(None, [("/", "Prefix", "dev", 80)])])
        h.write_manifests(self.dir, {"backend.yaml": h.backend_objects("dev", self.echo.port),
                                     "web.yaml": [self.web]})
        cmd = [h.BIN, "--manifests", self.dir, "--http-listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
               "--https-listen", "off", "--access-log", "off", "--sync-period", "0"]
        proc = h.start_process(self, cmd, name="sluice", env=ENV)
        _, http_port = proc.listening("http")
        _, admin_port = proc.listening("admin")
        self.proxy = h.Proxy(proc, http_port, admin_port)
        h.wait_for(lambda: self.proxy.admin("/readyz", timeout=1).status == 200, message="/readyz")

    def scrape(self):
        return prom.parse(self.proxy.admin("/metrics").text)

    def state(self):
        """(config hash, translations so far) from one scrape."""
        expo = self.scrape()
        samples = expo.samples(HASH)
        self.assertEqual(len(samples), 1, samples)
        return samples[0][1], expo.value(TRANSLATIONS)

    def wait_translated(self, after):
        """Waits for a translation beyond count `after`; returns the state then."""
        return h.wait_for(lambda: (s := self.state())[1] > after and s, message="a new translation")

    def test_the_hash_has_ingress_nginx_labels_and_form(self):
        expo = self.scrape()
        [(labels, value)] = expo.samples(HASH)
        self.assertEqual(labels, {"controller_class": "sluice.dev/ingress-controller",
                                  "controller_namespace": "ingress-nginx", "controller_pod": "sluice-abc12"})
        self.assertEqual(expo.families[HASH].type, "gauge")
        # float64 of a 64-bit hash, as ingress-nginx sets it: an integer-valued double.
        self.assertGreater(value, 0)
        self.assertLess(value, 2.0 ** 64)
        self.assertEqual(value, float(int(value)))

    def test_it_changes_with_the_served_configuration_and_only_then(self):
        first, n = self.state()
        # An object no route uses: a translation runs, the snapshot is the same, and so is the hash.
        h.write_manifests(self.dir, {"unused.yaml": [h.service("unused", 80, 9)]})
        same, n = self.wait_translated(n)
        self.assertEqual(same, first)
        # Re-applied with another port, and removed again: the same.
        h.write_manifests(self.dir, {"unused.yaml": [h.service("unused", 81, 9)]})
        same, n = self.wait_translated(n)
        self.assertEqual(same, first)
        os.unlink(os.path.join(self.dir, "unused.yaml"))
        same, n = self.wait_translated(n)
        self.assertEqual(same, first)
        # A new path on the Ingress changes what is served.
        changed = h.ingress("web", [(None, [("/", "Prefix", "dev", 80), ("/api", "Exact", "dev", 80)])])
        h.write_manifests(self.dir, {"web.yaml": [changed]})
        h.wait_for(lambda: self.state()[0] != first, message="a new hash")
        second, n = self.state()
        # So does an endpoint (ingress-nginx's hash covers its backends' endpoints too).
        other = h.start_echo(self, "other-pod")
        h.write_manifests(self.dir, {"backend.yaml": h.backend_objects("dev", other.port)})
        h.wait_for(lambda: self.state()[0] not in (first, second), message="a hash for the new endpoint")
        # Back to the first content: back to the first hash (it is a function of the content).
        h.write_manifests(self.dir, {"backend.yaml": h.backend_objects("dev", self.echo.port),
                                     "web.yaml": [self.web]})
        h.wait_for(lambda: self.state()[0] == first, message="the first hash again")
        self.assertEqual(self.proxy.get("/api").status, 200)  # prefix "/" still serves it


class ClusterConfigHashTest(unittest.TestCase):
    """The same through the Kubernetes API: objects re-applied (new resourceVersions) and
    objects no route uses leave the hash alone; an Ingress change moves it."""

    def test_reapplied_and_unrelated_objects_keep_the_hash(self):
        api = c.start_api(self)
        echo = h.start_echo(self, "dev-pod")
        web = h.ingress("web", [(None, [("/", "Prefix", "dev", 80)])])
        c.apply_all(api, h.backend_objects("dev", echo.port) + [web])
        proxy = c.start_sluice(self, api, env=ENV)

        def state():
            expo = prom.parse(proxy.admin("/metrics").text)
            return expo.value(HASH), expo.value(TRANSLATIONS)

        first, n = state()
        self.assertGreater(first, 0)
        # A Service nobody routes to, then changed: translations, the same table.
        api.apply(h.service("unused", 80, 9))
        h.wait_for(lambda: state()[1] > n, message="a translation for the new Service")
        self.assertEqual(state()[0], first)
        n = state()[1]
        api.apply(h.service("unused", 81, 9))
        h.wait_for(lambda: state()[1] > n, message="a translation for the changed Service")
        # The Ingress re-applied as it is (a new resourceVersion), then another controller's
        # Ingress: once that one is counted as ignored, the watch delivered both.
        api.apply(web)
        api.apply(h.ingress("marker", [("marker.example", [("/", "Prefix", "dev", 80)])], ingress_class="other"))
        h.wait_for(lambda: prom.parse(proxy.admin("/metrics").text).value(
            "sluice_snapshot_entries", kind="ingresses_ignored") == 1, message="the marker Ingress seen")
        self.assertEqual(state()[0], first)
        # A new rule on the Ingress: a new hash.
        api.apply(h.ingress("web", [("shop.example", [("/", "Prefix", "dev", 80)]),
                                    (None, [("/", "Prefix", "dev", 80)])]))
        h.wait_for(lambda: state()[0] not in (0, first), message="a new hash")


if __name__ == "__main__":
    unittest.main()
