"""scripts/demo runs the walkthrough end to end (one-shot, on free ports, with the built binary)."""

import os
import re
import shutil
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402


class DemoTest(unittest.TestCase):
    def test_demo_shows_the_right_backend_for_each_curl(self):
        manifests = h.temp_dir(self)
        dev_port, prod_port = h.free_port(), h.free_port()
        for name in os.listdir(os.path.join(h.REPO, "deploy", "examples")):
            src = os.path.join(h.REPO, "deploy", "examples", name)
            with open(src) as f:
                text = f.read()
            # The example slices hardcode 9001/9002, which may be taken here.
            text = re.sub(r"\bport: 9001\b", f"port: {dev_port}", text)
            text = re.sub(r"\bport: 9002\b", f"port: {prod_port}", text)
            h.write_file(os.path.join(manifests, name), text)
        env = {
            "SLUICE_DEMO_ONESHOT": "1", "SLUICE_DEMO_SKIP_BUILD": "1", "SLUICE_BIN": h.BIN,
            "SLUICE_DEMO_MANIFESTS": manifests,
            "SLUICE_DEMO_HTTP_PORT": str(h.free_port()), "SLUICE_DEMO_ADMIN_PORT": str(h.free_port()),
            "SLUICE_DEMO_HTTPS_PORT": str(h.free_port()),
            "SLUICE_DEMO_DEV_PORT": str(dev_port), "SLUICE_DEMO_PROD_PORT": str(prod_port),
        }
        if not shutil.which("curl"):
            self.skipTest("curl is not installed (scripts/setup installs it)")
        r = h.run([os.path.join(h.REPO, "scripts", "demo")], timeout=60, env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        names = re.findall(r"^Server name: (\S+)$", r.stdout, re.M)
        self.assertEqual(len(names), 4, r.stdout)
        self.assertRegex(names[0], r"^dev-")
        self.assertRegex(names[1], r"^prod-")
        self.assertRegex(names[2], r"^dev-")
        self.assertRegex(names[3], r"^prod-")
        uris = re.findall(r"^URI: (\S+)$", r.stdout, re.M)
        self.assertEqual(uris, ["/dev", "/prod", "/", "/"])
        self.assertIn("$ curl", r.stdout)


if __name__ == "__main__":
    unittest.main()
