"""/debug/* on the admin listener and `sluice ctl`, for the demo's Ingresses plus a few more."""

import json
import os
import re
import shutil
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402


class DebugTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = h.temp_dir(None)
        cls.dev = h.start_echo(None, "dev-6b8f5d7c9-x2k4p")
        try:
            # The demo's manifests (deploy/examples), pointed at our echo backend.
            for name in os.listdir(os.path.join(h.REPO, "deploy", "examples")):
                with open(os.path.join(h.REPO, "deploy", "examples", name)) as f:
                    text = f.read()
                text = re.sub(r"\bport: 900[12]\b", f"port: {cls.dev.port}", text)
                h.write_file(os.path.join(cls.dir, name), text)
            h.write_manifests(cls.dir, {"extra.yaml": [
                h.ingress("wild", [("*.example.com", [("/", "Prefix", "dev", 80)])], namespace="default"),
                h.service("half", 80, 9),
                h.endpoint_slice("half", cls.dev.port, addresses=("127.0.0.1",), name="half-ready"),
                h.endpoint_slice("half", cls.dev.port, addresses=("127.0.0.2",), ready=False,
                                 name="half-starting"),
                h.ingress("half", [("half.test", [("/", "Prefix", "half", 80)])]),
                h.ingress("broken", [("broken.test", [("/", "Bogus", "dev", 80)])]),
            ]})
            cls.proxy = h.start_proxy(None, cls.dir, ["--workers", "1"])
        except BaseException:
            cls.tearDownClass()
            raise
        cls.admin = f"127.0.0.1:{cls.proxy.admin_port}"

    @classmethod
    def tearDownClass(cls):
        for p in (getattr(cls, "proxy", None), cls.dev):
            if p is not None:
                p.proc.kill()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def debug(self, path):
        resp = self.proxy.admin(path)
        self.assertEqual(resp.header("Content-Type"), "application/json", resp)
        return resp.status, resp.json()

    def ctl(self, *args, rc=0):
        r = h.run([h.BIN, "ctl", *args, "--admin", self.admin])
        self.assertEqual(r.returncode, rc, r.stdout + r.stderr)
        return r.stdout

    @staticmethod
    def table(text):
        """A ctl table as a list of rows (columns split on runs of 2+ spaces)."""
        return [re.split(r"\s{2,}", line.strip()) for line in text.splitlines() if line.strip()]

    # --- /debug/ingresses -------------------------------------------------------

    def test_ingresses_lists_every_rule_of_the_demo(self):
        status, doc = self.debug("/debug/ingresses")
        self.assertEqual(status, 200)
        rows = {(r["ingress"], r["host"], r["path"]): r for r in doc["rules"]}
        self.assertEqual(rows[("tkng-1", "", "/dev")]["service"], "dev")
        self.assertEqual(rows[("tkng-1", "", "/prod")]["service"], "prod")
        self.assertEqual(rows[("tkng-2", "dev", "/")]["pathType"], "Prefix")
        self.assertEqual(rows[("tkng-2", "prod", "/")]["port"], "80")
        self.assertEqual(rows[("wild", "*.example.com", "/")]["endpoints"], 1)
        for r in doc["rules"]:
            self.assertEqual(set(r), {"namespace", "ingress", "host", "path", "pathType", "service", "port",
                                      "backend", "endpoints", "external", "tls", "sslRedirect"})
            self.assertFalse(r["tls"])
        self.assertNotIn("broken", {r["ingress"] for r in doc["rules"]})

        rows = self.table(self.ctl("ingresses"))
        self.assertEqual(rows[0], ["NAMESPACE", "INGRESS", "HOST", "PATH", "PATHTYPE", "SERVICE", "PORT",
                                   "ENDPOINTS", "TLS"])
        self.assertIn(["default", "tkng-1", "*", "/dev", "Prefix", "dev", "80", "1", "no"], rows)
        self.assertIn(["default", "tkng-2", "prod", "/", "Prefix", "prod", "80", "1", "no"], rows)
        self.assertIn(["default", "wild", "*.example.com", "/", "Prefix", "dev", "80", "1", "no"], rows)

    # --- /debug/backends ------------------------------------------------------------

    def test_backends_show_endpoints_with_their_ready_state(self):
        status, doc = self.debug("/debug/backends")
        self.assertEqual(status, 200)
        backends = {b["name"]: b for b in doc["backends"]}
        self.assertEqual(backends["default/dev:80"]["endpoints"],
                         [{"address": f"127.0.0.1:{self.dev.port}", "ready": True}])
        self.assertEqual(backends["default/half:80"]["endpoints"],
                         [{"address": f"127.0.0.1:{self.dev.port}", "ready": True},
                          {"address": f"127.0.0.2:{self.dev.port}", "ready": False}])
        rows = self.table(self.ctl("backends"))
        self.assertEqual(rows[0], ["BACKEND", "ENDPOINT", "READY"])
        self.assertIn(["default/half:80", f"127.0.0.2:{self.dev.port}", "false"], rows)
        self.assertIn(["default/prod:80", f"127.0.0.1:{self.dev.port}", "true"], rows)

    # --- /debug/snapshot ------------------------------------------------------------

    def test_snapshot_says_when_why_and_what_was_skipped(self):
        status, doc = self.debug("/debug/snapshot")
        self.assertEqual(status, 200)
        self.assertGreaterEqual(doc["generation"], 1)
        self.assertEqual(doc["appliedGeneration"], doc["generation"])
        self.assertEqual(doc["reason"], "initial load")
        self.assertRegex(doc["builtAt"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(doc["counts"]["ingresses"], 5)  # tkng-1, tkng-2, wild, half, broken (served, rule skipped)
        skipped = [s for s in doc["skipped"] if s["name"] == "broken"]
        self.assertEqual(len(skipped), 1, doc["skipped"])
        self.assertEqual(skipped[0]["kind"], "Ingress")
        self.assertIn("Bogus", skipped[0]["reason"])
        self.assertIn("* prefix /dev -> default/dev:80 (default/tkng-1)", doc["dump"])

        out = self.ctl("snapshot")
        self.assertRegex(out, r"Generation:\s+\d+ \(every worker serves \d+\)")
        self.assertIn("(initial load)", out)
        self.assertRegex(out, r"Ingress\s+default\s+broken\s+.*Bogus")

    # --- /debug/explain -------------------------------------------------------------

    def test_explain_a_matching_request(self):
        status, doc = self.debug("/debug/explain?host=dev&path=/anything/here")
        self.assertEqual(status, 200)
        self.assertEqual((doc["status"], doc["hostSelection"]), (200, "exact"))
        self.assertEqual((doc["matched"]["ingress"], doc["matched"]["host"], doc["matched"]["path"]),
                         ("tkng-2", "dev", "/"))
        self.assertEqual(doc["matched"]["target"]["endpoints"],
                         [{"address": f"127.0.0.1:{self.dev.port}", "ready": True}])
        self.assertIn("a rule names host \"dev\"", doc["reason"])
        why = {(r["ingress"], r["host"], r["path"]): (r["outcome"], r["why"]) for r in doc["notMatched"]}
        self.assertEqual(why[("tkng-1", "", "/dev")][0], "host")
        self.assertIn("has rules of its own", why[("tkng-1", "", "/dev")][1])
        self.assertEqual(why[("tkng-2", "prod", "/")][0], "host")

        out = self.ctl("explain", "http://dev/anything/here")
        self.assertIn("Result:      proxied to default/dev:80 (1 ready endpoint)", out)
        self.assertIn("Matched:     default/tkng-2  host dev  Prefix /  -> dev:80", out)
        self.assertIn(f"Endpoints:   127.0.0.1:{self.dev.port}", out)
        self.assertIn("Not matched:", out)

    def test_explain_a_request_no_rule_matches(self):
        status, doc = self.debug("/debug/explain?host=nowhere.test&path=/devx")
        self.assertEqual(status, 200)
        self.assertEqual((doc["status"], doc["hostSelection"], doc["matched"]), (404, "none", None))
        why = {(r["ingress"], r["path"]): (r["outcome"], r["why"]) for r in doc["notMatched"] if not r["host"]}
        self.assertEqual(why[("tkng-1", "/dev")][0], "path")
        self.assertIn("whole path segments", why[("tkng-1", "/dev")][1])
        # The proxy agrees.
        self.assertEqual(self.proxy.get("/devx", headers={"Host": "nowhere.test"}).status, 404)

        out = self.ctl("explain", "nowhere.test/devx")
        self.assertIn("Result:      404: no rule matches", out)
        self.assertIn("Matched:     nothing", out)

    def test_explain_a_wildcard_request(self):
        status, doc = self.debug("/debug/explain?host=shop.example.com&path=/cart")
        self.assertEqual(status, 200)
        self.assertEqual((doc["status"], doc["hostSelection"], doc["hostRule"]),
                         (200, "wildcard", "*.example.com"))
        self.assertEqual(doc["matched"]["ingress"], "wild")
        # One label only: a.b.example.com falls to the rules without a host.
        _, deeper = self.debug("/debug/explain?host=a.b.example.com&path=/cart")
        self.assertEqual((deeper["status"], deeper["hostSelection"]), (404, "none"))
        wild = [r for r in deeper["notMatched"] if r["ingress"] == "wild"][0]
        self.assertIn("exactly one label", wild["why"])

        out = self.ctl("explain", "http://shop.example.com:8080/cart?q=1")
        self.assertIn("Host:        shop.example.com (covered by *.example.com)", out)
        self.assertIn("Matched:     default/wild  host *.example.com  Prefix /  -> dev:80", out)

    def test_explain_a_backend_with_no_ready_endpoint_and_bad_queries(self):
        _, doc = self.debug("/debug/explain?host=half.test&path=/")
        self.assertEqual(doc["status"], 200)
        status, doc = self.debug("/debug/explain?path=/")
        self.assertEqual(status, 400)
        self.assertIn("missing host", doc["error"])

    # --- sluice ctl itself ------------------------------------------------------------

    def test_ctl_json_output_is_the_admin_json(self):
        for view in ("ingresses", "backends", "snapshot"):
            _, doc = self.debug(f"/debug/{view}")
            self.assertEqual(json.loads(self.ctl(view, "-o", "json")), doc, view)
        explained = json.loads(self.ctl("explain", "http://dev/x", "-o", "json"))
        self.assertEqual(explained["matched"]["ingress"], "tkng-2")

    def test_ctl_errors(self):
        r = h.run([h.BIN, "ctl", "ingresses", "--admin", f"127.0.0.1:{h.closed_port()}"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot reach the admin listener", r.stderr)
        for args in (["nonsense"], ["explain"], [], ["ingresses", "-o", "yaml"], ["ingresses", "--bogus"]):
            r = h.run([h.BIN, "ctl", *args])
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertIn("usage: sluice ctl", r.stderr)


if __name__ == "__main__":
    unittest.main()
