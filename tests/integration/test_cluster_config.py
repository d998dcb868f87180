"""Cluster mode configuration: how sluice finds the API server (kubeconfig, $KUBECONFIG,
in-cluster), TLS to it, and the command-line errors that exit 2."""

import base64
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import cluster_fixture as c  # noqa: E402
import harness as h  # noqa: E402

CLUSTER_ENV = ("KUBECONFIG", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT")


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in CLUSTER_ENV}
    env.update(extra)
    return env


def run_sluice(args, env=None):
    return subprocess.run([h.BIN, "--http-listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", *args],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=10,
                          env=env or clean_env())


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=30)


def make_ca(d, name):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.crt", "-days", "2", "-subj", f"/CN={name}", cwd=d)
    return os.path.join(d, f"{name}.crt")


def make_cert(d, ca, name, ext):
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}", cwd=d)
    h.write_file(os.path.join(d, f"{name}.ext"), ext + "\n")
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.crt", "-CAkey", f"{ca}.key",
            "-CAcreateserial", "-out", f"{name}.crt", "-days", "2", "-extfile", f"{name}.ext", cwd=d)
    return os.path.join(d, f"{name}.crt"), os.path.join(d, f"{name}.key")


class CommandLineTest(unittest.TestCase):
    def test_no_source_exits_2_with_a_clear_message(self):
        r = run_sluice([])
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("no source", r.stderr)
        self.assertIn("--manifests", r.stderr)
        self.assertIn("--kubeconfig", r.stderr)

    def test_manifests_and_kubeconfig_exclude_each_other(self):
        d = h.temp_dir(self)
        r = run_sluice(["--manifests", d, "--kubeconfig", os.path.join(d, "kc")])
        self.assertEqual(r.returncode, 2)
        self.assertIn("only one", r.stderr)

    def test_cluster_flags_need_a_cluster_source(self):
        d = h.temp_dir(self)
        r = run_sluice(["--manifests", d, "--watch-namespace", "x"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("cluster source", r.stderr)

    def test_publish_flags_exclude_each_other(self):
        d = h.temp_dir(self)
        kc = os.path.join(d, "kc")
        h.write_file(kc, c.kubeconfig_text("http://127.0.0.1:1", token="x"))
        r = run_sluice(["--kubeconfig", kc, "--publish-service", "a/b", "--publish-status-address", "1.2.3.4"])
        self.assertEqual(r.returncode, 2)
        r = run_sluice(["--kubeconfig", kc, "--publish-service", "no-slash"])
        self.assertEqual(r.returncode, 2)
        r = run_sluice(["--kubeconfig", kc, "--election-renew-deadline", "20s"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("lease-duration", r.stderr)

    def test_bad_kubeconfigs_exit_2(self):
        d = h.temp_dir(self)
        cases = {
            "missing": (None, "cannot be read"),
            "not-yaml": ("clusters: [unclosed\n", "kubeconfig"),
            "no-context": (c.kubeconfig_text("http://127.0.0.1:1", token="x").replace(
                "current-context: test", ""), "current-context"),
            "bad-server": (c.kubeconfig_text("ftp://x", token="x"), "http"),
            "exec": (c.kubeconfig_text("http://127.0.0.1:1").replace(
                "  user: {}", "  user:\n    exec: {command: aws}"), "exec"),
            "cert-without-key": (c.kubeconfig_text("https://127.0.0.1:1", client_cert="/etc/hostname"),
                                 "both"),
            "bad-ca-data": (c.kubeconfig_text("https://127.0.0.1:1", ca_data="not-base64%", token="x"), "base64"),
        }
        for name, (text, expect) in cases.items():
            path = os.path.join(d, name)
            if text is not None:
                h.write_file(path, text)
            with self.subTest(name):
                r = run_sluice(["--kubeconfig", path])
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(expect, r.stderr)

    def test_in_cluster_environment_without_service_account_files_exits_2(self):
        if os.path.exists("/var/run/secrets/kubernetes.io/serviceaccount/token"):
            self.skipTest("running in a pod")
        r = run_sluice([], env=clean_env(KUBERNETES_SERVICE_HOST="127.0.0.1", KUBERNETES_SERVICE_PORT="1"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("in-cluster", r.stderr)


class KubeconfigTest(unittest.TestCase):
    def setUp(self):
        self.api = c.start_api(self)
        self.echo = h.start_echo(self, "dev-pod")
        c.apply_all(self.api, h.backend_objects("dev", self.echo.port) + h.classic_routes()[:1])

    def test_kubeconfig_from_the_environment(self):
        path = c.write_kubeconfig(self, self.api)
        cmd = [h.BIN, "--http-listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--sync-period", "0",
               *c._default_flags()]
        proc = h.start_process(self, cmd, env=clean_env(KUBECONFIG=f"/nonexistent/config:{path}"))
        _, admin = proc.listening("admin")
        _, http = proc.listening("http")
        proxy = h.Proxy(proc, http, admin)
        c.wait_ready(proxy)
        self.assertEqual(c.server_of(proxy, "/dev"), (200, "dev-pod"))

    def test_kubeconfig_files_merge_like_kubectl(self):
        d = h.temp_dir(self)
        full = c.kubeconfig_text(self.api.url, token=c.TOKEN)
        contexts_part = full[full.index("contexts:"):]
        clusters_part = full[:full.index("contexts:")]
        first, second = os.path.join(d, "a"), os.path.join(d, "b")
        h.write_file(first, "apiVersion: v1\nkind: Config\n" + contexts_part)
        h.write_file(second, clusters_part)
        proxy = c.start_sluice(self, kubeconfig=f"{first}:{second}")
        self.assertEqual(c.server_of(proxy, "/dev"), (200, "dev-pod"))

    def test_server_with_a_path_prefix_is_rejected_by_a_real_path(self):
        # A server URL with a path prefix puts the prefix in front of every request path.
        proxy = c.start_sluice(self, self.api, server=self.api.url + "/prefix", ready=False)
        h.wait_for(lambda: any(r.path.startswith("/prefix/") for r in self.api.requests),
                   message="a request under the prefix")
        self.assertEqual(proxy.admin("/readyz").status, 503)


class TlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = h.temp_dir(None)
        d = cls.dir
        cls.ca = make_ca(d, "ca")
        cls.server_cert, cls.server_key = make_cert(
            d, "ca", "server", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth")
        cls.client_cert, cls.client_key = make_cert(d, "ca", "client", "extendedKeyUsage=clientAuth")
        cls.other_ca = make_ca(d, "other")

    def setUp(self):
        self.api = c.start_api(self, tls=(self.server_cert, self.server_key), client_ca=self.ca)
        self.echo = h.start_echo(self, "dev-pod")
        c.apply_all(self.api, h.backend_objects("dev", self.echo.port) + h.classic_routes()[:1])

    def test_https_with_a_ca_file(self):
        proxy = c.start_sluice(self, self.api, ca_file=self.ca)
        self.assertEqual(c.server_of(proxy, "/dev"), (200, "dev-pod"))
        self.api.apply(h.ingress("new", [(None, [("/new", "Prefix", "dev", 80)])]))
        c.wait_route(proxy, "/new", "dev-pod")

    def test_https_with_ca_data_and_localhost_name(self):
        with open(self.ca, "rb") as f:
            data = base64.b64encode(f.read()).decode()
        proxy = c.start_sluice(self, self.api, ca_data=data, server=f"https://localhost:{self.api.port}")
        self.assertEqual(c.server_of(proxy, "/dev"), (200, "dev-pod"))

    def test_an_untrusted_server_certificate_is_refused(self):
        proxy = c.start_sluice(self, self.api, ca_file=self.other_ca, ready=False)
        proxy.proc.wait_for_line(r"tls handshake")
        self.assertEqual(proxy.admin("/readyz").status, 503)
        self.assertEqual(self.api.requests, [])  # no request got through

    def test_insecure_skip_tls_verify(self):
        proxy = c.start_sluice(self, self.api, insecure=True)
        self.assertEqual(c.server_of(proxy, "/dev"), (200, "dev-pod"))

    def test_client_certificate_authentication(self):
        proxy = c.start_sluice(self, self.api, ca_file=self.ca, token=None, client_cert=self.client_cert,
                               client_key=self.client_key)
        self.assertEqual(c.server_of(proxy, "/dev"), (200, "dev-pod"))
        self.assertTrue(all(r.token is None for r in self.api.requests))


if __name__ == "__main__":
    unittest.main()
