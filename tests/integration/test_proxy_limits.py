"""Connection limits: requests per keep-alive connection, connections per worker, running out of fds."""

import os
import resource
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402
import prom  # noqa: E402


def metrics(proxy):
    resp = proxy.admin("/metrics")
    assert resp.status == 200, resp
    return prom.parse(resp.text)


def cpu_seconds(pid):
    """utime + stime of the process, from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is the state (field 3 of stat(5)): utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


class KeepaliveRequestsTest(unittest.TestCase):
    def test_the_last_allowed_response_says_close_and_the_connection_ends(self):
        proxy = h.start_proxy(self, h.one_route_manifests(self), ["--keepalive-requests", "3"])
        with proxy.connect() as c:
            for i in range(2):
                resp = c.request("GET", f"/r{i}", [("Host", "x")])
                self.assertEqual(resp.status, 200)
                self.assertNotEqual((resp.header("Connection") or "").lower(), "close", resp)
            resp = c.request("GET", "/r2", [("Host", "x")])
            self.assertEqual(resp.status, 200)
            self.assertEqual(resp.header("Connection", "").lower(), "close", resp)
            self.assertTrue(c.is_closed(timeout=5))
        self.assertEqual(metrics(proxy).value("sluice_keepalive_requests_reached_total"), 1)

    def test_a_local_reply_counts_and_closes_too(self):
        # No manifests: every request is a local 404.
        proxy = h.start_proxy(self, h.temp_dir(self), ["--keepalive-requests", "2"])
        with proxy.connect() as c:
            first = c.request("GET", "/a", [("Host", "x")])
            self.assertEqual(first.status, 404)
            self.assertNotEqual((first.header("Connection") or "").lower(), "close", first)
            second = c.request("GET", "/b", [("Host", "x")])
            self.assertEqual(second.status, 404)
            self.assertEqual(second.header("Connection", "").lower(), "close", second)
            self.assertTrue(c.is_closed(timeout=5))

    def test_the_default_allows_more_than_a_hundred_requests(self):
        # nginx's own default is 100 (before 1.19.10) and ingress-nginx's 1000.
        proxy = h.start_proxy(self, h.one_route_manifests(self))
        with proxy.connect() as c:
            for i in range(150):
                resp = c.request("GET", f"/r{i}", [("Host", "x")])
                self.assertEqual(resp.status, 200)
                self.assertNotEqual((resp.header("Connection") or "").lower(), "close", resp)
        self.assertEqual(metrics(proxy).value("sluice_keepalive_requests_reached_total"), 0)

    def test_bad_values_are_refused(self):
        for value in ("-1", "many", ""):
            r = h.run([h.BIN, "--manifests", h.temp_dir(self), "--keepalive-requests", value])
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn("--keepalive-requests", r.stderr)


class MaxConnectionsTest(unittest.TestCase):
    def test_beyond_the_limit_a_connection_waits_and_is_served_when_one_closes(self):
        proxy = h.start_proxy(self, h.one_route_manifests(self), ["--workers", "1", "--max-connections", "2"])
        held = [proxy.connect(), proxy.connect()]
        for c in held:
            self.addCleanup(c.close)
            self.assertEqual(c.request("GET", "/held", [("Host", "x")]).status, 200)
        waiting = proxy.connect()  # the kernel completes the handshake: it waits in the accept queue
        self.addCleanup(waiting.close)
        waiting.send(h.build_request("GET", "/waiting", [("Host", "x")]))
        # Bounded check of an absence: the proxy does not accept, so nothing comes back.
        self.assertFalse(waiting.wait_readable(0.5), "a third connection was served beyond --max-connections 2")
        m = metrics(proxy)
        self.assertEqual(m.value("nginx_ingress_controller_nginx_process_connections", state="active"), 2)
        self.assertEqual(m.value("nginx_ingress_controller_nginx_process_connections_total", state="accepted"), 2)
        self.assertEqual(m.value("sluice_max_connections_reached_total"), 1)
        held[0].close()
        self.assertEqual(waiting.read_response().status, 200)
        # Back at the limit once the waiting one was accepted; the other held one still works.
        self.assertEqual(held[1].request("GET", "/again", [("Host", "x")]).status, 200)
        m = metrics(proxy)
        self.assertEqual(m.value("nginx_ingress_controller_nginx_process_connections_total", state="accepted"), 3)
        self.assertEqual(m.value("sluice_max_connections_reached_total"), 2)

    def test_bad_values_are_refused(self):
        for value in ("0", "x"):
            r = h.run([h.BIN, "--manifests", h.temp_dir(self), "--max-connections", value])
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn("--max-connections", r.stderr)


class OutOfFileDescriptorsTest(unittest.TestCase):
    def test_accept_backs_off_without_spinning_and_recovers(self):
        proxy = h.start_proxy(self, h.one_route_manifests(self), ["--workers", "1", "--access-log", "off"])
        pid = proxy.proc.pid
        # One request first, so that the pool holds a connection to the backend.
        with proxy.connect() as c:
            self.assertEqual(c.request("GET", "/warm", [("Host", "x")]).status, 200)
        h.wait_for(lambda: metrics(proxy).value("nginx_ingress_controller_nginx_process_connections",
                                                state="active") == 0, message="the warm-up connection closed")
        soft, hard = resource.prlimit(pid, resource.RLIMIT_NOFILE)
        self.addCleanup(lambda: proxy.proc.alive() and resource.prlimit(pid, resource.RLIMIT_NOFILE, (soft, hard)))
        # Room for two more descriptors (three if an admin connection was still closing): idle
        # clients take them until accept(2) fails, which Linux reports as soon as no descriptor
        # is free, queue or not. Nothing scrapes /metrics until descriptors are free again: the
        # admin listener needs one too.
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (open_fds(pid) + 2, hard))
        held, first = [], None
        while first is None:
            self.assertLess(len(held), 3, "accept(2) never failed:\n" + proxy.proc.stderr_text()[-2000:])
            start = len(proxy.proc.lines)
            held.append(proxy.connect())
            self.addCleanup(held[-1].close)
            try:
                first = proxy.proc.wait_for_line(r"accept failed, retrying", timeout=1, start=start)
            except h.Timeout:
                pass
        queued = proxy.connect()
        self.addCleanup(queued.close)
        queued.send(h.build_request("GET", "/queued", [("Host", "x")]))
        # The admin listener meets the same EMFILE: it must back off too, not spin.
        scrape = h.RawClient(proxy.admin_port)
        self.addCleanup(scrape.close)
        scrape.send(h.build_request("GET", "/healthz", [("Host", "admin")]))
        lines_before = len(proxy.proc.lines)
        # A measurement over a window, not a wait for an event: a proxy that retried accept(2)
        # at once, on a worker or on the admin listener, would burn a whole core here.
        cpu_before = cpu_seconds(pid)
        time.sleep(1.5)
        cpu_used = cpu_seconds(pid) - cpu_before
        self.assertLess(cpu_used, 0.2, f"{cpu_used:.2f}s of CPU in 1.5s while out of file descriptors")
        warnings = [l for l in proxy.proc.lines[lines_before:] if "accept failed" in l]
        self.assertLessEqual(len(warnings), 2, "more than one warning a second:\n" + "\n".join(warnings))
        self.assertIn("Too many open files", first.string)
        self.assertFalse(queued.wait_readable(0), "the queued connection was served while out of fds")
        # Freeing descriptors lets the queued connection in.
        for c in held:
            c.close()
        self.assertEqual(queued.read_response(timeout=5).status, 200)
        queued.close()
        self.assertEqual(scrape.read_response(timeout=5).status, 200)
        scrape.close()
        with proxy.connect() as c:
            self.assertEqual(c.request("GET", "/after", [("Host", "x")]).status, 200)
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (soft, hard))
        self.assertGreater(metrics(proxy).value("sluice_accept_fd_exhausted_total"), 0)


if __name__ == "__main__":
    unittest.main()
