"""Cluster mode's writes: Ingress status from the elected leader only, and Events on Ingresses."""

import os
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import cluster_fixture as c  # noqa: E402
import harness as h  # noqa: E402

ELECTION = ["--election-lease-duration", "2s", "--election-renew-deadline", "1500ms",
            "--election-retry-period", "200ms"]
WANTED = [{"hostname": "lb.example.com"}, {"ip": "10.0.0.1"}]


def lb_status(api, name, namespace="default"):
    obj = api.get("networking.k8s.io/v1", "Ingress", name, namespace)
    return ((obj or {}).get("status") or {}).get("loadBalancer", {}).get("ingress")


def status_patches(api, name=None):
    return [r for r in api.requests if r.method in ("PATCH", "PUT") and r.path.endswith("/status")
            and (name is None or f"/ingresses/{name}/" in r.path)]


class StatusTest(unittest.TestCase):
    def setUp(self):
        self.api = c.start_api(self)
        self.echo = h.start_echo(self, "dev-pod")
        c.apply_all(self.api, h.backend_objects("dev", self.echo.port) + h.backend_objects("prod", self.echo.port) +
                    h.classic_routes())

    def start(self, token, args=(), name="sluice"):
        self.api.tokens.add(token)
        return c.start_sluice(self, self.api, token=token, name=name,
                              args=["--publish-status-address", "10.0.0.1,lb.example.com", *ELECTION, *args])

    def lease(self):
        return self.api.get("coordination.k8s.io/v1", "Lease", "sluice-leader")

    def test_only_the_leader_writes_status_and_a_follower_takes_over(self):
        a = self.start("token-a", name="sluice-a")
        b = self.start("token-b", name="sluice-b")
        for name in ("tkng-1", "tkng-2"):
            h.wait_for(lambda: lb_status(self.api, name) == WANTED, message=f"{name} status")
        holder = self.lease()["spec"]["holderIdentity"]
        leader, follower = (a, b) if holder.endswith(f"_{a.proc.pid}") else (b, a)
        self.assertTrue(holder.endswith(f"_{leader.proc.pid}"), holder)
        leader_token = "token-a" if leader is a else "token-b"
        writers = {r.token for r in status_patches(self.api)}
        self.assertEqual(writers, {leader_token})
        self.assertEqual(len(status_patches(self.api, "tkng-1")), 1)
        # Both replicas serve traffic.
        self.assertEqual(c.server_of(follower, "/dev"), (200, "dev-pod"))

        # The leader dies without releasing the lease; the follower waits it out, then writes.
        leader.proc.send_signal(signal.SIGKILL)
        leader.proc.wait()
        self.api.apply(h.ingress("after", [(None, [("/after", "Prefix", "dev", 80)])]))
        h.wait_for(lambda: lb_status(self.api, "after") == WANTED, timeout=10, message="status by the new leader")
        self.assertTrue(self.lease()["spec"]["holderIdentity"].endswith(f"_{follower.proc.pid}"))
        self.assertGreaterEqual(self.lease()["spec"]["leaseTransitions"], 1)
        after = status_patches(self.api, "after")
        self.assertEqual({r.token for r in after}, {"token-b" if leader is a else "token-a"})

    def test_a_leader_stopped_by_sigterm_releases_the_lease_and_a_follower_takes_over_at_once(self):
        # A 30 s lease: a follower that had to wait it out could not lead within the 10 s bound.
        slow = ["--election-lease-duration", "30s", "--election-renew-deadline", "10s",
                "--election-retry-period", "200ms"]
        a = self.start("token-a", args=slow, name="sluice-a")
        a.proc.wait_for_line("became the leader")
        b = self.start("token-b", args=slow, name="sluice-b")
        self.assertTrue(self.lease()["spec"]["holderIdentity"].endswith(f"_{a.proc.pid}"))
        h.wait_for(lambda: self.api.requests_for("leases", method="GET")[-1].token == "token-b",
                   message="the follower campaigning")
        stopped_at = time.monotonic()
        a.proc.send_signal(signal.SIGTERM)
        self.assertEqual(a.proc.wait(timeout=10), 0)
        released = [r for r in self.api.requests_for("leases", method="PUT") if r.token == "token-a"][-1]
        self.assertEqual(released.status, 200)
        h.wait_for(lambda: self.lease()["spec"]["holderIdentity"].endswith(f"_{b.proc.pid}"), timeout=10,
                   message="the follower leading")
        self.assertLess(time.monotonic() - stopped_at, 10)
        self.assertGreaterEqual(self.lease()["spec"]["leaseTransitions"], 1)
        self.assertIn("released the leader lease", a.proc.stderr_text())

    def test_a_leader_that_cannot_reach_the_api_still_stops_promptly(self):
        proxy = self.start("token-a")
        proxy.proc.wait_for_line("became the leader")
        self.api.delay = 5  # every answer now comes after the release's 2 s bound
        stopped_at = time.monotonic()
        proxy.proc.send_signal(signal.SIGTERM)
        self.assertEqual(proxy.proc.wait(timeout=10), 0)
        self.assertLess(time.monotonic() - stopped_at, 4.5)
        self.api.delay = 0

    def test_a_leader_that_cannot_renew_steps_down_then_leads_again(self):
        proxy = self.start("token-a")
        proxy.proc.wait_for_line("became the leader")
        self.api.fail(500, match=lambda r: r.resource == "leases")
        proxy.proc.wait_for_line("lost leadership", timeout=5)
        self.api.apply(h.ingress("meanwhile", [(None, [("/meanwhile", "Prefix", "dev", 80)])]))
        c.wait_route(proxy, "/meanwhile", "dev-pod")  # still serving, but not writing status
        self.assertIsNone(lb_status(self.api, "meanwhile"))
        self.api.clear_faults()
        h.wait_for(lambda: lb_status(self.api, "meanwhile") == WANTED, message="status after leading again")

    def test_a_lease_that_does_not_decode_is_never_taken_over(self):
        # leaseDurationSeconds is an int32: a value beyond it once overflowed the expiry arithmetic,
        # and the replica took the lease at once.
        self.api.apply({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                        "metadata": {"name": "sluice-leader", "namespace": "default"},
                        "spec": {"holderIdentity": "someone-else", "leaseDurationSeconds": 2 ** 63 - 1,
                                 "leaseTransitions": 3, "renewTime": "2026-01-01T00:00:00.000000Z"}})
        proxy = self.start("token-a")
        lease_reads = lambda: [r for r in self.api.requests_for("leases") if r.status == 200]  # noqa: E731
        h.wait_for(lambda: len(lease_reads()) >= 5, message="the replica to retry the lease")
        self.assertEqual(self.lease()["spec"]["holderIdentity"], "someone-else")
        self.assertEqual([r for r in self.api.requests_for("leases", method="PUT")], [])
        self.assertIn("cannot parse the leader lease", proxy.proc.stderr_text())
        self.assertEqual(status_patches(self.api), [])
        self.assertEqual(c.server_of(proxy, "/dev"), (200, "dev-pod"))

    def test_status_is_written_only_when_it_differs(self):
        proxy = self.start("token-a")
        h.wait_for(lambda: lb_status(self.api, "tkng-1") == WANTED, message="tkng-1 status")
        # More translations (a new Ingress, an EndpointSlice change) rewrite nothing that is right.
        self.api.apply(h.ingress("marker", [(None, [("/marker", "Prefix", "dev", 80)])]))
        self.api.apply(h.endpoint_slice("prod", self.echo.port, addresses=("127.0.0.1", "127.0.0.3")))
        h.wait_for(lambda: lb_status(self.api, "marker") == WANTED, message="marker status")
        self.assertEqual(len(status_patches(self.api, "tkng-1")), 1)
        # Someone else overwrites the status: the leader puts it back.
        obj = self.api.get("networking.k8s.io/v1", "Ingress", "tkng-1")
        obj["status"] = {"loadBalancer": {"ingress": [{"ip": "192.0.2.99"}]}}
        self.api.apply(obj)
        h.wait_for(lambda: lb_status(self.api, "tkng-1") == WANTED, message="tkng-1 status restored")
        self.assertTrue(proxy.proc.alive())

    def test_publish_service_status(self):
        svc = h.service("sluice-lb", 80, 8080, namespace="ingress")
        svc["status"] = {"loadBalancer": {"ingress": [{"ip": "203.0.113.7"}]}}
        self.api.apply(svc)
        self.api.tokens.add("token-a")
        c.start_sluice(self, self.api, token="token-a",
                       args=["--publish-service", "ingress/sluice-lb", *ELECTION])
        h.wait_for(lambda: lb_status(self.api, "tkng-1") == [{"ip": "203.0.113.7"}], message="status from the Service")
        svc["status"] = {"loadBalancer": {"ingress": [{"hostname": "elb.example.net"}]}}
        self.api.apply(svc)
        h.wait_for(lambda: lb_status(self.api, "tkng-2") == [{"hostname": "elb.example.net"}],
                   message="status following the Service")

    def test_no_publish_flag_no_election_and_no_status(self):
        proxy = c.start_sluice(self, self.api)
        self.api.apply(h.ingress("marker", [(None, [("/marker", "Prefix", "dev", 80)])]))
        c.wait_route(proxy, "/marker", "dev-pod")
        self.assertIsNone(self.lease())
        self.assertEqual(status_patches(self.api), [])

    def test_events_sync_and_warnings(self):
        proxy = c.start_sluice(self, self.api)
        h.wait_for(lambda: {e["involvedObject"]["name"] for e in self.api.events() if e["reason"] == "Sync"}
                   >= {"tkng-1", "tkng-2"}, message="Sync events")
        sync = next(e for e in self.api.events() if e["involvedObject"]["name"] == "tkng-1")
        self.assertEqual(sync["type"], "Normal")
        self.assertEqual(sync["involvedObject"]["kind"], "Ingress")
        self.assertEqual(sync["involvedObject"]["uid"],
                         self.api.get("networking.k8s.io/v1", "Ingress", "tkng-1")["metadata"]["uid"])
        self.api.apply(h.ingress("broken", [(None, [("/broken", "Prefix", "missing", 80),
                                                    ("no-slash", "Prefix", "dev", 80)])]))
        h.wait_for(lambda: len([e for e in self.api.events() if e["involvedObject"]["name"] == "broken"
                                and e["type"] == "Warning"]) >= 2, message="Warning events")
        reasons = [e["message"] for e in self.api.events()
                   if e["involvedObject"]["name"] == "broken" and e["type"] == "Warning"]
        self.assertTrue(any("missing" in m for m in reasons), reasons)
        self.assertTrue(any("no-slash" in m for m in reasons), reasons)
        # The good part of it still routes (to a 503: its Service is missing); the rest is untouched.
        self.assertEqual(c.server_of(proxy, "/broken")[0], 503)
        self.assertEqual(c.server_of(proxy, "/dev"), (200, "dev-pod"))
        # An unchanged Ingress is not announced again.
        count = len([e for e in self.api.events() if e["involvedObject"]["name"] == "tkng-1"])
        self.api.apply(h.ingress("marker", [(None, [("/marker", "Prefix", "dev", 80)])]))
        h.wait_for(lambda: any(e["involvedObject"]["name"] == "marker" for e in self.api.events()),
                   message="the marker's Sync event")
        self.assertEqual(len([e for e in self.api.events() if e["involvedObject"]["name"] == "tkng-1"]), count)


if __name__ == "__main__":
    unittest.main()
