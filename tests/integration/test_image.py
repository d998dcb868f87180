"""The container image, built by scripts/image and checked as a user would run it.

The walkthrough as a pod (the proxy and two `sluice echo` containers in one
network namespace, ports published on loopback), the proxy locked down like
deploy/components/controller-pod; labels, version, user and libraries. With
no docker daemon and no podman possible this fails: the image is never
skipped silently. Cold, the build takes minutes (base images and a compile);
the layer cache makes a rerun take seconds.
"""

import http.client
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402

# A cold build here: two base images, the build stage's packages, a compile.
BUILD_TIMEOUT = 1200
# Starting or stopping a container, which runs the runtime and conmon.
CONTAINER_TIMEOUT = 60


def project_version():
    with open(os.path.join(h.REPO, "CMakeLists.txt")) as f:
        return re.search(r"^project\(sluice VERSION ([0-9.]+)", f.read(), re.M).group(1)


def server_name(resp):
    return resp.echo_fields().get("Server name")


class ImageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="sluice-image-test-")
        env = dict(os.environ, SLUICE_IMAGE_WORK=cls.work)
        r = subprocess.run([os.path.join(h.REPO, "scripts", "image")], env=env, cwd=h.REPO,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=BUILD_TIMEOUT)
        if r.returncode != 0:
            shutil.rmtree(cls.work, ignore_errors=True)
            raise AssertionError(f"scripts/image failed ({r.returncode}):\n{r.stderr[-6000:]}")
        cls.image = r.stdout.strip().splitlines()[-1]
        # The same choice scripts/image made, and the containers.conf it wrote.
        cls.tool = os.environ.get("SLUICE_IMAGE_TOOL") or (
            "docker" if shutil.which("docker") and subprocess.run(
                ["docker", "info"], capture_output=True, timeout=30).returncode == 0 else "podman")
        cls.env = dict(os.environ)
        if cls.tool == "podman":
            cls.env["CONTAINERS_CONF"] = os.path.join(cls.work, "containers.conf")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def engine(self, *args, timeout=CONTAINER_TIMEOUT, check=True):
        r = subprocess.run([self.tool, *map(str, args)], env=self.env, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=timeout)
        if check:
            self.assertEqual(r.returncode, 0, f"{self.tool} {' '.join(map(str, args))}:\n{r.stderr}")
        return r

    def name(self, what):
        return f"sluice-test-{os.getpid()}-{what}"

    def remove_later(self, kind, name):
        # One name per rm, and podman's -i: podman 4.3's `rm -f A B` removes
        # nothing when B does not exist (docker has no -i, nor that bug).
        ignore = ["-i"] if self.tool == "podman" else []
        if kind == "pod":
            self.addCleanup(self.engine, "pod", "rm", *ignore, "-f", name, check=False)
        else:
            self.addCleanup(self.engine, "rm", *ignore, "-f", name, check=False)

    def test_labels_and_version_agree_with_the_project(self):
        version = project_version()
        self.assertEqual(self.image, f"sluice:{version}")
        labels = self.engine("image", "inspect", "--format", "{{json .Config.Labels}}", self.image)
        labels = json.loads(labels.stdout)
        self.assertEqual(labels["org.opencontainers.image.version"], version)
        head = h.run(["git", "-C", h.REPO, "rev-parse", "HEAD"]).stdout.strip()
        self.assertRegex(labels["org.opencontainers.image.revision"], rf"^{head}(-dirty)?$")
        self.assertNotIn(labels["org.opencontainers.image.source"], ("", "unknown"))
        with open(os.path.join(h.REPO, "LICENSE")) as f:
            self.assertIn("Apache License", f.read(200))
        self.assertEqual(labels["org.opencontainers.image.licenses"], "Apache-2.0")
        r = self.engine("run", "--rm", "--network", "none", self.image, "--version")
        self.assertEqual(r.stdout.splitlines()[0], f"sluice {version}")
        self.assertIn(f"  Release:       {version}\n", r.stdout)
        # A plain `docker build .` gets the same version from the default.
        with open(os.path.join(h.REPO, "Dockerfile")) as f:
            self.assertIn(f"ARG SLUICE_VERSION={version}\n", f.read())

    def test_runs_as_65532_with_every_library_present(self):
        user = self.engine("image", "inspect", "--format", "{{.Config.User}}", self.image)
        self.assertEqual(user.stdout.strip(), "65532:65532")
        ids = self.engine("run", "--rm", "--network", "none", "--entrypoint", "id", self.image)
        self.assertEqual(ids.stdout.strip(), "uid=65532(sluice) gid=65532(sluice) groups=65532(sluice)")
        ldd = self.engine("run", "--rm", "--network", "none", "--entrypoint", "ldd", self.image,
                          "/usr/local/bin/sluice")
        self.assertIn("libssl.so.3", ldd.stdout)
        self.assertNotIn("not found", ldd.stdout)

    def start_demo(self):
        """The walkthrough as a pod; returns (http, https, admin) host ports and the proxy's name."""
        pod, proxy = self.name("pod"), self.name("proxy")
        ports = [h.free_port() for _ in range(3)]
        publish = []
        for host_port, port in zip(ports, (8080, 8443, 10254)):
            publish += ["-p", f"127.0.0.1:{host_port}:{port}"]
        if self.tool == "podman":
            self.remove_later("pod", pod)
            self.engine("pod", "create", "--name", pod, *publish)
            where, backends = ["--pod", pod], ["--pod", pod]
        else:
            # Docker has no pods: the backends join the proxy's network.
            where, backends = publish, ["--network", f"container:{proxy}"]
        # deploy/components/controller-pod: read-only root, no capabilities,
        # no privilege escalation, the image's own non-root user.
        self.remove_later("container", proxy)
        self.engine("run", "-d", *where, "--name", proxy, "--read-only", "--cap-drop", "ALL",
                    "--security-opt", "no-new-privileges",
                    "-v", f"{os.path.join(h.REPO, 'deploy', 'examples')}:/manifests:ro",
                    self.image, "--manifests", "/manifests", "--http-listen", "0.0.0.0:8080",
                    "--https-listen", "0.0.0.0:8443", "--admin-listen", "0.0.0.0:10254")
        for backend, port in (("dev", 9001), ("prod", 9002)):
            c = self.name(backend)
            self.remove_later("container", c)
            self.engine("run", "-d", *backends, "--name", c, self.image, "echo",
                        "--listen", f"127.0.0.1:{port}", "--name", f"{backend}-pod")
        return ports, proxy

    def test_demo_pod_serves_the_walkthrough_locked_down_and_stops_on_sigterm(self):
        (http_port, https_port, admin_port), proxy = self.start_demo()
        try:
            h.wait_for(lambda: h.request(admin_port, "GET", "/readyz", timeout=2).status == 200,
                       timeout=30, message="/readyz in the container")
        except h.Timeout as e:
            logs = self.engine("logs", proxy, check=False)
            raise AssertionError(f"{e}\nproxy container's log:\n{logs.stdout}{logs.stderr}") from None
        # The backends start beside the proxy; wait until both answer through it.
        h.wait_for(lambda: server_name(h.request(http_port, "GET", "/dev", timeout=2)) == "dev-pod" and
                   server_name(h.request(http_port, "GET", "/prod", timeout=2)) == "prod-pod",
                   timeout=30, message="both backends through the proxy")
        self.assertEqual(server_name(h.request(http_port, "GET", "/", headers={"Host": "dev"})), "dev-pod")
        self.assertEqual(server_name(h.request(http_port, "GET", "/", headers={"Host": "prod"})), "prod-pod")
        ready = h.request(admin_port, "GET", "/readyz")
        self.assertRegex(ready.text, r"generation=\d+")

        # HTTPS with the self-signed default certificate (no Secret standalone).
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection("127.0.0.1", https_port, timeout=10, context=ctx)
        try:
            conn.request("GET", "/", headers={"Host": "prod"})
            resp = conn.getresponse()
            body = resp.read().decode()
        finally:
            conn.close()
        self.assertEqual(resp.status, 200)
        self.assertIn("Server name: prod-pod", body)

        # sluice ctl inside the running container, against its admin port.
        ctl = self.engine("exec", proxy, "sluice", "ctl", "ingresses", "--admin", "127.0.0.1:10254")
        self.assertIn("tkng-1", ctl.stdout)
        self.assertIn("tkng-2", ctl.stdout)

        # The lock-down as the kernel sees it, not only as requested.
        status = self.engine("exec", proxy, "cat", "/proc/1/status").stdout
        self.assertRegex(status, r"(?m)^CapEff:\s+0+$")
        self.assertRegex(status, r"(?m)^NoNewPrivs:\s+1$")
        self.assertRegex(status, r"(?m)^Uid:\s+65532\s")
        denied = self.engine("exec", proxy, "touch", "/usr/local/bin/x", check=False)
        self.assertNotEqual(denied.returncode, 0)
        self.assertIn("Read-only file system", denied.stderr)

        self.engine("kill", "--signal", "TERM", proxy)
        code = self.engine("wait", proxy, timeout=CONTAINER_TIMEOUT)
        self.assertEqual(code.stdout.strip(), "0", self.engine("logs", proxy).stderr)


if __name__ == "__main__":
    unittest.main()
