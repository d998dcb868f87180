"""The access log: one line per request, ingress-nginx's upstream format or JSON, off the request path."""

import http.client
import json
import os
import re
import select
import signal
import ssl
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402

# The parser log shippers use for ingress-nginx (fluent-bit's k8s-nginx-ingress), then our
# namespace/ingress/service field.
TEXT_LINE = re.compile(
    r'^(?P<remote>[^ ]*) - (?P<user>[^ ]*) \[(?P<time>[^\]]*)\] "(?P<method>\S+)(?: +(?P<path>[^"]*?)'
    r'(?: +(?P<protocol>\S*))?)?" (?P<code>[^ ]*) (?P<size>[^ ]*) "(?P<referer>[^"]*)" "(?P<agent>[^"]*)" '
    r'(?P<request_length>[^ ]*) (?P<request_time>[^ ]*) \[(?P<proxy_upstream_name>[^ ]*)\] '
    r'\[(?P<proxy_alternative_upstream_name>[^ ]*)\] (?P<upstream_addr>[^ ]*) '
    r'(?P<upstream_response_length>[^ ]*) (?P<upstream_response_time>[^ ]*) (?P<upstream_status>[^ ]*) '
    r'(?P<req_id>[^ ]*) (?P<route>[^ ]*)$')
TIME_LOCAL = re.compile(r"^\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000$")
SECONDS = re.compile(r"^\d+\.\d{3}$")


def extra_objects(fx):
    return [*h.backend_objects("refused", h.closed_port()),
            h.ingress("errors", [(None, [("/refused", "Prefix", "refused", 80)])])]


def read_lines(path, count, timeout=h.DEFAULT_TIMEOUT):
    """The first `count` lines of the file at `path`, once it has them."""
    def ready():
        if not os.path.exists(path):
            return None
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        return lines if len(lines) >= count else None
    return h.wait_for(ready, timeout=timeout, message=f"{count} access-log lines in {path}")


class AccessLogFixture:
    """The usual backends and routes, a /refused route, and a proxy logging to a file."""

    def __init__(self, fmt):
        self.log_dir = h.temp_dir(None)
        self.log_path = os.path.join(self.log_dir, "access.log")
        self.fx = h.ProxyFixture(args=["--workers", "2", "--access-log", self.log_path,
                                       "--access-log-format", fmt],
                                 extra_objects=extra_objects).start()

    def send_three(self, test, tag):
        """A success, a 404 and a 502, each with a request ID naming it."""
        port = self.fx.proxy.http_port
        ok = h.request(port, "GET", "/dev/ok?x=1", headers={
            "Host": "127.0.0.1", "X-Request-ID": f"{tag}-ok", "User-Agent": 'agent "quoted"',
            "Referer": "http://ref.example/"})
        test.assertEqual(ok.status, 200)
        test.assertEqual(h.request(port, "GET", "/missing", headers={
            "Host": "nowhere.example", "X-Request-ID": f"{tag}-404"}).status, 404)
        test.assertEqual(h.request(port, "GET", "/refused", headers={
            "Host": "127.0.0.1", "X-Request-ID": f"{tag}-502"}).status, 502)

    def send_tls(self, test, tag):
        """A success over HTTPS (the self-signed default certificate)."""
        conn = http.client.HTTPSConnection("127.0.0.1", self.fx.proxy.https_port, timeout=h.DEFAULT_TIMEOUT,
                                           context=ssl._create_unverified_context())
        try:
            conn.request("GET", "/dev/tls", headers={"Host": "127.0.0.1", "X-Request-ID": f"{tag}-tls"})
            resp = conn.getresponse()
            resp.read()
            test.assertEqual(resp.status, 200)
        finally:
            conn.close()

    def close(self):
        self.fx.close()


class TextAccessLogTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.log = AccessLogFixture("text")

    @classmethod
    def tearDownClass(cls):
        cls.log.close()

    def test_success_404_502_and_tls_lines_parse_as_ingress_nginx_lines(self):
        self.log.send_three(self, "text")
        self.log.send_tls(self, "text")
        lines = [l for l in read_lines(self.log.log_path, 4) if " text-" in l]
        self.assertEqual(len(lines), 4, lines)
        by_id = {}
        for line in lines:
            m = TEXT_LINE.match(line)
            self.assertIsNotNone(m, line)
            by_id[m["req_id"]] = m
            self.assertEqual(m["remote"], "127.0.0.1")
            self.assertRegex(m["time"], TIME_LOCAL)
            self.assertRegex(m["request_time"], SECONDS)
            self.assertEqual(m["method"], "GET")
            self.assertEqual(m["protocol"], "HTTP/1.1")
            self.assertGreater(int(m["size"]), 0)
            self.assertGreater(int(m["request_length"]), 20)

        ok = by_id["text-ok"]
        self.assertEqual((ok["path"], ok["code"], ok["upstream_status"]), ("/dev/ok?x=1", "200", "200"))
        self.assertEqual(ok["proxy_upstream_name"], "default-dev-80")
        self.assertEqual(ok["upstream_addr"], f"127.0.0.1:{self.log.fx.dev.port}")
        self.assertRegex(ok["upstream_response_time"], SECONDS)
        self.assertEqual(ok["agent"], "agent \\x22quoted\\x22")
        self.assertEqual(ok["referer"], "http://ref.example/")
        self.assertEqual(ok["route"], "default/tkng-1/dev")

        missing = by_id["text-404"]
        self.assertEqual((missing["path"], missing["code"]), ("/missing", "404"))
        self.assertEqual((missing["proxy_upstream_name"], missing["upstream_addr"], missing["upstream_status"],
                          missing["upstream_response_time"], missing["route"]), ("", "-", "-", "-", "-"))
        self.assertEqual((missing["referer"], missing["agent"]), ("-", "-"))

        refused = by_id["text-502"]
        self.assertEqual((refused["code"], refused["upstream_status"]), ("502", "-"))
        self.assertEqual(refused["proxy_upstream_name"], "default-refused-80")
        self.assertRegex(refused["upstream_addr"], r"^127\.0\.0\.1:\d+$")
        self.assertEqual(refused["route"], "default/errors/refused")

        tls = by_id["text-tls"]
        self.assertEqual((tls["path"], tls["code"], tls["route"]), ("/dev/tls", "200", "default/tkng-1/dev"))


class JsonAccessLogTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.log = AccessLogFixture("json")

    @classmethod
    def tearDownClass(cls):
        cls.log.close()

    def test_success_404_502_and_tls_lines_are_json_objects(self):
        self.log.send_three(self, "json")
        self.log.send_tls(self, "json")
        entries = [json.loads(l) for l in read_lines(self.log.log_path, 4)]
        by_id = {e["request_id"]: e for e in entries if e["request_id"].startswith("json-")}
        self.assertEqual(set(by_id), {"json-ok", "json-404", "json-502", "json-tls"})
        for e in by_id.values():
            self.assertRegex(e["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            self.assertEqual((e["remote_addr"], e["method"], e["protocol"]), ("127.0.0.1", "GET", "HTTP/1.1"))
            self.assertIsInstance(e["status"], int)
            self.assertIsInstance(e["request_time"], float)
            self.assertGreater(e["bytes_sent"], 0)

        ok = by_id["json-ok"]
        self.assertEqual((ok["status"], ok["upstream_status"], ok["uri"]), (200, 200, "/dev/ok?x=1"))
        self.assertEqual((ok["namespace"], ok["ingress"], ok["service"]), ("default", "tkng-1", "dev"))
        self.assertEqual(ok["upstream_name"], "default-dev-80")
        self.assertEqual(ok["http_user_agent"], 'agent "quoted"')
        self.assertEqual(ok["upstream_addr"], f"127.0.0.1:{self.log.fx.dev.port}")
        self.assertNotIn("error", ok)

        missing = by_id["json-404"]
        self.assertEqual((missing["status"], missing["host"]), (404, "nowhere.example"))
        for k in ("upstream_status", "upstream_addr", "upstream_response_time", "namespace", "ingress",
                  "service", "upstream_name"):
            self.assertIsNone(missing[k], k)

        refused = by_id["json-502"]
        self.assertEqual((refused["status"], refused["upstream_status"]), (502, None))
        self.assertEqual(refused["service"], "refused")
        self.assertIn("error", refused)

        tls = by_id["json-tls"]
        self.assertEqual((tls["scheme"], tls["status"], tls["uri"], tls["service"]), ("https", 200, "/dev/tls", "dev"))
        self.assertEqual(ok["scheme"], "http")


class AccessLogTargetsTest(unittest.TestCase):
    def manifests(self):
        return h.one_route_manifests(self)

    def test_stdout_is_the_default_and_the_listening_lines_stay_on_stderr(self):
        d = self.manifests()
        proc = h.start_process(self, [h.BIN, "--manifests", d, "--http-listen", "127.0.0.1:0",
                                      "--admin-listen", "127.0.0.1:0", "--https-listen", "off"],
                               stdout=subprocess.PIPE, name="sluice")
        self.addCleanup(proc.popen.stdout.close)
        _, port = proc.listening("http")
        _, admin = proc.listening("admin")
        h.wait_for(lambda: h.request(admin, "GET", "/readyz", timeout=1).status == 200, message="/readyz")
        self.assertEqual(h.request(port, "GET", "/hello", headers={"X-Request-ID": "stdout-1"}).status, 200)
        ready, _, _ = select.select([proc.popen.stdout], [], [], h.DEFAULT_TIMEOUT)
        self.assertTrue(ready, "no access-log line on stdout")
        line = proc.popen.stdout.readline().decode()
        self.assertRegex(line, r'"GET /hello HTTP/1\.1" 200 .* stdout-1 default/web/dev\n$')
        self.assertNotIn("GET /hello", proc.stderr_text())

    def test_sigusr1_reopens_the_file_after_rotation(self):
        d = self.manifests()
        path = os.path.join(d, "access.log")
        proxy = h.start_proxy(self, d, ["--access-log", path])
        self.assertEqual(proxy.get("/before", headers={"X-Request-ID": "rot-before"}).status, 200)
        read_lines(path, 1)
        os.rename(path, path + ".1")  # what logrotate does before it signals
        proxy.proc.send_signal(signal.SIGUSR1)
        proxy.proc.wait_for_line(r"access log reopened")
        self.assertEqual(proxy.get("/after", headers={"X-Request-ID": "rot-after"}).status, 200)
        after = read_lines(path, 1)
        self.assertIn("rot-after", after[0])
        with open(path + ".1", encoding="utf-8") as f:
            old = f.read()
        self.assertIn("rot-before", old)
        self.assertNotIn("rot-after", old)

    def test_a_path_that_cannot_be_reopened_keeps_the_old_file(self):
        d = self.manifests()
        path = os.path.join(d, "access.log")
        proxy = h.start_proxy(self, d, ["--access-log", path])
        os.rename(path, path + ".1")
        os.mkdir(path)  # a directory where the file was: open() fails
        proxy.proc.send_signal(signal.SIGUSR1)
        proxy.proc.wait_for_line(r"cannot reopen the access log")
        self.assertEqual(proxy.get("/kept", headers={"X-Request-ID": "rot-kept"}).status, 200)
        self.assertIn("rot-kept", read_lines(path + ".1", 1)[0])
        self.assertTrue(proxy.proc.alive())

    def test_sigusr1_without_an_access_log_file_is_harmless(self):
        d = self.manifests()
        proxy = h.start_proxy(self, d, ["--access-log", "off"])
        proxy.proc.send_signal(signal.SIGUSR1)
        for _ in range(2):
            self.assertEqual(proxy.get("/x").status, 200)
        self.assertTrue(proxy.proc.alive())

    def test_off_writes_nothing_and_exports_no_access_log_metrics(self):
        d = self.manifests()
        proxy = h.start_proxy(self, d, ["--access-log", "off"])
        self.assertEqual(proxy.get("/x").status, 200)
        self.assertNotIn("sluice_access_log_lines_total", proxy.admin("/metrics").text)

    def test_a_file_that_cannot_be_opened_is_a_usage_error(self):
        d = self.manifests()
        r = h.run([h.BIN, "--manifests", d, "--http-listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
                   "--https-listen", "off", "--access-log", os.path.join(d, "no", "such", "dir.log")])
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("cannot open access log", r.stderr)

    def test_a_bad_format_is_a_usage_error(self):
        r = h.run([h.BIN, "--manifests", ".", "--access-log-format", "yaml"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("--access-log-format", r.stderr)


if __name__ == "__main__":
    unittest.main()
