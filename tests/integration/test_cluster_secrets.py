"""Least privilege for Secrets in cluster mode: TLS Secrets are listed and watched with the field
selector type=kubernetes.io/tls, only the Secrets a route (or --default-ssl-certificate) references
reach the store, and a referenced Secret the watch does not bring (another type, or one watched
before anything referenced it) is fetched by name. The store is observed through
sluice_store_objects and the fake API server's request log; certificates through real handshakes."""

import os
import shutil
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import cluster_fixture as c  # noqa: E402
import harness as h  # noqa: E402
import prom  # noqa: E402
from test_tls import CertificateAuthority, peer_common_name, tls_secret, with_tls  # noqa: E402

SECRETS_PATH = "/api/v1/namespaces/default/secrets/"


@unittest.skipUnless(shutil.which("openssl"), "the openssl CLI is needed to make certificates")
class SecretLeastPrivilegeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.certs_dir = h.temp_dir(None, prefix="sluice-secrets-")
        cls.ca = CertificateAuthority(cls.certs_dir)
        cls.used = cls.ca.issue("used.test", ["used.test"])
        cls.late = cls.ca.issue("late.test", ["late.test"])
        cls.fallback = cls.ca.issue("fallback.test", ["fallback.test"])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.certs_dir, ignore_errors=True)

    def setUp(self):
        self.api = c.start_api(self, bookmark_interval=0.2)
        self.echo = h.start_echo(self, "dev-pod")
        c.apply_all(self.api, h.backend_objects("dev", self.echo.port) + [
            tls_secret("used-tls", *self.used),
            tls_secret("unused-tls", *self.late),
            with_tls(h.ingress("secure", [("used.test", [("/", "Prefix", "dev", 80)])]), ["used.test"],
                     "used-tls"),
            # Another controller's Ingress: its Secret is none of sluice's business.
            with_tls(h.ingress("theirs", [("theirs.test", [("/", "Prefix", "dev", 80)])], ingress_class="other"),
                     ["theirs.test"], "unused-tls"),
        ])

    def start(self, args=()):
        self.proxy = c.start_sluice(self, self.api, args=["--https-listen", "127.0.0.1:0", *args])
        _, self.https_port = self.proxy.proc.listening("https")
        h.wait_for(lambda: self.api.watching("secrets"), message="the Secrets watch")
        return self.proxy

    def scrape(self):
        return prom.parse(self.proxy.admin("/metrics").text)

    def stored_secrets(self):
        return self.scrape().value("sluice_store_objects", kind="Secret")

    def gets(self, name):
        return [r for r in self.api.requests_for("secrets") if r.path == SECRETS_PATH + name]

    def test_secrets_are_listed_and_watched_only_with_the_tls_field_selector(self):
        self.start()
        listed = [r for r in self.api.requests_for("secrets") if r.name is None]
        self.assertTrue(any(r.watch for r in listed) and any(not r.watch for r in listed))
        for r in listed:
            self.assertEqual(r.query.get("fieldSelector"), "type=kubernetes.io/tls", r)
        self.assertEqual([r for r in self.api.requests_for("secrets") if r.name is not None], [],
                         "a Secret was fetched by name although the watch brings every one referenced")

    def test_an_unreferenced_secret_never_reaches_the_store(self):
        self.start()
        self.assertEqual(peer_common_name(self.https_port, "used.test"), "used.test")
        expo = self.scrape()
        self.assertEqual(expo.value("sluice_store_objects", kind="Secret"), 1)
        self.assertEqual(expo.value("sluice_secrets_referenced"), 1)
        # It changes in the cluster: the watch brings it, the store still does not keep it.
        changed = tls_secret("unused-tls", *self.late)
        changed["metadata"]["labels"] = {"rotated": "yes"}
        self.api.apply(changed)
        h.wait_for(lambda: self.scrape().value("sluice_informer_events_total", resource="secrets",
                                               type="MODIFIED") == 1, message="the MODIFIED event applied")
        self.assertEqual(self.stored_secrets(), 1)
        self.assertNotEqual(peer_common_name(self.https_port, "late.test"), "late.test")

    def test_a_secret_referenced_later_is_fetched_by_name_and_dropped_when_no_longer_used(self):
        self.start()
        self.assertEqual(self.gets("unused-tls"), [])
        self.api.apply(with_tls(h.ingress("late", [("late.test", [("/", "Prefix", "dev", 80)])]), ["late.test"],
                                "unused-tls"))
        h.wait_for(lambda: peer_common_name(self.https_port, "late.test") == "late.test",
                   message="late.test served with its certificate")
        self.assertEqual([r.status for r in self.gets("unused-tls")], [200])
        self.assertEqual(self.stored_secrets(), 2)
        # Rotated while referenced: the watch updates it.
        self.api.apply(tls_secret("unused-tls", *self.fallback))
        h.wait_for(lambda: peer_common_name(self.https_port, "late.test") == "fallback.test",
                   message="the rotated certificate")
        self.api.delete("networking.k8s.io/v1", "Ingress", "late")
        h.wait_for(lambda: self.stored_secrets() == 1, message="the unreferenced Secret dropped")
        self.assertEqual(peer_common_name(self.https_port, "used.test"), "used.test")

    def test_a_fetched_secret_deleted_while_the_watch_was_down_goes_at_the_relist(self):
        self.start()
        self.api.apply(with_tls(h.ingress("late", [("late.test", [("/", "Prefix", "dev", 80)])]), ["late.test"],
                                "unused-tls"))
        h.wait_for(lambda: peer_common_name(self.https_port, "late.test") == "late.test",
                   message="late.test served with its certificate")
        self.assertEqual([r.status for r in self.gets("unused-tls")], [200])
        # The Secrets watch fails; meanwhile the Secret is deleted and history compacted: 410, relist.
        self.api.fail(500, match=lambda r: r.watch and r.resource == "secrets")
        self.api.drop_watches()
        h.wait_for(lambda: any(r.status == 500 for r in self.api.watches("secrets")), message="a failed watch")
        self.api.delete("v1", "Secret", "unused-tls")
        self.api.compact()
        self.api.clear_faults()
        h.wait_for(lambda: len(self.api.lists("secrets")) == 2, message="the relist")
        h.wait_for(lambda: self.stored_secrets() == 1, message="the deleted Secret gone from the store")
        h.wait_for(lambda: peer_common_name(self.https_port, "late.test") != "late.test",
                   message="late.test without its deleted certificate")

    def test_an_opaque_default_certificate_is_fetched_by_name(self):
        # As ingress-nginx: any Secret type serves if it holds tls.crt and tls.key. The TLS watch never
        # sees an Opaque Secret, so it comes by name.
        opaque = tls_secret("fallback", *self.fallback)
        opaque["type"] = "Opaque"
        self.api.apply(opaque)
        self.start(args=["--default-ssl-certificate", "default/fallback"])
        self.assertEqual(peer_common_name(self.https_port, "unknown.test"), "fallback.test")
        self.assertEqual(peer_common_name(self.https_port, "used.test"), "used.test")
        self.assertEqual([r.status for r in self.gets("fallback")], [200])
        expo = self.scrape()
        self.assertEqual(expo.value("sluice_store_objects", kind="Secret"), 2)
        # Once, and once more for each restart of the Secrets watch (a Secret fetched by name is
        # fetched again then: the watch cannot bring its changes). A loaded machine sometimes sees
        # the first watch end early; no restart means exactly one GET.
        restarts = expo.value("sluice_informer_watch_restarts_total", resource="secrets")
        self.assertGreaterEqual(expo.value("sluice_secret_fetches_total"), 1)
        self.assertLessEqual(expo.value("sluice_secret_fetches_total"), 1 + restarts)
        self.assertNotIn("--default-ssl-certificate not used", self.proxy.proc.stderr_text())

    def test_a_namespaced_install_asks_only_for_its_namespace(self):
        # What deploy/overlays/namespaced grants: namespaced kinds in one namespace (a Role), and
        # IngressClasses, which are cluster-scoped, cluster-wide. No Secret outside the namespace.
        self.api.apply(tls_secret("elsewhere-tls", *self.late, namespace="other"))
        self.start(args=["--watch-namespace", "default"])
        self.assertEqual(peer_common_name(self.https_port, "used.test"), "used.test")
        for r in self.api.requests:
            with self.subTest(request=repr(r)):
                if r.resource == "ingressclasses":
                    self.assertTrue(r.path.startswith("/apis/networking.k8s.io/v1/ingressclasses"))
                else:
                    self.assertIn("/namespaces/default/", r.path + "/")
        self.assertEqual(self.stored_secrets(), 1)

    def test_a_secret_fetched_by_name_is_fetched_again_as_the_secrets_watch_restarts(self):
        opaque = tls_secret("fallback", *self.fallback)
        opaque["type"] = "Opaque"
        self.api.apply(opaque)
        self.start(args=["--default-ssl-certificate", "default/fallback"])
        self.assertEqual(peer_common_name(self.https_port, "unknown.test"), "fallback.test")
        rotated = tls_secret("fallback", *self.late)
        rotated["type"] = "Opaque"
        self.api.apply(rotated)
        # No watch covers it; the next Secrets watch (the server ends each at timeoutSeconds) refetches it.
        watches = len(self.api.watches("secrets"))
        self.api.drop_watches()
        h.wait_for(lambda: len(self.api.watches("secrets")) > watches, message="the Secrets watch to restart")
        h.wait_for(lambda: peer_common_name(self.https_port, "unknown.test") == "late.test",
                   message="the rotated default certificate")
        self.assertEqual([r.status for r in self.gets("fallback")], [200, 200])
        # What the TLS watch brings is never fetched by name.
        self.assertEqual(self.gets("used-tls"), [])


if __name__ == "__main__":
    unittest.main()
