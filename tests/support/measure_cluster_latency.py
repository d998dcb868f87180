"""Measures how long an Ingress change takes to become routable in cluster mode: from the fake
API server sending the watch event to the first request the proxy serves on the new route.

    SLUICE_BIN=build/sluice python3 tests/support/measure_cluster_latency.py [changes] [sync-period]

Not a test (nothing is asserted): it prints median, p90, p99 and max over `changes` (default 50)
updates, with --sync-period (default 0; the production default is 50ms).
"""

import os
import statistics
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cluster_fixture as c  # noqa: E402
import harness as h  # noqa: E402


def main():
    changes = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    sync_period = sys.argv[2] if len(sys.argv) > 2 else "0"
    case = unittest.TestCase()
    try:
        api = c.start_api(case)
        echo = h.start_echo(case, "pod")
        c.apply_all(api, h.backend_objects("web", echo.port) + h.classic_routes())
        proxy = c.start_sluice(case, api, args=["--sync-period", sync_period])
        client = h.RawClient(proxy.http_port)
        samples = []
        for i in range(changes):
            path = f"/route-{i}"
            sent = time.monotonic()
            api.apply(h.ingress("moving", [(None, [(path, "Exact", "web", 80)])]))
            while True:
                resp = client.request("GET", path, [("Host", "x")])
                if resp.status == 200:
                    break
                if time.monotonic() - sent > 10:
                    raise RuntimeError(f"{path} not routable after 10 s")
            samples.append((time.monotonic() - sent) * 1000)
        client.close()
        samples.sort()
        q = statistics.quantiles(samples, n=100, method="inclusive")
        print(f"{changes} Ingress changes, --sync-period {sync_period}: median {statistics.median(samples):.2f} ms, "
              f"p90 {q[89]:.2f} ms, p99 {q[98]:.2f} ms, max {samples[-1]:.2f} ms")
    finally:
        case.doCleanups()


if __name__ == "__main__":
    main()
