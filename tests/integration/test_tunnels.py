"""Upgraded connections (WebSocket) through the proxy: idle timeout, bytes both ways, log line at close."""

import asyncio
import json
import os
import ssl
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402
import prom  # noqa: E402

try:
    import websockets
except ImportError:
    # scripts/setup installs Debian's python3-websockets; a python3 other than Debian's (pyenv,
    # a venv) does not see Debian's dist-packages by itself.
    sys.path.append("/usr/lib/python3/dist-packages")
    import websockets  # noqa: E402

WS_OPTIONS = {"compression": None, "ping_interval": None, "open_timeout": h.DEFAULT_TIMEOUT}


class WebSocketEchoBackend:
    """A python3-websockets server on 127.0.0.1:0 that echoes every message, in its own thread."""

    def __init__(self):
        self.closed = threading.Event()  # a connection of the backend's has ended
        self.loop = asyncio.new_event_loop()
        started = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(started,), daemon=True)
        self.thread.start()
        if not started.wait(h.DEFAULT_TIMEOUT):
            raise h.Timeout("the WebSocket backend did not start")

    def _run(self, started):
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(
            websockets.serve(self._echo, "127.0.0.1", 0, compression=None, ping_interval=None))
        self.port = self.server.sockets[0].getsockname()[1]
        started.set()
        self.loop.run_forever()

    async def _echo(self, ws, path=None):
        try:
            async for message in ws:
                await ws.send(message)
        except websockets.ConnectionClosed:
            pass
        finally:
            self.closed.set()

    def close(self):
        async def shut():
            self.server.close()
            await self.server.wait_closed()
        asyncio.run_coroutine_threadsafe(shut(), self.loop).result(timeout=h.DEFAULT_TIMEOUT)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=h.DEFAULT_TIMEOUT)
        self.loop.close()


def start_proxy_to_websocket(test, args=()):
    backend = WebSocketEchoBackend()
    test.addCleanup(backend.close)
    d = h.write_manifests(h.temp_dir(test), {"ws.yaml": h.backend_objects("ws", backend.port) + [
        h.ingress("ws", [(None, [("/", "Prefix", "ws", 80)])])]})
    log_path = os.path.join(h.temp_dir(test), "access.log")
    proxy = h.start_proxy(test, d, ["--workers", "1", "--access-log", log_path, "--access-log-format", "json",
                                    *args])
    return backend, proxy, log_path


def log_lines(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f.read().splitlines()]


def metrics(proxy):
    resp = proxy.admin("/metrics")
    assert resp.status == 200, resp
    return prom.parse(resp.text)


def run(coroutine, timeout=30):
    return asyncio.run(asyncio.wait_for(coroutine, timeout))


class TunnelTest(unittest.TestCase):
    def test_a_websocket_is_logged_when_it_closes_with_its_lifetime_and_bytes_both_ways(self):
        _, proxy, log_path = start_proxy_to_websocket(self)
        payloads = [b"hello through the proxy", os.urandom(64 * 1024), os.urandom(200 * 1024)]
        total = sum(len(p) for p in payloads)

        async def session():
            async with websockets.connect(f"ws://127.0.0.1:{proxy.http_port}/ws", **WS_OPTIONS) as ws:
                opened = time.monotonic()
                for p in payloads:
                    await ws.send(p)
                    self.assertEqual(await ws.recv(), p)
                # While it is open, another request's line is written and the tunnel's is not
                # (one worker: its lines reach the file in order).
                loop = asyncio.get_running_loop()
                status = await loop.run_in_executor(None, lambda: h.request(
                    proxy.http_port, "GET", "/plain", headers={"Host": "x"}).status)
                self.assertEqual(status, 426)  # the backend's answer to a request without Upgrade
                h.wait_for(lambda: log_lines(log_path), message="the other request's line")
                self.assertEqual([l["status"] for l in log_lines(log_path)], [status])
                m = await loop.run_in_executor(None, metrics, proxy)
                self.assertEqual(m.value("nginx_ingress_controller_requests", status="101"), 0)
                self.assertEqual(m.value("sluice_tunnels_active"), 1)
                closing = time.monotonic()
            return closing - opened, time.monotonic() - opened

        at_least, at_most = run(session())
        line = h.wait_for(lambda: [l for l in log_lines(log_path) if l["status"] == 101],
                          message="the tunnel's line")[0]
        self.assertEqual(line["upstream_status"], 101)
        self.assertEqual(line["uri"], "/ws")
        # Its lifetime, not the time to the 101 (a millisecond of rounding either way).
        self.assertGreaterEqual(line["request_time"], round(at_least, 3) - 0.001, line)
        self.assertLessEqual(line["request_time"], at_most + 0.5, line)
        # Every frame's payload, plus the heads and the frames' own few bytes.
        self.assertGreater(line["request_length"], total, line)
        self.assertLess(line["request_length"], total + 2048, line)
        self.assertGreater(line["bytes_sent"], total, line)
        self.assertLess(line["bytes_sent"], total + 2048, line)
        m = metrics(proxy)
        self.assertEqual(m.value("nginx_ingress_controller_requests", status="101"), 1)
        self.assertEqual(m.value("nginx_ingress_controller_request_size_sum", status="101"), line["request_length"])
        self.assertEqual(m.value("nginx_ingress_controller_response_size_sum", status="101"), line["bytes_sent"])
        self.assertEqual(m.value("sluice_tunnels_total"), 1)
        self.assertEqual(m.value("sluice_tunnels_active"), 0)

    def test_an_idle_tunnel_is_closed_after_tunnel_idle_timeout_and_traffic_keeps_it_open(self):
        backend, proxy, log_path = start_proxy_to_websocket(self, ["--tunnel-idle-timeout", "1s"])

        async def session():
            async with websockets.connect(f"ws://127.0.0.1:{proxy.http_port}/ws", **WS_OPTIONS) as ws:
                opened = time.monotonic()
                # A message every 0.3s for longer than the timeout: the spacing is the
                # behaviour under test, not a wait for something.
                for i in range(6):
                    await ws.send(f"tick {i}")
                    self.assertEqual(await ws.recv(), f"tick {i}")
                    idle_from = time.monotonic()  # the last byte either way
                    await asyncio.sleep(0.3)
                self.assertGreater(time.monotonic() - opened, 1.5)
                with self.assertRaises(websockets.ConnectionClosed):
                    await asyncio.wait_for(ws.recv(), 5)
                return time.monotonic() - idle_from

        idle = run(session())
        self.assertGreaterEqual(idle, 0.9)
        self.assertLess(idle, 3.0)
        self.assertTrue(backend.closed.wait(5), "the backend's side was not closed")
        line = h.wait_for(lambda: [l for l in log_lines(log_path) if l["status"] == 101],
                          message="the tunnel's line")[0]
        self.assertGreater(line["request_time"], 2.0, line)
        m = metrics(proxy)
        self.assertEqual(m.value("sluice_tunnel_idle_timeouts_total"), 1)
        self.assertEqual(m.value("sluice_tunnels_active"), 0)

    def test_a_tunnel_outlives_the_upstream_read_timeout(self):
        # The tunnel has its own timeout (default 1h): the backend's read timeout does not apply.
        _, proxy, _ = start_proxy_to_websocket(self, ["--upstream-read-timeout", "1s"])

        async def session():
            async with websockets.connect(f"ws://127.0.0.1:{proxy.http_port}/ws", **WS_OPTIONS) as ws:
                await ws.send("before")
                self.assertEqual(await ws.recv(), "before")
                await asyncio.sleep(1.6)  # idle past --upstream-read-timeout: the behaviour under test
                await ws.send("after")
                self.assertEqual(await asyncio.wait_for(ws.recv(), 5), "after")

        run(session())
        self.assertEqual(metrics(proxy).value("sluice_tunnel_idle_timeouts_total"), 0)

    def test_a_websocket_over_https_is_logged_at_close_with_its_bytes(self):
        _, proxy, log_path = start_proxy_to_websocket(self)
        payload = os.urandom(100 * 1024)
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE

        async def session():
            async with websockets.connect(f"wss://127.0.0.1:{proxy.https_port}/secure", ssl=context,
                                          **WS_OPTIONS) as ws:
                await ws.send(payload)
                self.assertEqual(await ws.recv(), payload)

        run(session())
        line = h.wait_for(lambda: [l for l in log_lines(log_path) if l["status"] == 101],
                          message="the tunnel's line")[0]
        self.assertEqual((line["uri"], line["scheme"]), ("/secure", "https"))
        self.assertGreater(line["request_length"], len(payload), line)
        self.assertGreater(line["bytes_sent"], len(payload), line)


if __name__ == "__main__":
    unittest.main()
