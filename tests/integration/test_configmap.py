"""--configmap NS/NAME in standalone mode: the ConfigMap is one more object
in the manifest folder, and rewriting it under a running proxy applies
without a restart (a new snapshot): blocks, global header edits, HSTS,
keep-alive-requests. Bad values are logged and keep ingress-nginx's
default; keys sluice does not read are logged once."""

import http.client
import os
import socket
import ssl
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402

HOST = "web.example"


def config_map(name, data, namespace="sluice"):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": namespace},
            "data": data}


def https_get(port, path="/"):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=5, context=ctx)
    try:
        conn.request("GET", path, headers={"Host": HOST})
        resp = conn.getresponse()
        resp.read()
        return resp.status, resp.getheader("Strict-Transport-Security")
    finally:
        conn.close()


class ConfigMapLive(unittest.TestCase):
    def setUp(self):
        echo = h.start_echo(self, "web-1")
        self.dir = h.temp_dir(self)
        h.write_manifests(self.dir, {
            "app.yaml": h.backend_objects("web", echo.port) + [
                h.ingress("web", [(HOST, [("/", "Prefix", "web", 80)])]),
                config_map("response-headers", {"X-Frame-Options": "DENY"}),
                config_map("request-headers", {"X-Team": "blue"}),
            ],
            "config.yaml": [config_map("config", {})],
        })
        # One worker: each fresh client connection lands on the same upstream pool.
        self.proxy = h.start_proxy(self, self.dir, args=["--configmap", "sluice/config", "--workers", "1"])

    def apply(self, data, marker):
        """Rewrites the ConfigMap and waits for the snapshot that has `marker` in its dump."""
        h.write_manifests(self.dir, {"config.yaml": [config_map("config", data)]})
        h.wait_for(lambda: marker in self.proxy.admin("/debug/snapshot").text, message=f"a snapshot with {marker}")

    def get(self, headers=None):
        return h.request(self.proxy.http_port, "GET", "/", headers={"Host": HOST, **(headers or {})})

    def test_block_user_agents_applies_and_unapplies_without_restart(self):
        pid = self.proxy.proc.pid
        self.assertEqual(self.get({"User-Agent": "BadBot"}).status, 200)
        self.apply({"block-user-agents": "BadBot,~*crawler"}, "block-user-agents")
        self.assertEqual(self.get({"User-Agent": "BadBot"}).status, 403)
        self.assertEqual(self.get({"User-Agent": "Friendly Crawler"}).status, 403)
        self.assertEqual(self.get({"User-Agent": "Mozilla/5.0"}).status, 200)
        self.apply({"hsts-preload": "true"}, "preload")
        self.assertEqual(self.get({"User-Agent": "BadBot"}).status, 200)
        self.assertTrue(self.proxy.proc.alive())
        self.assertEqual(self.proxy.proc.pid, pid)

    def test_add_headers_and_proxy_set_headers_come_from_their_configmaps(self):
        self.apply({"add-headers": "sluice/response-headers", "proxy-set-headers": "sluice/request-headers"},
                   "settings from configmap")
        h.wait_for(lambda: self.get().header("X-Frame-Options") == "DENY", message="add-headers applied")
        resp, seen = h.get_json(self.proxy.http_port, "/", headers={"Host": HOST})
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.header("X-Frame-Options"), "DENY")
        self.assertEqual(h.echo_headers(seen, "X-Team"), ["blue"])
        # A change to the referenced ConfigMap applies too: it is in the store like any object.
        h.write_manifests(self.dir, {"more.yaml": [config_map("response-headers", {"X-Frame-Options": "SAMEORIGIN"})]})
        h.wait_for(lambda: self.get().header("X-Frame-Options") == "SAMEORIGIN", message="the new header value")

    def test_hsts_follows_the_configmap_on_https(self):
        self.assertEqual(https_get(self.proxy.https_port), (200, "max-age=31536000; includeSubDomains"))
        self.apply({"hsts-max-age": "600", "hsts-include-subdomains": "false", "hsts-preload": "true"}, "max-age=600")
        self.assertEqual(https_get(self.proxy.https_port), (200, "max-age=600; preload"))
        self.apply({"hsts": "false", "keep-alive-requests": "999"}, "keep-alive-requests 999")
        self.assertEqual(https_get(self.proxy.https_port), (200, None))
        self.assertIsNone(self.get().header("Strict-Transport-Security"))  # never over plain HTTP

    def test_keep_alive_requests_applies_to_the_next_request(self):
        with socket.create_connection(("127.0.0.1", self.proxy.http_port), timeout=5) as s:
            s.sendall(f"GET / HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
            first = s.recv(65536)
            self.assertNotIn(b"Connection: close", first)
            self.apply({"keep-alive-requests": "1"}, "keep-alive-requests 1\\n")
            s.sendall(f"GET / HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
            second = b""
            while b"\r\n\r\n" not in second:
                chunk = s.recv(65536)
                if not chunk:
                    break
                second += chunk
        self.assertIn(b"Connection: close", second)
        self.assertEqual(self.get().header("Connection"), "close")

    def test_bad_values_keep_defaults_and_unknown_keys_are_logged_once(self):
        self.apply({"http-redirect-code": "303", "hsts-max-age": "soon", "use-gzip": "true",
                    "allow-snippet-annotations": "true", "block-referers": "spam.example"}, "block-referers")
        h.wait_for(lambda: "http-redirect-code" in self.proxy.proc.stderr_text(), message="the warning")
        log = self.proxy.proc.stderr_text()
        self.assertIn("hsts-max-age", log)
        self.assertIn("sluice never runs snippets", log)
        self.assertIn("key=use-gzip", log)
        self.assertEqual(https_get(self.proxy.https_port), (200, "max-age=31536000; includeSubDomains"))
        self.apply({"http-redirect-code": "303", "use-gzip": "true", "block-referers": "spam2.example"},
                   "spam2.example")
        self.assertEqual(self.proxy.proc.stderr_text().count("key=use-gzip"), 1)

    def test_upstream_keepalive_connections_0_reuses_no_upstream_connection(self):
        def backend_ports(n):
            ports = set()
            for _ in range(n):
                resp, seen = h.get_json(self.proxy.http_port, "/", headers={"Host": HOST})
                ports.add(seen["remote_address"])
            return ports
        self.assertEqual(len(backend_ports(3)), 1)  # one pooled connection serves them all
        self.apply({"upstream-keepalive-connections": "0"}, "upstream-keepalive-connections 0")
        self.assertEqual(len(backend_ports(3)), 3)

    def test_worker_shutdown_timeout_is_the_sigterm_grace(self):
        self.apply({"worker-shutdown-timeout": "7s"}, "worker-shutdown-timeout 7000ms")
        self.assertEqual(self.proxy.proc.stop(timeout=10), 0)
        self.assertIn("grace_ms=7000", self.proxy.proc.stderr_text())

    def test_a_missing_configmap_means_ingress_nginx_defaults(self):
        os.remove(os.path.join(self.dir, "config.yaml"))
        h.wait_for(lambda: "not found" in self.proxy.proc.stderr_text(), message="the missing ConfigMap warning")
        self.assertEqual(self.get().status, 200)
        self.assertEqual(https_get(self.proxy.https_port), (200, "max-age=31536000; includeSubDomains"))


if __name__ == "__main__":
    unittest.main()
