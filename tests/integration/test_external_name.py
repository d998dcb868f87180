"""ExternalName Services: the backend is found by DNS (here, localhost)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402


class ExternalNameTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        def objects(fx):
            return [
                h.service("outside", port=fx.dev.port, external_name="localhost"),
                # A 64-byte label fails inside the resolver before any DNS query is
                # sent: the test must not send traffic beyond loopback.
                h.service("nowhere", port=80, external_name="x" * 64 + ".invalid"),
                h.ingress("external", [("outside.example", [("/", "Prefix", "outside", fx.dev.port)]),
                                       ("nowhere.example", [("/", "Prefix", "nowhere", 80)])]),
            ]
        cls.fx = h.ProxyFixture(extra_objects=objects).start()

    @classmethod
    def tearDownClass(cls):
        cls.fx.close()

    def test_requests_reach_the_resolved_name_and_reuse_the_answer(self):
        for i in range(5):
            resp = self.fx.proxy.get(f"/x{i}", headers={"Host": "outside.example"})
            self.assertEqual(resp.status, 200)
            self.assertEqual(resp.echo_fields()["Server name"], self.fx.dev_name)

    def test_a_name_that_does_not_resolve_is_502(self):
        resp = self.fx.proxy.get("/", headers={"Host": "nowhere.example"})
        self.assertEqual(resp.status, 502)
        self.assertIn("did not resolve", resp.text)


if __name__ == "__main__":
    unittest.main()
