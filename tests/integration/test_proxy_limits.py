"""Connection limits: requests per keep-alive connection."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402
import prom  # noqa: E402


def metrics(proxy):
    resp = proxy.admin("/metrics")
    assert resp.status == 200, resp
    return prom.parse(resp.text)


class KeepaliveRequestsTest(unittest.TestCase):
    def test_the_last_allowed_response_says_close_and_the_connection_ends(self):
        proxy = h.start_proxy(self, h.one_route_manifests(self), ["--keepalive-requests", "3"])
        with proxy.connect() as c:
            for i in range(2):
                resp = c.request("GET", f"/r{i}", [("Host", "x")])
                self.assertEqual(resp.status, 200)
                self.assertNotEqual((resp.header("Connection") or "").lower(), "close", resp)
            resp = c.request("GET", "/r2", [("Host", "x")])
            self.assertEqual(resp.status, 200)
            self.assertEqual(resp.header("Connection", "").lower(), "close", resp)
            self.assertTrue(c.is_closed(timeout=5))
        self.assertEqual(metrics(proxy).value("sluice_keepalive_requests_reached_total"), 1)

    def test_a_local_reply_counts_and_closes_too(self):
        # No manifests: every request is a local 404.
        proxy = h.start_proxy(self, h.temp_dir(self), ["--keepalive-requests", "2"])
        with proxy.connect() as c:
            first = c.request("GET", "/a", [("Host", "x")])
            self.assertEqual(first.status, 404)
            self.assertNotEqual((first.header("Connection") or "").lower(), "close", first)
            second = c.request("GET", "/b", [("Host", "x")])
            self.assertEqual(second.status, 404)
            self.assertEqual(second.header("Connection", "").lower(), "close", second)
            self.assertTrue(c.is_closed(timeout=5))

    def test_the_default_allows_more_than_a_hundred_requests(self):
        # nginx's own default is 100 (before 1.19.10) and ingress-nginx's 1000.
        proxy = h.start_proxy(self, h.one_route_manifests(self))
        with proxy.connect() as c:
            for i in range(150):
                resp = c.request("GET", f"/r{i}", [("Host", "x")])
                self.assertEqual(resp.status, 200)
                self.assertNotEqual((resp.header("Connection") or "").lower(), "close", resp)
        self.assertEqual(metrics(proxy).value("sluice_keepalive_requests_reached_total"), 0)

    def test_bad_values_are_refused(self):
        for value in ("-1", "many", ""):
            r = h.run([h.BIN, "--manifests", h.temp_dir(self), "--keepalive-requests", value])
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn("--keepalive-requests", r.stderr)


if __name__ == "__main__":
    unittest.main()
