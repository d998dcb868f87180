"""HTTPS termination: certificates by SNI from Ingress spec.tls, the default
certificate, Secrets changing under a running proxy, redirects, TLS versions."""

import base64
import http.client
import os
import shutil
import socket
import ssl
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=30)


class CertificateAuthority:
    """A throwaway CA issuing leaf certificates with the openssl CLI."""

    def __init__(self, directory):
        self.dir = directory
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=sluice test CA",
                cwd=directory)
        self.ca_file = os.path.join(directory, "ca.pem")
        self.serial = 0

    def issue(self, common_name, dns_names):
        self.serial += 1
        base = os.path.join(self.dir, f"leaf{self.serial}")
        with open(base + ".ext", "w") as f:
            f.write("subjectAltName=" + ",".join("DNS:" + n for n in dns_names) + "\n")
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", base + ".key", "-out", base + ".csr", "-subj", "/CN=" + common_name,
                cwd=self.dir)
        openssl("x509", "-req", "-in", base + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-set_serial", str(1000 + self.serial), "-days", "2", "-extfile", base + ".ext",
                "-out", base + ".pem", cwd=self.dir)
        with open(base + ".pem", "rb") as c, open(base + ".key", "rb") as k:
            return c.read(), k.read()


def tls_secret(name, cert, key, namespace="default"):
    return {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
            "metadata": {"name": name, "namespace": namespace},
            "data": {"tls.crt": base64.b64encode(cert).decode(),
                     "tls.key": base64.b64encode(key).decode()}}


def with_tls(ingress, hosts, secret):
    ingress["spec"]["tls"] = [{"hosts": hosts, "secretName": secret}]
    return ingress


def peer_common_name(port, server_name, ca_file=None):
    """Handshakes with SNI `server_name` (None: no SNI); returns the leaf's CN."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname=server_name) as s:
            der = s.getpeercert(binary_form=True)
    pem = ssl.DER_cert_to_PEM_cert(der)
    out = subprocess.run(["openssl", "x509", "-noout", "-subject"], input=pem, text=True,
                         capture_output=True, timeout=10).stdout
    return out.strip().split("CN", 1)[1].lstrip(" =").strip()


def https_get(port, host, path, ca_file):
    ctx = ssl.create_default_context(cafile=ca_file)
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=5, context=ctx)
    conn.sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5),
                                server_hostname=host)
    conn.request("GET", path, headers={"Host": host, "Accept": "application/json"})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp, body


@unittest.skipUnless(shutil.which("openssl"), "the openssl CLI is needed to make certificates")
class TlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.certs_dir = h.temp_dir(None, prefix="sluice-tls-")
        cls.ca = CertificateAuthority(cls.certs_dir)
        cls.exact = cls.ca.issue("secure.example", ["secure.example"])
        cls.wild = cls.ca.issue("wildcard.example", ["*.wild.example"])
        cls.fallback = cls.ca.issue("fallback.example", ["fallback.example"])
        bad_cert, _ = cls.ca.issue("bad.example", ["bad.example"])
        _, other_key = cls.ca.issue("other.example", ["other.example"])
        cls.bad = (bad_cert, other_key)  # a key that does not match the certificate

        def objects(fx):
            return [
                tls_secret("secure-tls", *cls.exact),
                tls_secret("wild-tls", *cls.wild),
                tls_secret("fallback-tls", *cls.fallback),
                tls_secret("bad-tls", *cls.bad),
                with_tls(h.ingress("secure", [("secure.example", [("/", "Prefix", "dev", 80)])]),
                         ["secure.example"], "secure-tls"),
                with_tls(h.ingress("wild", [("*.wild.example", [("/", "Prefix", "prod", 80)])]),
                         ["*.wild.example"], "wild-tls"),
                with_tls(h.ingress("bad", [("bad.example", [("/", "Prefix", "dev", 80)])]),
                         ["bad.example"], "bad-tls"),
                with_tls(h.ingress("no-redirect", [("plain.example", [("/", "Prefix", "dev", 80)])],
                                   annotations={"nginx.ingress.kubernetes.io/ssl-redirect": "false"}),
                         ["plain.example"], "secure-tls"),
            ]
        cls.fx = h.ProxyFixture(args=["--default-ssl-certificate", "default/fallback-tls", "--hsts"],
                                extra_objects=objects).start()
        cls.port = cls.fx.proxy.https_port

    @classmethod
    def tearDownClass(cls):
        cls.fx.close()
        shutil.rmtree(cls.certs_dir, ignore_errors=True)

    def test_the_certificate_is_chosen_by_sni(self):
        self.assertEqual(peer_common_name(self.port, "secure.example"), "secure.example")
        self.assertEqual(peer_common_name(self.port, "a.wild.example"), "wildcard.example")

    def test_unknown_or_missing_sni_gets_the_default_certificate(self):
        self.assertEqual(peer_common_name(self.port, "unknown.example"), "fallback.example")
        self.assertEqual(peer_common_name(self.port, None), "fallback.example")

    def test_a_secret_whose_key_does_not_match_is_skipped_and_others_keep_working(self):
        self.assertEqual(peer_common_name(self.port, "bad.example"), "fallback.example")
        self.assertEqual(peer_common_name(self.port, "secure.example"), "secure.example")
        self.fx.proxy.proc.wait_for_line(r"bad-tls.*(does not match|not a PEM)")

    def test_https_requests_are_proxied_with_forwarded_proto_https(self):
        resp, body = https_get(self.port, "secure.example", "/x", self.ca.ca_file)
        self.assertEqual(resp.status, 200)
        echo = h.Response(resp.status, resp.reason, resp.getheaders(), body).json()
        self.assertEqual(h.echo_headers(echo, "X-Forwarded-Proto"), ["https"])
        self.assertEqual(h.echo_headers(echo, "X-Forwarded-Port"), [str(self.port)])
        self.assertEqual(resp.getheader("Strict-Transport-Security"), "max-age=31536000; includeSubDomains")

    def test_keep_alive_over_tls_serves_many_requests_on_one_connection(self):
        ctx = ssl.create_default_context(cafile=self.ca.ca_file)
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=5, context=ctx)
        conn.sock = ctx.wrap_socket(raw, server_hostname="a.wild.example")
        for i in range(20):
            conn.request("GET", f"/k{i}", headers={"Host": "a.wild.example"})
            resp = conn.getresponse()
            body = resp.read().decode()
            self.assertEqual(resp.status, 200)
            self.assertIn(f"URI: /k{i}", body)
        conn.close()

    def test_plain_http_to_a_tls_host_is_redirected_with_308(self):
        resp = h.request(self.fx.proxy.http_port, "GET", "/a/b?c=d", headers={"Host": "secure.example:80"})
        self.assertEqual(resp.status, 308)
        self.assertEqual(resp.header("Location"), "https://secure.example/a/b?c=d")
        self.assertIsNone(resp.header("Strict-Transport-Security"))  # only over HTTPS

    def test_ssl_redirect_false_serves_plain_http(self):
        resp = h.request(self.fx.proxy.http_port, "GET", "/", headers={"Host": "plain.example"})
        self.assertEqual(resp.status, 200)

    def test_sessions_resume_with_tickets_on_tls_1_2_and_1_3(self):
        for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            ctx = ssl.create_default_context(cafile=self.ca.ca_file)
            ctx.minimum_version = ctx.maximum_version = version
            session = None
            for attempt in range(2):
                raw = socket.create_connection(("127.0.0.1", self.port), timeout=5)
                with ctx.wrap_socket(raw, server_hostname="secure.example", session=session) as s:
                    s.sendall(b"GET / HTTP/1.1\r\nHost: secure.example\r\nConnection: close\r\n\r\n")
                    while s.recv(65536):  # reading also takes in TLS 1.3 tickets
                        pass
                    if attempt == 1:
                        self.assertTrue(s.session_reused, version)
                    session = s.session

    def test_tls_1_1_is_refused(self):
        out = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{self.port}",
                              "-servername", "secure.example", "-tls1_1", "-cipher",
                              "DEFAULT@SECLEVEL=0"],
                             input="", text=True, capture_output=True, timeout=10)
        self.assertNotEqual(out.returncode, 0)
        self.assertNotIn("BEGIN CERTIFICATE", out.stdout)
        # The server, not the client, said no.
        self.assertRegex(out.stdout + out.stderr, r"alert protocol version|unsupported protocol|no protocols")

    def test_tls_1_2_and_1_3_are_served(self):
        for flag in ("-tls1_2", "-tls1_3"):
            out = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{self.port}",
                                  "-servername", "secure.example", flag, "-alpn", "h2,http/1.1"],
                                 input="", text=True, capture_output=True, timeout=10)
            self.assertIn("BEGIN CERTIFICATE", out.stdout, flag)
            self.assertIn("ALPN protocol: http/1.1", out.stdout, flag)


@unittest.skipUnless(shutil.which("openssl"), "the openssl CLI is needed to make certificates")
class TlsSecretUpdateTest(unittest.TestCase):
    def test_a_changed_secret_serves_new_handshakes_without_restart(self):
        certs_dir = h.temp_dir(self, prefix="sluice-tls-")
        ca = CertificateAuthority(certs_dir)
        first = ca.issue("first.example", ["rotate.example"])
        second = ca.issue("second.example", ["rotate.example"])
        ing = with_tls(h.ingress("rotate", [("rotate.example", [("/", "Prefix", "dev", 80)])]),
                       ["rotate.example"], "rotate-tls")
        fx = h.ProxyFixture(extra_objects=lambda fx: [tls_secret("rotate-tls", *first), ing]).start()
        self.addCleanup(fx.close)
        port = fx.proxy.https_port
        self.assertEqual(peer_common_name(port, "rotate.example"), "first.example")
        h.write_manifests(fx.dir, {"extra.yaml": [tls_secret("rotate-tls", *second), ing]})
        h.wait_for(lambda: peer_common_name(port, "rotate.example") == "second.example", timeout=5,
                   message="the new certificate to be served")


if __name__ == "__main__":
    unittest.main()
