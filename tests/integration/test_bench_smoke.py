"""bench/compare --quick still runs end to end: every target serves the load and
the table and ratios are printed. Nothing here asserts on speed."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402

COMPARE = os.path.join(h.REPO, "bench", "compare")
TOOLS = ("nginx", "haproxy", "wrk")


class BenchCompareSmokeTest(unittest.TestCase):
    def setUp(self):
        path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
        missing = [t for t in TOOLS if shutil.which(t, path=path) is None]
        if missing:
            self.skipTest(f"bench/compare needs {', '.join(missing)} "
                          "(apt-get install nginx-light haproxy wrk)")
        if not os.access(h.BIN, os.X_OK):
            self.skipTest(f"no sluice binary at {h.BIN}")

    def test_quick_compare_measures_every_target_and_prints_ratios(self):
        with tempfile.TemporaryDirectory(prefix="sluice-bench-smoke-") as d:
            out_json = os.path.join(d, "compare.json")
            result = subprocess.run(
                [sys.executable, COMPARE, "--quick", "--no-install",
                 "--targets", "direct,sluice,nginx,haproxy", "--json", out_json],
                stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=28,
                env=dict(os.environ, SLUICE_BIN=h.BIN))
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            with open(out_json) as f:
                report = json.load(f)

        self.assertIn("Scenario 1:", result.stdout)
        self.assertIn("sluice/nginx", result.stdout)
        self.assertIn("sluice/haproxy", result.stdout)
        self.assertIn("pinning:", result.stdout)
        results = report["scenarios"]["1"]["results"]
        for target in ("direct", "sluice", "nginx", "haproxy"):
            self.assertGreater(results[target]["requests"], 0, f"{target}: {results[target]}")
        for proxy in ("sluice", "nginx", "haproxy"):
            self.assertGreater(results[proxy]["cpu_us_per_req"], 0, proxy)
            self.assertGreater(results[proxy]["rss_kib"], 0, proxy)
        # A proxy that fails requests under 50 plain keep-alive connections is broken.
        self.assertEqual(results["sluice"]["errors"], 0, results["sluice"])


if __name__ == "__main__":
    unittest.main()
