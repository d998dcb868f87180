"""ingress-nginx's Grafana dashboards and its chart's example alerts, on sluice's /metrics.

A real Prometheus (Debian's, installed by scripts/setup) scrapes sluice every second while mixed
traffic flows (2xx, 4xx, 5xx; three Ingresses in two namespaces, TLS hosts, an unmatched host).
Then every query of both dashboards in tests/data/ingress-nginx/ is evaluated through Prometheus's
HTTP API with its template variables substituted as Grafana does (first with every variable at
"All", then with each at its first value), and every alert expression of alerts.yaml too; each
must return what ingress-nginx's would: a non-empty result, with the value where it is knowable.

The traffic comes in two rounds so that rates can be checked: one request of each kind first (so
every series exists and is scraped), then the main round. Every series then has the same sample
timestamps, and rate()'s extrapolation differs between them only by where it clips at zero (at
most half a scrape interval): with at least RATE_SAMPLES samples a ratio of two sums of rates is
within RATE_TOLERANCE of the ratio of the main round's counts.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time
import unittest
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402
import prom  # noqa: E402

DATA = os.path.join(h.REPO, "tests", "data", "ingress-nginx")
POD, POD_NAMESPACE, CLASS = "ingress-nginx-controller-5d8f9", "ingress-nginx", "k8s.io/ingress-nginx"
RATE_SAMPLES = 6
RATE_TOLERANCE = 1 + 0.5 / (RATE_SAMPLES - 1) + 0.05  # see the module comment
NO_REDIRECT = {"nginx.ingress.kubernetes.io/ssl-redirect": "false"}



class Kind:
    """One kind of request: what is sent, what comes back, the labels it is counted under (the
    rule's host and path; "_" and no path for an unmatched host), and how many the main round
    sends (the first round sends one of each)."""

    def __init__(self, name, host, method, path, status, ingress, namespace, count, echo_status=None,
                 rule_path=None):
        self.name, self.host, self.method, self.path, self.status = name, host, method, path, status
        self.ingress, self.namespace, self.count, self.echo_status = ingress, namespace, count, echo_status
        self.label_host = host if ingress else "_"
        self.label_path = rule_path if rule_path is not None else (path if ingress else "")


KINDS = [
    Kind("web-ok", "web.example", "GET", "/", 200, "web", "shop", 12),
    Kind("web-backend-404", "web.example", "GET", "/missing", 404, "web", "shop", 3, "404", rule_path="/"),
    Kind("api-ok", "api.example", "GET", "/v1", 200, "api", "shop", 7),
    Kind("api-post", "api.example", "POST", "/v1", 200, "api", "shop", 2),
    Kind("api-no-endpoints", "api.example", "GET", "/down", 503, "api", "shop", 4),
    Kind("blog-ok", "blog.example", "GET", "/", 200, "blog", "team-b", 6),
    Kind("blog-backend-500", "blog.example", "GET", "/", 500, "blog", "team-b", 2, "500"),
    Kind("unmatched", "nowhere.example", "GET", "/", 404, "", "", 3),
]
TLS_DAYS = {"web.example": 3, "api.example": 30}  # the first is within the alert's week


def openssl_certificate(directory, host, days):
    base = os.path.join(directory, host)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", base + ".key", "-out", base + ".pem", "-days", str(days),
                    "-subj", "/CN=" + host, "-addext", "subjectAltName=DNS:" + host],
                   check=True, capture_output=True, timeout=30)
    with open(base + ".pem", "rb") as c, open(base + ".key", "rb") as k:
        return c.read(), k.read()


def tls_secret(name, namespace, cert, key):
    import base64
    return {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
            "metadata": {"name": name, "namespace": namespace},
            "data": {"tls.crt": base64.b64encode(cert).decode(), "tls.key": base64.b64encode(key).decode()}}


def with_tls(ingress, host, secret):
    ingress["spec"]["tls"] = [{"hosts": [host], "secretName": secret}]
    return ingress


def dashboard_queries(path):
    """[(panel title, expr)] of every target of every panel (rows and nested panels too), and
    the dashboard's annotation queries; plus its templating list."""
    with open(path) as f:
        d = json.load(f)
    out = []

    def walk(panels):
        for p in panels:
            walk(p.get("panels", []))
            for t in p.get("targets", []):
                if t.get("expr"):
                    out.append((p.get("title", ""), t["expr"]))
    walk(d.get("panels", []))
    for row in d.get("rows", []):
        walk(row.get("panels", []))
    for a in d.get("annotations", {}).get("list", []):
        if a.get("expr"):
            out.append(("annotation " + a.get("name", ""), a["expr"]))
    return out, [v for v in d["templating"]["list"] if v["type"] == "query"]


def alert_rules(path):
    """[(alert, expr)] from the rule file (a small reader for its fixed layout)."""
    rules, name = [], None
    with open(path) as f:
        for line in f:
            if m := re.match(r"^\s+- alert: (\S+)$", line):
                name = m.group(1)
            elif (m := re.match(r"^\s+expr: (.*)$", line)) and name:
                rules.append((name, m.group(1)))
                name = None
    return rules


def grafana_regex_escape(value):
    """Grafana's prometheusSpecialRegexEscape: a single value of an includeAll variable inside
    a PromQL string literal, escaped for the regex (backslashes doubled for the literal)."""
    value = value.replace("\\", "\\\\\\\\")
    return re.sub(r"[$^*{}\[\]'+?.()|]", lambda m: "\\\\" + m.group(0), value)


# Grafana's built-in variables, for a dashboard shown over its default range (these two do not
# use them, but a newer copy may).
BUILTINS = {"__rate_interval": "1m", "__interval": "1s", "__range": "5m", "__range_s": "300",
            "__range_ms": "300000", "__interval_ms": "1000"}


def substitute(expr, values):
    def one(m):
        name = m.group(1) or m.group(2)
        if name in BUILTINS:
            return BUILTINS[name]
        if name not in values:
            raise AssertionError(f"unknown variable ${name} in {expr}")
        return values[name]
    out = re.sub(r"\$\{(\w+)\}|\$(\w+)", one, expr)
    assert "$" not in out, out
    return out


class Prometheus:
    def __init__(self, test, admin_port, rule_file):
        self.dir = h.temp_dir(test, prefix="sluice-prometheus-")
        self.port = h.free_port()
        config = os.path.join(self.dir, "prometheus.yml")
        # The target labels a ServiceMonitor of kube-prometheus gives a pod's target: the
        # metrics' own `namespace` (the Ingress's) becomes `exported_namespace`, which is what
        # the dashboards' $exported_namespace reads.
        with open(config, "w") as f:
            f.write(f"""global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - {rule_file}
scrape_configs:
  - job_name: ingress-nginx
    static_configs:
      - targets: ["127.0.0.1:{admin_port}"]
        labels:
          namespace: {POD_NAMESPACE}
          pod: {POD}
""")
        self.proc = h.start_process(test, [
            shutil.which("prometheus"), f"--config.file={config}",
            f"--storage.tsdb.path={os.path.join(self.dir, 'data')}",
            f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"], name="prometheus")
        h.wait_for(self.ready, timeout=30, interval=0.1, message="prometheus /-/ready")

    def ready(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=1) as r:
                return r.status == 200
        except OSError:
            return False

    def api(self, path, **params):
        url = f"http://127.0.0.1:{self.port}/api/v1/{path}?" + urllib.parse.urlencode(params, doseq=True)
        with urllib.request.urlopen(url, timeout=10) as r:
            body = json.load(r)
        if body.get("status") != "success":
            raise AssertionError(f"{path} {params}: {body}")
        return body["data"]

    def query(self, expr):
        """The instant vector (or scalar) of `expr` as [(labels, float)]."""
        data = self.api("query", query=expr)
        if data["resultType"] == "scalar":
            return [({}, float(data["result"][1]))]
        if data["resultType"] != "vector":
            raise AssertionError(f"{expr}: a {data['resultType']}")
        return [(s["metric"], float(s["value"][1])) for s in data["result"]]

    def label_values(self, selector, label):
        """Grafana's label_values(selector, label): the label's values on the matching series."""
        now = time.time()
        series = self.api("series", **{"match[]": selector, "start": now - 300, "end": now})
        return sorted({s[label] for s in series if s.get(label)})


class DashboardsTest(unittest.TestCase):
    def setUp(self):
        self.assertTrue(shutil.which("prometheus"),
                        "prometheus is not installed: scripts/setup installs Debian's prometheus package")
        self.start_sluice()
        self.prom = Prometheus(self, self.proxy.admin_port, os.path.join(DATA, "alerts.yaml"))

    def start_sluice(self):
        shop = h.start_echo(self, "shop-pod")
        blog = h.start_echo(self, "blog-pod")
        certs = h.temp_dir(self, prefix="sluice-dashboard-certs-")
        web_cert = openssl_certificate(certs, "web.example", TLS_DAYS["web.example"])
        api_cert = openssl_certificate(certs, "api.example", TLS_DAYS["api.example"])
        objects = [
            h.service("web", 80, shop.port, namespace="shop"),
            h.endpoint_slice("web", shop.port, namespace="shop"),
            h.service("down", 80, h.closed_port(), namespace="shop"),
            h.endpoint_slice("down", h.closed_port(), ready=False, namespace="shop"),
            h.service("blog", 80, blog.port, namespace="team-b"),
            h.endpoint_slice("blog", blog.port, namespace="team-b"),
            tls_secret("web-tls", "shop", *web_cert),
            tls_secret("api-tls", "shop", *api_cert),
            with_tls(h.ingress("web", [("web.example", [("/", "Prefix", "web", 80)])], namespace="shop",
                               ingress_class="nginx", annotations=NO_REDIRECT), "web.example", "web-tls"),
            with_tls(h.ingress("api", [("api.example", [("/v1", "Prefix", "web", 80),
                                                        ("/down", "Prefix", "down", 80)])],
                               namespace="shop", ingress_class="nginx", annotations=NO_REDIRECT),
                     "api.example", "api-tls"),
            h.ingress("blog", [("blog.example", [("/", "Prefix", "blog", 80)])], namespace="team-b",
                      ingress_class="nginx"),
        ]
        manifests = h.write_manifests(h.temp_dir(self), {"all.yaml": objects})
        cmd = [h.BIN, "--manifests", manifests, "--http-listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
               "--https-listen", "127.0.0.1:0", "--access-log", "off", "--workers", "2",
               "--ingress-class", "nginx", "--controller-class", CLASS]
        proc = h.start_process(self, cmd, name="sluice", env={"POD_NAME": POD, "POD_NAMESPACE": POD_NAMESPACE})
        _, http_port = proc.listening("http")
        _, admin_port = proc.listening("admin")
        self.proxy = h.Proxy(proc, http_port, admin_port)
        h.wait_for(lambda: self.proxy.admin("/readyz", timeout=1).status == 200, message="sluice /readyz")

    # --- traffic ----------------------------------------------------------------------------

    def send(self, count_of):
        for k in KINDS:
            headers = {"Host": k.host}
            if k.echo_status:
                headers["X-Echo-Status"] = k.echo_status
            for _ in range(count_of(k)):
                r = h.request(self.proxy.http_port, k.method, k.path, headers=headers,
                              body=b"{}" if k.method == "POST" else None)
                self.assertEqual(r.status, k.status, k.name)

    def scraped_total(self):
        got = self.prom.query("sum(nginx_ingress_controller_requests)")
        return got[0][1] if got else 0

    def sluice_total(self):
        return prom.parse(self.proxy.admin("/metrics").text).value("nginx_ingress_controller_requests")

    def wait_scraped(self, total):
        """Until sluice has counted `total` requests and Prometheus has scraped that."""
        h.wait_for(lambda: self.sluice_total() == total, message=f"sluice counting {total} requests")
        h.wait_for(lambda: self.scraped_total() == total, timeout=20, interval=0.2,
                   message=f"prometheus scraping {total} requests")

    def run_traffic(self):
        self.send(lambda k: 1)
        self.wait_scraped(len(KINDS))
        self.send(lambda k: k.count)
        total = len(KINDS) + sum(k.count for k in KINDS)
        self.wait_scraped(total)
        h.wait_for(lambda: (s := self.prom.query("min(count_over_time(nginx_ingress_controller_requests[2m]))"))
                   and s[0][1] >= RATE_SAMPLES, timeout=20, interval=0.2, message=f"{RATE_SAMPLES} samples")
        # Alerts with `for: 1s` fire after two evaluations.
        h.wait_for(lambda: any(a["labels"]["alertname"] == "NGINXCertificateExpiry" and a["state"] == "firing"
                               for a in self.prom.api("alerts")["alerts"]),
                   timeout=20, interval=0.2, message="NGINXCertificateExpiry firing")

    # --- expectations -----------------------------------------------------------------------

    @staticmethod
    def main_round(match):
        return sum(k.count for k in KINDS if match(k))

    @staticmethod
    def all_counts(match):
        return sum(k.count + 1 for k in KINDS if match(k))

    def assert_ratio(self, got, want, what):
        self.assertGreater(want, 0, what)
        self.assertTrue(want / RATE_TOLERANCE <= got <= want * RATE_TOLERANCE, f"{what}: {got} for {want}")

    def check_values(self, title, expr, result, values):
        """The value checks that are knowable, by panel."""
        numbers = [v for _, v in result]
        for v in numbers:
            self.assertFalse(v != v, f"{title}: NaN in {result}")  # NaN: a rate over nothing
        if title == "Controller Success Rate (non-4|5xx responses)":
            ok = self.main_round(lambda k: k.status < 400)
            self.assert_ratio(numbers[0], ok / self.main_round(lambda k: True), title)
        elif title == "Ingress Success Rate (non-4|5xx responses)":
            checked = 0
            for labels, v in result:
                ingress = labels.get("ingress", "")
                want = self.main_round(lambda k: k.ingress == ingress and k.status < 400) / \
                    self.main_round(lambda k: k.ingress == ingress)
                if want == 0:
                    self.assertEqual(v, 0, (title, labels))
                else:
                    self.assert_ratio(v, want, f"{title} {ingress}")
                checked += ingress != ""
            self.assertGreater(checked, 0, result)
        elif title == "Response Error Rate by Method and Path" and "/ sum by" in expr:
            for labels, v in result:
                key = (labels["method"], labels["host"], labels.get("path", ""))
                kinds = [k for k in KINDS if (k.method, k.label_host, k.label_path) == key]
                self.assertTrue(kinds, labels)
                errors = sum(k.count for k in kinds if k.status >= 400)
                if errors == 0:
                    self.assertEqual(v, 0, (title, labels))
                else:
                    self.assert_ratio(v, errors / sum(k.count for k in kinds), f"{title} {labels}")
        elif title == "Ingress Certificate Expiry":
            by_host = {l["host"]: v for l, v in result}
            self.assertEqual(set(by_host), set(TLS_DAYS), result)
            for host, days in TLS_DAYS.items():
                self.assertLess(abs(by_host[host] - days * 86400), 3600, (host, by_host[host]))
        elif title == "Average Memory Usage":
            self.assertGreater(numbers[0], 1e6, title)
        elif title == "Average CPU Usage":
            self.assertGreaterEqual(numbers[0], 0, title)
        elif title.startswith("Ingress Request Latency Heatmap"):
            # increase() of each bucket over the window: the +Inf bucket counts every request
            # the selected Ingresses got in the main round, extrapolated as rate() is.
            def selects(variable, actual):
                return values[variable] == ".*" or values[variable] == actual  # no escapes in these
            want = self.main_round(lambda k: k.ingress != "" and selects("ingress", k.ingress) and
                                   selects("exported_namespace", k.namespace))
            got = {l["le"]: v for l, v in result}["+Inf"]
            self.assertTrue(want <= got <= want * (1 + 1.6 / (RATE_SAMPLES - 1)), f"{title}: {got} for {want}")
        elif "Percentile" in title or "Latency" in title or "Response Time" in title:
            for v in numbers:  # seconds; the echo backend answers at once
                self.assertTrue(0 <= v <= 10, f"{title}: {v}")

    # The panels whose right answer here is an empty result, under ingress-nginx too.
    EMPTY_ANY = {"Last Config Failed"}  # count(... == 0): no failed configuration
    # With $ingress set to one Ingress: the certificate gauge has no ingress label (in
    # ingress-nginx neither), so ingress=~"<name>" matches nothing.
    EMPTY_ONE_INGRESS = {"Ingress Certificate Expiry"}

    def evaluate_dashboard(self, path, values_of):
        queries, variables = dashboard_queries(path)
        self.assertGreater(len(queries), 5, path)
        values = values_of(variables)
        for title, expr in queries:
            text = substitute(expr, values)
            with self.subTest(dashboard=os.path.basename(path), panel=title, values=values, query=text):
                result = self.prom.query(text)
                if title in self.EMPTY_ANY or (title in self.EMPTY_ONE_INGRESS and values["ingress"] != ".*"):
                    self.assertEqual(result, [])
                    continue
                self.assertTrue(result, "empty result")
                self.check_values(title, expr, result, values)

    def all_values(self, variables):
        """Every variable at "All": allValue ".*" (both dashboards set it)."""
        out = {"DS_PROMETHEUS": "Prometheus"}
        for v in variables:
            self.assertTrue(v.get("includeAll"), v["name"])
            out[v["name"]] = v.get("allValue") or ".*"
        return out

    def first_values(self, variables):
        """Each variable at the first value its query lists (after the ones before it are set)."""
        out = {"DS_PROMETHEUS": "Prometheus"}
        for v in variables:
            q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
            m = re.match(r"^\s*label_values\((.*),\s*(\w+)\)\s*$", substitute(q, out))
            self.assertTrue(m, q)
            found = self.prom.label_values(m.group(1), m.group(2))
            self.assertTrue(found, f"${v['name']}: {q} lists nothing")
            out[v["name"]] = grafana_regex_escape(found[0])
        return out

    # --- the test -----------------------------------------------------------------------------

    def test_every_dashboard_query_and_alert_answers(self):
        self.run_traffic()

        # What the variables list: the controller's labels, and the Ingresses of the traffic.
        self.assertEqual(self.prom.label_values("nginx_ingress_controller_config_hash", "controller_namespace"),
                         [POD_NAMESPACE])
        self.assertEqual(self.prom.label_values("nginx_ingress_controller_config_hash", "controller_class"), [CLASS])
        self.assertEqual(self.prom.label_values("nginx_ingress_controller_config_hash", "controller_pod"), [POD])
        self.assertEqual(self.prom.label_values("nginx_ingress_controller_requests", "exported_namespace"),
                         ["shop", "team-b"])
        self.assertEqual(self.prom.label_values("nginx_ingress_controller_requests", "ingress"),
                         ["api", "blog", "web"])
        # The config hash Prometheus holds is the one sluice exports.
        exported = prom.parse(self.proxy.admin("/metrics").text).samples("nginx_ingress_controller_config_hash")
        [(_, scraped)] = self.prom.query("nginx_ingress_controller_config_hash")
        self.assertEqual(scraped, exported[0][1])
        self.assertGreater(scraped, 0)
        # Request counts by status, exactly.
        by_status = {l["status"]: v for l, v in self.prom.query("sum by (status) (nginx_ingress_controller_requests)")}
        want = {}
        for k in KINDS:
            want[str(k.status)] = want.get(str(k.status), 0) + k.count + 1
        self.assertEqual(by_status, want)
        self.assertEqual(self.prom.query("count(nginx_ingress_controller_config_last_reload_successful == 1)"),
                         [({}, 1.0)])

        for name in ("nginx.json", "request-handling-performance.json"):
            path = os.path.join(DATA, name)
            self.evaluate_dashboard(path, self.all_values)
            self.evaluate_dashboard(path, self.first_values)

        # The chart's example alerts, each expression evaluated, with the value it must have.
        alerts = dict(alert_rules(os.path.join(DATA, "alerts.yaml")))
        self.assertEqual(set(alerts), {"NGINXConfigFailed", "NGINXCertificateExpiry", "NGINXTooMany500s",
                                       "NGINXTooMany400s"})
        total = self.all_counts(lambda k: True)
        self.assertEqual(self.prom.query(alerts["NGINXConfigFailed"]), [])  # nothing failed
        expiring = self.prom.query(alerts["NGINXCertificateExpiry"])
        self.assertEqual([l["host"] for l, _ in expiring], ["web.example"])  # 3 days; api's has 30
        self.assertLess(abs(expiring[0][1] - 3 * 86400), 3600)
        [(_, five)] = self.prom.query(alerts["NGINXTooMany500s"])
        self.assertAlmostEqual(five, 100 * self.all_counts(lambda k: k.status >= 500) / total, places=9)
        [(_, four)] = self.prom.query(alerts["NGINXTooMany400s"])
        self.assertAlmostEqual(four, 100 * self.all_counts(lambda k: 400 <= k.status < 500) / total, places=9)
        # Prometheus loaded the rule file as written and evaluates every rule without error.
        rules = [r for g in self.prom.api("rules")["groups"] for r in g["rules"]]
        self.assertEqual(sorted(r["name"] for r in rules), sorted(alerts))
        for r in rules:
            self.assertEqual(r["health"], "ok", r)
        states = {r["name"]: r["state"] for r in rules}
        self.assertEqual(states["NGINXConfigFailed"], "inactive")
        self.assertEqual(states["NGINXCertificateExpiry"], "firing")
        self.assertIn(states["NGINXTooMany500s"], ("pending", "firing"))  # for: 1m
        self.assertIn(states["NGINXTooMany400s"], ("pending", "firing"))


if __name__ == "__main__":
    unittest.main()
