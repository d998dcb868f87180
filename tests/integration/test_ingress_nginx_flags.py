"""ingress-nginx's command line on sluice: its flag names and spellings, a cluster's existing
Ingresses taken over with `--ingress-class nginx --controller-class k8s.io/ingress-nginx`, the
flags sluice refuses or warns about, and --version."""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import cluster_fixture as c  # noqa: E402
import harness as h  # noqa: E402

# What ingress-nginx's Helm chart passes (controller-v1.15.1, charts/ingress-nginx/templates/
# _params.tpl), with the election and status flags in both of pflag's spellings.
CHART_FLAGS = ["--publish-service=ingress-nginx/ingress-nginx-controller",
               "--election-id", "ingress-nginx-leader",
               "--controller-class=k8s.io/ingress-nginx",
               "--ingress-class", "nginx"]
ELECTION = ["--election-lease-duration", "2s", "--election-renew-deadline", "1500ms",
            "--election-retry-period", "200ms"]


def ingress_class(name, controller):
    return {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
            "metadata": {"name": name}, "spec": {"controller": controller}}


def status_writes(api):
    return [r for r in api.requests if r.method in ("PATCH", "PUT") and r.path.endswith("/status")]


class TakeOverTest(unittest.TestCase):
    """A cluster ingress-nginx served: its IngressClass, Ingresses by class name, by the legacy
    annotation, of another controller, and without any class."""

    def setUp(self):
        self.api = c.start_api(self)
        self.echo = h.start_echo(self, "dev-pod")
        c.apply_all(self.api, h.backend_objects("dev", self.echo.port) + [
            ingress_class("nginx", "k8s.io/ingress-nginx"),
            ingress_class("traefik", "traefik.io/ingress-controller"),
            h.service("ingress-nginx-controller", 80, 80, namespace="ingress-nginx"),
            h.ingress("by-class", [(None, [("/by-class", "Prefix", "dev", 80)])], ingress_class="nginx"),
            h.ingress("by-annotation", [(None, [("/by-annotation", "Prefix", "dev", 80)])], ingress_class=None,
                      annotations={"kubernetes.io/ingress.class": "nginx"}),
            h.ingress("traefik", [(None, [("/traefik", "Prefix", "dev", 80)])], ingress_class="traefik"),
            h.ingress("traefik-annotation", [(None, [("/traefik-annotation", "Prefix", "dev", 80)])],
                      ingress_class=None, annotations={"kubernetes.io/ingress.class": "traefik"}),
            h.ingress("classless", [(None, [("/classless", "Prefix", "dev", 80)])], ingress_class=None),
            h.ingress("marker", [(None, [("/marker", "Prefix", "dev", 80)])], ingress_class="nginx"),
        ])

    def served(self, proxy):
        c.wait_route(proxy, "/marker", "dev-pod")
        return {p for p in ("/by-class", "/by-annotation", "/traefik", "/traefik-annotation", "/classless")
                if c.server_of(proxy, p)[0] == 200}

    def test_the_chart_flags_serve_what_ingress_nginx_served(self):
        proxy = c.start_sluice(self, self.api, args=[*CHART_FLAGS, *ELECTION])
        self.assertEqual(self.served(proxy), {"/by-class", "/by-annotation"})
        # The status writer is elected under the chart's election id.
        h.wait_for(lambda: self.api.get("coordination.k8s.io/v1", "Lease", "ingress-nginx-leader",
                                        namespace="default"), message="the ingress-nginx-leader Lease")

    def test_watch_ingress_without_class_adds_the_classless_ones(self):
        for spelling in (["--watch-ingress-without-class"], ["--watch-ingress-without-class=true"]):
            with self.subTest(spelling=spelling):
                proxy = c.start_sluice(self, self.api, args=[*CHART_FLAGS, *spelling, "--update-status=false"])
                self.assertEqual(self.served(proxy), {"/by-class", "/by-annotation", "/classless"})
                proxy.proc.stop()
        proxy = c.start_sluice(self, self.api, args=[*CHART_FLAGS, "--watch-ingress-without-class=false",
                                                     "--update-status=false"])
        self.assertEqual(self.served(proxy), {"/by-class", "/by-annotation"})

    def test_update_status_false_writes_no_status_and_elects_nobody(self):
        # An address that needs no Service, so that with status on a write is certain.
        flags = [f for f in CHART_FLAGS if not f.startswith("--publish-service")] + [
            "--publish-status-address=10.0.0.1", *ELECTION]
        proxy = c.start_sluice(self, self.api, args=[*flags, "--update-status=false"])
        self.served(proxy)
        # An elector asks for the Lease as it starts, and a leader writes status after each
        # translation: after a second translation, neither has happened.
        self.api.apply(h.ingress("late", [(None, [("/late", "Prefix", "dev", 80)])], ingress_class="nginx"))
        c.wait_route(proxy, "/late", "dev-pod")
        self.assertEqual(status_writes(self.api), [])
        self.assertEqual(self.api.requests_for("leases", method="GET"), [])
        self.assertIsNone(self.api.get("coordination.k8s.io/v1", "Lease", "ingress-nginx-leader"))
        # The same flags with status on do write it (the check above is not vacuous).
        proxy.proc.stop()
        writer = c.start_sluice(self, self.api, args=flags)
        self.served(writer)
        h.wait_for(lambda: status_writes(self.api), message="a status write with --update-status on")


class FlagTest(unittest.TestCase):
    def test_version_prints_the_release_and_the_build(self):
        with open(os.path.join(h.REPO, "CMakeLists.txt")) as f:
            version = re.search(r"project\(sluice VERSION (\S+)", f.read()).group(1)
        for args in (["--version"], ["--ingress-class", "nginx", "--version"], ["--version=true"]):
            with self.subTest(args=args):
                r = h.run([h.BIN, *args])
                self.assertEqual(r.returncode, 0, r.stderr)
                lines = r.stdout.splitlines()
                self.assertEqual(lines[0], f"sluice {version}")
                fields = dict(re.match(r"^  ([A-Za-z ]+):\s+(.*)$", l).groups() for l in lines
                              if l.startswith("  "))
                self.assertEqual(fields["Release"], version)
                head = h.run(["git", "-C", h.REPO, "rev-parse", "--short=12", "HEAD"]).stdout.strip()
                # The commit the binary was built from: this checkout's HEAD or (mid-work) an
                # earlier one, 12 hex digits either way, "-dirty" when built with changes.
                self.assertRegex(fields["Build"], r"^[0-9a-f]{12}(-dirty)?$")
                if head:
                    r2 = h.run(["git", "-C", h.REPO, "cat-file", "-e", fields["Build"].split("-")[0]])
                    self.assertEqual(r2.returncode, 0, f"{fields['Build']} is not a commit of {h.REPO}")
                self.assertRegex(fields["Build type"], r"^(Release|RelWithDebInfo|Debug|MinSizeRel)$")
                self.assertRegex(fields["Compiler"], r"^(GCC|clang) \d+\.\d+")
                self.assertRegex(fields["OpenSSL"], r"^OpenSSL 3\.\d+\.\d+.* \(built with OpenSSL 3\.")
                self.assertRegex(fields["Boost"], r"^1\.\d+\.\d+$")
                self.assertEqual(r.stderr, "")
        # =false is not a request for the version: sluice goes on to start (and fails on the source).
        r = h.run([h.BIN, "--version=false", "--manifests", "/nonexistent-sluice-dir"])
        self.assertNotEqual(r.returncode, 0)
        self.assertNotIn("Release:", r.stdout)

    def test_ssl_passthrough_is_refused_and_default_backend_service_warned_about(self):
        r = h.run([h.BIN, "--enable-ssl-passthrough", "--manifests", "/nonexistent-sluice-dir"])
        self.assertEqual(r.returncode, 2)  # a usage error
        self.assertIn("--enable-ssl-passthrough is not supported yet", r.stderr)
        # =false is what the chart's default means: accepted.
        manifests = h.one_route_manifests(self)
        proxy = h.start_proxy(self, manifests, args=["--enable-ssl-passthrough=false",
                                                     "--default-backend-service=ingress-nginx/defaultbackend"])
        proxy.proc.wait_for_line(r"--default-backend-service ingress-nginx/defaultbackend is not supported yet")
        self.assertEqual(proxy.get("/").status, 200)

    def test_a_boolean_written_with_a_separate_value_is_an_error(self):
        r = h.run([h.BIN, "--update-status", "false"])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("--update-status is a boolean: write --update-status=false", r.stderr)
        r = h.run([h.BIN, "--watch-ingress-without-class=maybe"])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('bad value "maybe" for --watch-ingress-without-class', r.stderr)

    def test_help_lists_the_ingress_nginx_flags(self):
        usage = h.run([h.BIN, "--help"]).stdout
        for flag in ("--ingress-class", "--controller-class", "--watch-ingress-without-class",
                     "--publish-service", "--default-ssl-certificate", "--default-backend-service",
                     "--election-id", "--enable-ssl-passthrough", "--watch-namespace", "--update-status"):
            self.assertIn(flag, usage)


if __name__ == "__main__":
    unittest.main()
