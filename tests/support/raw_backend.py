"""A backend that records the exact bytes it receives and answers with scripted bytes.

Request-smuggling tests need to see what left the proxy, byte for byte, and to
send responses that no well-behaved server would (a body after a 204, two
Content-Lengths, ...). `sluice echo` parses and normalises; this does neither.

Each accepted connection is read until the peer goes quiet or closes, so a
test sees every byte the proxy sent on it, including any smuggled second
request. The response is produced by `respond(request_bytes) -> bytes`, called
once a complete head has arrived (and, when the head announces a body, once
that body is all there); it may return None to answer nothing and close,
or (bytes, True) to close after sending them.
"""

import re
import socket
import threading
import time
import unittest

import harness as h

_CONTENT_LENGTH = re.compile(rb"^content-length:[ \t]*([0-9]+)[ \t]*\r?$", re.I | re.M)
_CHUNKED = re.compile(rb"^transfer-encoding:.*chunked[ \t]*\r?$", re.I | re.M)


def _chunked_body_end(data, pos):
    """Where a chunked body starting at pos ends (after its trailers), or None."""
    while True:
        line_end = data.find(b"\r\n", pos)
        if line_end < 0:
            return None
        size = int(data[pos:line_end].split(b";")[0].strip() or b"0", 16)
        pos = line_end + 2
        if size == 0:
            trailers_end = data.find(b"\r\n\r\n", pos - 2)
            return None if trailers_end < 0 else trailers_end + 4
        if len(data) < pos + size + 2:
            return None
        pos += size + 2


def _complete_request_end(data):
    """Where the first request in data ends, or None if it is not all there."""
    head_end = data.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    head = data[:head_end + 2]
    body_start = head_end + 4
    if _CHUNKED.search(head):
        return _chunked_body_end(data, body_start)
    m = _CONTENT_LENGTH.search(head)
    length = int(m.group(1)) if m else 0
    return body_start + length if len(data) >= body_start + length else None


class RawBackend:
    """Listens on 127.0.0.1:0; `connections` lists the bytes received on each connection."""

    def __init__(self, respond=None, quiet_seconds=0.3, close_after_response=False):
        self.respond = respond or (lambda req: b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        self.quiet_seconds = quiet_seconds
        self.close_after_response = close_after_response
        self.connections = []
        self._arrivals = b""  # every connection's bytes, in the order they arrived
        self._lock = threading.Lock()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._closed = False
        self._threads = []
        self._accept_thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._accept_thread.start()

    def _accept_loop(self):
        while not self._closed:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                index = len(self.connections)
                self.connections.append(b"")
            t = threading.Thread(target=self._serve, args=(conn, index), daemon=True)
            t.start()
            self._threads.append(t)

    def _serve(self, conn, index):
        pending = b""
        with conn:
            conn.settimeout(self.quiet_seconds)
            while not self._closed:
                try:
                    chunk = conn.recv(65536)
                except socket.timeout:
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                with self._lock:
                    self.connections[index] += chunk
                    self._arrivals += chunk
                pending += chunk
                while True:
                    end = _complete_request_end(pending)
                    if end is None:
                        break
                    request, pending = pending[:end], pending[end:]
                    answer = self.respond(request)
                    close = self.close_after_response
                    if isinstance(answer, tuple):
                        answer, close = answer
                    try:
                        if answer is None:
                            return
                        conn.sendall(answer)
                        if close:
                            conn.shutdown(socket.SHUT_WR)
                            return
                    except OSError:
                        return

    def received(self):
        """All bytes received on every connection, in the order they arrived."""
        with self._lock:
            return self._arrivals

    def wait_quiet(self, seconds=0.5, timeout=5.0):
        """Waits until nothing new arrived for `seconds` (bounded by timeout): the proxy is done."""
        deadline = time.monotonic() + timeout
        last = self.received()
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.02)
            now = self.received()
            if now != last:
                last, quiet_since = now, time.monotonic()
            elif time.monotonic() - quiet_since >= seconds:
                break
        return last

    def close(self):
        self._closed = True
        try:
            self._listener.close()
        except OSError:
            pass
        for t in self._threads:
            t.join(timeout=2)


def request_heads(data):
    """The request lines and header lists found in raw bytes received by a backend.

    Parses as a strict backend would (CRLF lines, Content-Length or chunked
    bodies), so a smuggled second request shows up as a second entry.
    """
    heads = []
    while data:
        end = data.find(b"\r\n\r\n")
        if end < 0:
            break
        lines = data[:end].decode("latin-1").split("\r\n")
        headers = [(k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in lines[1:])]
        heads.append((lines[0], headers))
        request_end = _complete_request_end(data)
        if request_end is None:
            break
        data = data[request_end:]
    return heads


def raw_route_objects(port):
    """Host raw.test routed to a RawBackend on 127.0.0.1:port."""
    return h.backend_objects("raw", port) + [
        h.ingress("raw", [("raw.test", [("/", "Prefix", "raw", 80)])])]


class RawBackendCase(unittest.TestCase):
    """A proxy in front of a RawBackend: tests see the exact bytes that left the proxy."""

    proxy_args = ["--client-header-timeout", "30s"]

    @classmethod
    def respond(cls, request):
        return b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

    @classmethod
    def setUpClass(cls):
        cls.raw = RawBackend(respond=lambda req: cls.respond(req))
        try:
            cls.fx = h.ProxyFixture(args=cls.proxy_args,
                                    extra_objects=lambda fx: raw_route_objects(cls.raw.port)).start()
        except BaseException:
            cls.raw.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.fx.close()
        cls.raw.close()

    def client(self):
        c = self.fx.proxy.connect(timeout=5)
        self.addCleanup(c.close)
        return c

    def sent_to_backend(self, raw_request):
        """Sends raw_request, returns (response or None if closed, bytes the backend got for it)."""
        before = len(self.raw.received())
        with self.client() as c:
            try:
                c.send(raw_request)
            except (BrokenPipeError, ConnectionResetError):
                pass
            try:
                resp = c.read_response(timeout=5)
            except h.ConnectionClosed:
                resp = None
            closed = c.is_closed(timeout=3)
        got = self.raw.wait_quiet(seconds=0.3)[before:]
        return resp, got, closed

    def assert_refused_unforwarded(self, raw_request, label, status=400):
        resp, got, closed = self.sent_to_backend(raw_request)
        self.assertIsNotNone(resp, f"{label}: no answer")
        self.assertEqual(resp.status, status, f"{label}: {resp!r}")
        self.assertTrue(closed, f"{label}: connection left open")
        self.assertEqual(got, b"", f"{label}: the backend received {got!r}")

    def assert_forwarded_once(self, raw_request, label):
        """200 from the backend, which saw exactly one request; returns that request's head."""
        resp, got, _ = self.sent_to_backend(raw_request)
        self.assertIsNotNone(resp, f"{label}: no answer")
        self.assertEqual(resp.status, 200, f"{label}: {resp!r}")
        heads = request_heads(got)
        self.assertEqual(len(heads), 1, f"{label}: the backend saw {got!r}")
        return heads[0], got

