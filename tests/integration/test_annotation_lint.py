"""Annotations that do not carry over from ingress-nginx: `sluice ctl lint`
over a folder and over a running sluice, the kubectl-sluice plugin, the
sluice_annotation_issues metric, the Warning Event in cluster mode, the 503
of a denied location, and the docs' annotation table (the catalog's output)."""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import cluster_fixture as c  # noqa: E402
import harness as h  # noqa: E402
import prom  # noqa: E402

A = "nginx.ingress.kubernetes.io/"
DOCS = os.path.join(h.REPO, "docs", "migrating-from-ingress-nginx.md")


def annotated(name, path, annotations, ingress_class="sluice"):
    return h.ingress(name, [(None, [(path, "Prefix", "web", 80)])], ingress_class=ingress_class,
                     annotations=annotations)


SNIPPET = annotated("snippet", "/snippet", {A + "configuration-snippet": "return 200 'injected';",
                                            A + "force-ssl-redirect": "nope"})
TYPO = annotated("typo", "/typo", {A + "ssl-redirekt": "false"})
CLEAN = annotated("clean", "/clean", {A + "ssl-redirect": "false", "example.com/other": "x"})
OTHER_CLASS = annotated("theirs", "/theirs", {A + "server-snippet": "x"}, ingress_class="nginx")


class LintTest(unittest.TestCase):
    def setUp(self):
        self.echo = h.start_echo(self, "web-1")
        self.dir = h.temp_dir(self)

    def lint(self, *args, stdin=None):
        return h.run([h.BIN, "ctl", "lint", *args])

    def write(self, objects):
        return h.write_manifests(self.dir, {"all.yaml": h.backend_objects("web", self.echo.port) + objects})

    def test_lint_of_a_folder_reads_every_ingress_and_exits_1_on_a_snippet(self):
        folder = self.write([SNIPPET, TYPO, CLEAN, OTHER_CLASS])
        r = self.lint(folder, "-o", "json")
        self.assertEqual(r.returncode, 1, r.stderr)
        doc = json.loads(r.stdout)
        found = {(f["ingress"], f["annotation"], f["kind"], f["effect"]) for f in doc["findings"]}
        self.assertEqual(found, {
            ("snippet", A + "configuration-snippet", "snippet", "ignored"),
            ("snippet", A + "force-ssl-redirect", "invalid", "ignored"),
            ("typo", A + "ssl-redirekt", "unknown", "ignored"),
            ("theirs", A + "server-snippet", "snippet", "ignored"),  # lint reads every class
        })
        self.assertEqual((doc["ingresses"], doc["carriesOver"]), (4, False))
        table = self.lint(folder)
        self.assertEqual(table.returncode, 1)
        self.assertIn("configuration text is never spliced in", table.stdout)
        self.assertIn("4 Ingresses, 4 findings; 2 will not carry over", table.stdout)

    def test_typos_and_invalid_values_fail_only_with_strict(self):
        folder = self.write([TYPO, CLEAN])
        self.assertEqual(self.lint(folder).returncode, 0)
        self.assertEqual(self.lint(folder, "--strict").returncode, 1)
        self.assertEqual(self.lint(os.path.join(self.dir, "missing.yaml")).returncode, 2)
        self.assertEqual(self.lint("--bogus").returncode, 2)

    def test_the_demo_examples_carry_over(self):
        r = self.lint(os.path.join(h.REPO, "deploy", "examples"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("everything carries over", r.stdout)

    def test_a_running_sluice_lints_what_it_serves_and_counts_it(self):
        proxy = h.start_proxy(self, self.write([SNIPPET, TYPO, CLEAN, OTHER_CLASS]))
        r = self.lint("--admin", f"127.0.0.1:{proxy.admin_port}", "-o", "json")
        self.assertEqual(r.returncode, 1, r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual({f["ingress"] for f in doc["findings"]}, {"snippet", "typo"})  # ours only
        metrics = prom.parse(proxy.admin("/metrics").text)
        self.assertEqual(metrics.value("sluice_annotation_issues", kind="snippet"), 1)
        self.assertEqual(metrics.value("sluice_annotation_issues", kind="invalid"), 1)
        self.assertEqual(metrics.value("sluice_annotation_issues", kind="unknown"), 1)
        self.assertEqual(metrics.value("sluice_annotation_issues", kind="unsupported"), 0)
        # The snippet never takes effect: the request reaches the backend.
        resp = proxy.get("/snippet/x")
        self.assertEqual((resp.status, resp.echo_fields().get("Server name")), (200, "web-1"))
        skipped = proxy.admin("/debug/snapshot").json()["skipped"]
        self.assertIn("annotation nginx.ingress.kubernetes.io/configuration-snippet: configuration text is "
                      "never spliced in; the Ingress is served without it",
                      [s["reason"] for s in skipped if s["name"] == "snippet"])

    def test_kubectl_sluice_is_sluice_ctl(self):
        link = os.path.join(self.dir, "kubectl-sluice")
        os.symlink(h.BIN, link)
        folder = os.path.join(self.dir, "m")
        os.mkdir(folder)
        h.write_manifests(folder, {"a.yaml": [SNIPPET]})
        r = h.run([link, "lint", folder, "-o", "json"])
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(len(json.loads(r.stdout)["findings"]), 2)
        usage = h.run([link, "--help"])
        self.assertIn("sluice ctl lint", usage.stdout)

    def test_the_docs_table_is_the_catalog(self):
        table = h.run([h.BIN, "ctl", "annotations", "-o", "markdown"]).stdout
        with open(DOCS, encoding="utf-8") as f:
            text = f.read()
        begin, end = "<!-- annotations:begin -->\n", "<!-- annotations:end -->"
        self.assertIn(begin, text)
        documented = text[text.index(begin) + len(begin):text.index(end)]
        self.assertEqual(documented, table, "regenerate with: build/sluice ctl annotations -o markdown")
        catalog = json.loads(h.run([h.BIN, "ctl", "annotations", "-o", "json"]).stdout)["annotations"]
        self.assertEqual({a["support"] for a in catalog if a["annotation"].endswith("-snippet")}, {"refused"})


class ClusterWarningTest(unittest.TestCase):
    def test_a_snippet_is_a_warning_event_on_its_ingress(self):
        api = c.start_api(self)
        echo = h.start_echo(self, "web-1")
        c.apply_all(api, h.backend_objects("web", echo.port) + [SNIPPET, CLEAN])
        proxy = c.start_sluice(self, api)
        h.wait_for(lambda: any(e["involvedObject"]["name"] == "snippet" and e["type"] == "Warning"
                               and "configuration-snippet" in e["message"] for e in api.events()),
                   message="the snippet's Warning event")
        self.assertFalse(any(e["involvedObject"]["name"] == "clean" and e["type"] == "Warning"
                             for e in api.events()))
        self.assertEqual(c.server_of(proxy, "/clean"), (200, "web-1"))


if __name__ == "__main__":
    unittest.main()
