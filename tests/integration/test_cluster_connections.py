"""API connections in cluster mode: one-shot calls (LIST, lease, status, events) reuse keep-alive
connections; every watch has its own; a connection the server closed is replaced."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import cluster_fixture as c  # noqa: E402
import harness as h  # noqa: E402

ELECTION = ["--publish-status-address", "10.0.0.1", "--election-lease-duration", "2s",
            "--election-renew-deadline", "1500ms", "--election-retry-period", "100ms"]


class ApiConnectionTest(unittest.TestCase):
    def setUp(self):
        self.api = c.start_api(self)
        self.echo = h.start_echo(self, "dev-pod")
        c.apply_all(self.api, h.backend_objects("dev", self.echo.port) + h.classic_routes())
        self.proxy = c.start_sluice(self, self.api, args=ELECTION)

    def lease_calls(self, n, after=0):
        """Waits for n lease requests answered 200 after request index `after`; returns them."""
        def enough():
            calls = [r for r in self.api.requests[after:] if r.resource == "leases" and r.status == 200]
            return calls[:n] if len(calls) >= n else None
        return h.wait_for(enough, message=f"{n} lease calls")

    def test_sequential_calls_share_a_connection_and_watches_have_their_own(self):
        leases = self.lease_calls(20)
        # The leader's GET+PUT every 100 ms run one after another: one pooled connection serves them.
        self.assertLessEqual(len({r.conn for r in leases[-10:]}), 1, leases[-10:])
        calls = [r for r in self.api.requests if not r.watch]
        self.assertLess(len({r.conn for r in calls}), len(calls))
        watches = [r for r in self.api.requests if r.watch]
        self.assertEqual(len({r.conn for r in watches}), len(watches), "two watches on one connection")
        self.assertFalse({r.conn for r in watches} & {r.conn for r in calls}, "a watch shared a connection")
        self.assertLess(self.api.connections_accepted, len(self.api.requests))

    def test_a_pooled_connection_the_server_closed_is_replaced(self):
        first = self.lease_calls(4)
        self.api.stop()  # closes every connection, pooled ones too
        mark = len(self.api.requests)
        self.api.restart()
        after = self.lease_calls(4, after=mark)
        self.assertFalse({r.conn for r in first} & {r.conn for r in after})
        self.assertLessEqual(len({r.conn for r in after[-2:]}), 1)
        self.api.apply(h.ingress("later", [(None, [("/later", "Prefix", "dev", 80)])]))
        c.wait_route(self.proxy, "/later", "dev-pod")


if __name__ == "__main__":
    unittest.main()
