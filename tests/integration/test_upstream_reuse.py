"""Pooled upstream connections: a backend that closed them meanwhile costs a
retry on a fresh connection for requests that are safe to repeat, never a 502."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402


class StalePooledConnectionTest(unittest.TestCase):
    def test_a_restarted_backend_is_reached_through_a_fresh_connection(self):
        first = h.start_echo(self, "first")
        folder = h.temp_dir(self)
        h.write_manifests(folder, {
            "backends.yaml": h.backend_objects("dev", first.port),
            "ingress.yaml": [h.ingress("dev", [(None, [("/", "Prefix", "dev", 80)])])],
        })
        proxy = h.start_proxy(self, folder, ["--workers", "1"])
        for _ in range(3):  # leaves a keep-alive connection in the worker's pool
            self.assertEqual(proxy.get("/").echo_fields()["Server name"], "first")

        first.stop()  # closes the pooled connection from the backend's side
        second = h.start_echo(self, "second", listen=f"127.0.0.1:{first.port}")
        for method in ("GET", "HEAD", "DELETE"):
            resp = h.request(proxy.http_port, method, "/")
            self.assertEqual(resp.status, 200, method)
        self.assertEqual(proxy.get("/").echo_fields()["Server name"], second.name)

        # A POST is never sent twice: its pooled connection is checked first instead.
        second.stop()
        h.start_echo(self, "third", listen=f"127.0.0.1:{first.port}")
        resp = h.request(proxy.http_port, "POST", "/", body=b"once")
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.echo_fields()["Server name"], "third")


if __name__ == "__main__":
    unittest.main()
