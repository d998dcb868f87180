"""Helpers for sluice's integration tests (Python 3 standard library only).

Processes are started with bounded lifetimes and are always cleaned up: each
test registers a cleanup, and an atexit hook kills whatever is left. Servers
bind port 0 and report the real port in a `listening` log line, which is how
tests find them. Tests wait for conditions with deadlines, never for fixed
sleeps.

Environment: SLUICE_BIN (the binary), SLUICE_REPO (the source tree),
SLUICE_SANITIZED (1/0: override detecting a sanitized binary),
SLUICE_TIMEOUT_SCALE (multiplies the default deadline; 3 for a sanitized
binary unless given).

A sanitized sluice (-DSLUICE_SANITIZE=...) is stopped with SIGTERM at cleanup,
so LeakSanitizer runs at exit, and every process's stderr and exit status are
checked when it is closed: a sanitizer report fails the test that started it.
"""

import atexit
import http.client
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.environ.get("SLUICE_REPO") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("SLUICE_BIN") or os.path.join(REPO, "build", "sluice")



def _binary_is_sanitized(path):
    """True when the binary carries a sanitizer runtime (ASan/UBSan/TSan hooks)."""
    forced = os.environ.get("SLUICE_SANITIZED")
    if forced is not None:
        return forced not in ("", "0")
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return False
    return any(sym in data for sym in (b"__asan_init", b"__tsan_init", b"__ubsan_handle_"))


SANITIZED = _binary_is_sanitized(BIN)

# A sanitized binary runs several times slower: deadlines stretch by this much
# (what a test asserts stays the same; it only waits longer for it).
TIMEOUT_SCALE = float(os.environ.get("SLUICE_TIMEOUT_SCALE") or (3.0 if SANITIZED else 1.0))

# Default deadline for anything a test waits on.
DEFAULT_TIMEOUT = 10.0 * TIMEOUT_SCALE

# What the runtimes print (tests/sanitizers/default_options.cc sets the codes).
_SANITIZER_REPORT = re.compile(
    r"ERROR: (AddressSanitizer|LeakSanitizer|ThreadSanitizer)|WARNING: ThreadSanitizer|"
    r"runtime error: |SUMMARY: (Address|Leak|Thread|Undefined(Behavior)?)Sanitizer")
SANITIZER_EXIT_CODES = (86, 66)

_LISTENING = re.compile(r"\blistening\b.*\blistener=(\S+).*\baddress=(\S+)")
_LISTENING_JSON_KEYS = ("listener", "address")

_live_processes = []
_live_dirs = []


def _cleanup_everything():
    for proc in list(_live_processes):
        try:
            proc.kill()
        except SanitizerReport as e:  # nothing left to fail at exit: print it
            print(e, file=sys.stderr)
    for d in list(_live_dirs):
        shutil.rmtree(d, ignore_errors=True)


atexit.register(_cleanup_everything)


# --- waiting ----------------------------------------------------------------

class Timeout(AssertionError):
    pass


class SanitizerReport(AssertionError):
    """A sanitized process printed a report or exited with a sanitizer's exit code."""


def sanitizer_report(name, stderr_text, returncode):
    """The report text when stderr or the exit code shows a sanitizer finding, else None."""
    lines = stderr_text.splitlines()
    first = next((i for i, line in enumerate(lines) if _SANITIZER_REPORT.search(line)), None)
    if first is None and returncode not in SANITIZER_EXIT_CODES:
        return None
    shown = lines[first:first + 200] if first is not None else lines[-30:]
    return (f"{name} (rc={returncode}) reported a sanitizer finding:\n" + "\n".join(shown))


def check_sanitizer(name, stderr_text, returncode):
    """Raises SanitizerReport when the output shows a finding."""
    report = sanitizer_report(name, stderr_text, returncode)
    if report:
        raise SanitizerReport(report)


def wait_for(condition, timeout=DEFAULT_TIMEOUT, interval=0.01, message="condition"):
    """Calls condition() until it returns something truthy; returns that value.

    Exceptions raised by condition count as "not yet". Raises Timeout with the
    last exception (if any) after `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = condition()
            if value:
                return value
        except Exception as e:  # noqa: BLE001 - "not yet" includes refused connections
            last_error = e
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error!r})" if last_error else ""
            raise Timeout(f"timed out after {timeout}s waiting for {message}{detail}")
        time.sleep(interval)


# --- processes --------------------------------------------------------------

class Process:
    """A child process whose stderr is collected line by line in the background."""

    def __init__(self, args, env=None, cwd=None, name=None, stdout=subprocess.DEVNULL):
        self.args = [str(a) for a in args]
        self.name = name or os.path.basename(self.args[0])
        full_env = dict(os.environ)
        if env:
            full_env.update(env)
        self.lines = []
        self._cond = threading.Condition()
        self._eof = False
        self.popen = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=stdout,
                                      stderr=subprocess.PIPE, env=full_env, cwd=cwd)
        self.pid = self.popen.pid
        _live_processes.append(self)
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()

    def _read_stderr(self):
        for raw in iter(self.popen.stderr.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._cond:
                self.lines.append(line)
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def stderr_text(self):
        with self._cond:
            return "\n".join(self.lines)

    def wait_for_line(self, pattern, timeout=DEFAULT_TIMEOUT, start=0):
        """Returns the re.Match of the first stderr line (from index `start`) matching pattern."""
        return self._wait_for_line(pattern, timeout, start)[1]

    def _wait_for_line(self, pattern, timeout, start):
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            i = start
            while True:
                while i < len(self.lines):
                    m = regex.search(self.lines[i])
                    if m:
                        return i, m
                    i += 1
                if self._eof:
                    raise Timeout(f"{self.name} exited (rc={self.popen.poll()}) before logging "
                                  f"/{pattern}/; stderr:\n" + "\n".join(self.lines[-30:]))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise Timeout(f"{self.name} did not log /{pattern}/ within {timeout}s; "
                                  f"stderr:\n" + "\n".join(self.lines[-30:]))
                self._cond.wait(remaining)

    def listening(self, listener, timeout=DEFAULT_TIMEOUT):
        """(host, port) from the `listening listener=<listener> address=ip:port` line."""
        deadline = time.monotonic() + timeout
        start = 0
        while True:
            idx, m = self._wait_for_line(r"listening", max(0.0, deadline - time.monotonic()), start)
            start = idx + 1
            parsed = parse_listening_line(m.string)
            if parsed and parsed[0] == listener:
                return split_address(parsed[1])

    def alive(self):
        return self.popen.poll() is None

    def send_signal(self, sig):
        if self.alive():
            self.popen.send_signal(sig)

    def wait(self, timeout=DEFAULT_TIMEOUT):
        """Waits for exit; returns the exit code (kills and fails after timeout)."""
        try:
            rc = self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise Timeout(f"{self.name} did not exit within {timeout}s")
        self._reader.join(timeout=2)
        return rc

    def stop(self, sig=signal.SIGTERM, timeout=DEFAULT_TIMEOUT):
        """Sends sig and waits for exit; returns the exit code."""
        self.send_signal(sig)
        return self.wait(timeout)

    def kill(self):
        """Ends the process (cleanup); raises SanitizerReport if it reported a finding.

        A sanitized process gets SIGTERM first, so its leak check runs at exit;
        one that does not exit in time (a request left in its grace period) is
        killed, and only its stderr is checked.
        """
        if self.popen.poll() is None and SANITIZED:
            self.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=DEFAULT_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass
        if self.popen.poll() is None:
            try:
                self.popen.kill()
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        if self.popen.stderr and self._reader.is_alive():
            self._reader.join(timeout=2)
        if self.popen.stderr:
            self.popen.stderr.close()
        if self in _live_processes:
            _live_processes.remove(self)
            check_sanitizer(self.name, self.stderr_text(), self.popen.poll())

    def rss_kib(self):
        """VmRSS of the process in KiB, from /proc/PID/status."""
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS")


def parse_listening_line(line):
    """(listener, address) from a text or JSON `listening` log line, else None."""
    line = line.strip()
    if line.startswith("{"):
        try:
            obj = json.loads(line)
        except ValueError:
            return None
        if obj.get("msg") == "listening" and all(k in obj for k in _LISTENING_JSON_KEYS):
            return obj["listener"], obj["address"]
        return None
    m = _LISTENING.search(line)
    return (m.group(1), m.group(2).strip('"')) if m else None


def split_address(address):
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)


def start_process(test, args, **kwargs):
    """Starts a Process and registers its cleanup on a unittest.TestCase (or None)."""
    proc = Process(args, **kwargs)
    if test is not None:
        test.addCleanup(proc.kill)
    return proc


class Echo:
    """A running `sluice echo` backend."""

    def __init__(self, proc, host, port, name):
        self.proc, self.host, self.port, self.name = proc, host, port, name

    @property
    def address(self):
        return f"{self.host}:{self.port}"

    def stop(self):
        return self.proc.stop()


def start_echo(test, name, listen="127.0.0.1:0", threads=None, timeout=DEFAULT_TIMEOUT):
    args = [BIN, "echo", "--listen", listen, "--name", name]
    if threads:
        args += ["--threads", str(threads)]
    proc = start_process(test, args, name=f"echo[{name}]")
    host, port = proc.listening("echo", timeout=timeout)
    return Echo(proc, host, port, name)


class Proxy:
    """A running `sluice --manifests DIR` with its http and admin ports."""

    https_port = None

    def __init__(self, proc, http_port, admin_port):
        self.proc, self.http_port, self.admin_port = proc, http_port, admin_port

    def get(self, path, headers=None, port=None, timeout=DEFAULT_TIMEOUT):
        return request(port or self.http_port, "GET", path, headers=headers, timeout=timeout)

    def admin(self, path, timeout=DEFAULT_TIMEOUT):
        return request(self.admin_port, "GET", path, timeout=timeout)

    def connect(self, timeout=DEFAULT_TIMEOUT):
        return RawClient(self.http_port, timeout=timeout)


def start_proxy(test, manifests, args=(), ready=True, timeout=DEFAULT_TIMEOUT):
    """Starts the proxy on free ports; by default waits until /readyz answers 200."""
    cmd = [BIN, "--manifests", manifests, "--http-listen", "127.0.0.1:0",
           "--admin-listen", "127.0.0.1:0", *args]
    if not any(a.startswith("--https-listen") for a in args):
        cmd += ["--https-listen", "127.0.0.1:0"]  # never the default 0.0.0.0:8443
    proc = start_process(test, cmd, name="sluice")
    _, http_port = proc.listening("http", timeout=timeout)
    _, admin_port = proc.listening("admin", timeout=timeout)
    proxy = Proxy(proc, http_port, admin_port)
    if cmd[cmd.index("--https-listen") + 1] != "off":
        _, proxy.https_port = proc.listening("https", timeout=timeout)
    if ready:
        wait_for(lambda: proxy.admin("/readyz", timeout=1).status == 200, timeout=timeout,
                 message="proxy /readyz")
    return proxy


def run(args, timeout=DEFAULT_TIMEOUT, env=None):
    """Runs a command to completion; returns CompletedProcess with text stdout/stderr."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    result = subprocess.run([str(a) for a in args], stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, timeout=timeout, env=full_env)
    check_sanitizer(os.path.basename(str(args[0])), result.stderr, result.returncode)
    return result


def free_port():
    """A port that was free a moment ago (for tools that cannot take port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def closed_port():
    """A port with nothing listening on it (connections are refused)."""
    return free_port()


def tcp_connections_to(port):
    """Number of ESTABLISHED TCP connections whose remote port is `port` (from /proc/net)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    remote, state = fields[2], fields[3]
                    if state == "01" and int(remote.rsplit(":", 1)[1], 16) == port:
                        count += 1
        except FileNotFoundError:
            pass
    return count


# --- temp folders and manifests ---------------------------------------------

def temp_dir(test=None, prefix="sluice-test-"):
    d = tempfile.mkdtemp(prefix=prefix)
    _live_dirs.append(d)
    if test is not None:
        test.addCleanup(shutil.rmtree, d, True)
    return d


def write_file(path, text, atomic=True):
    """Writes text to path; atomically (write a hidden temp file, then rename) by default."""
    if not atomic:
        with open(path, "w") as f:
            f.write(text)
        return
    directory, base = os.path.split(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{base}.", suffix=".tmp", dir=directory)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def to_yaml(value, indent=0):
    """A small YAML emitter for dicts, lists, strings, numbers and booleans."""
    pad = "  " * indent
    if isinstance(value, dict):
        if not value:
            return pad + "{}\n"
        out = []
        for k, v in value.items():
            if isinstance(v, (dict, list)) and v:
                out.append(f"{pad}{k}:\n{to_yaml(v, indent + 1)}")
            else:
                out.append(f"{pad}{k}: {_scalar(v)}\n")
        return "".join(out)
    if isinstance(value, list):
        if not value:
            return pad + "[]\n"
        out = []
        for item in value:
            text = to_yaml(item, indent + 1)
            out.append(f"{pad}- {text.lstrip()}")
        return "".join(out)
    return pad + _scalar(value) + "\n"


def _scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, dict):
        return "{}"
    if isinstance(v, list):
        return "[]"
    return json.dumps(str(v))  # a JSON string is a valid double-quoted YAML scalar


def yaml_documents(objects):
    return "---\n".join(to_yaml(o) for o in objects)


def service(name, port=80, target_port=None, port_name="http", namespace="default",
            external_name=None):
    spec = {"ports": [{"name": port_name, "port": port, "protocol": "TCP",
                       "targetPort": target_port if target_port is not None else port}]}
    if external_name:
        spec = {"type": "ExternalName", "externalName": external_name, **spec}
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": namespace}, "spec": spec}


def endpoint_slice(service_name, port, addresses=("127.0.0.1",), port_name="http", ready=True,
                   namespace="default", name=None):
    endpoints = [{"addresses": [a], "conditions": {"ready": ready}} for a in addresses]
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": name or f"{service_name}-1", "namespace": namespace,
                         "labels": {"kubernetes.io/service-name": service_name}},
            "addressType": "IPv4",
            "ports": [{"name": port_name, "port": port, "protocol": "TCP"}],
            "endpoints": endpoints}


def ingress(name, rules, ingress_class="sluice", namespace="default", annotations=None):
    """rules: list of (host or None, [(path, path_type, service, port), ...])."""
    spec_rules = []
    for host, paths in rules:
        rule = {}
        if host:
            rule["host"] = host
        rule["http"] = {"paths": [
            {"path": path, "pathType": path_type,
             "backend": {"service": {"name": svc, "port": {"number": port}}}}
            for path, path_type, svc, port in paths]}
        spec_rules.append(rule)
    spec = {"rules": spec_rules}
    if ingress_class:
        spec = {"ingressClassName": ingress_class, **spec}
    metadata = {"name": name, "namespace": namespace}
    if annotations:
        metadata["annotations"] = annotations
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": metadata, "spec": spec}


def backend_objects(name, echo_port, ready=True):
    """Service `name` (port 80, name http) plus its EndpointSlice at 127.0.0.1:echo_port."""
    return [service(name, 80, echo_port), endpoint_slice(name, echo_port, ready=ready)]


def classic_routes(path_based="tkng-1", host_based="tkng-2"):
    """The walkthrough's Ingresses: /dev and /prod by path, dev and prod by host."""
    return [
        ingress(path_based, [(None, [("/dev", "Prefix", "dev", 80),
                                     ("/prod", "Prefix", "prod", 80)])]),
        ingress(host_based, [("dev", [("/", "Prefix", "dev", 80)]),
                             ("prod", [("/", "Prefix", "prod", 80)])]),
    ]


def one_route_manifests(test):
    """A manifests folder routing every path to one `sluice echo` (dev-1); stopped with the test."""
    echo = start_echo(test, "dev-1")
    return write_manifests(temp_dir(test), {"all.yaml": backend_objects("dev", echo.port) +
                                            [ingress("web", [(None, [("/", "Prefix", "dev", 80)])])]})


def write_manifests(directory, files):
    """files: {filename: [objects] or str}; writes each as (multi-document) YAML."""
    for filename, content in files.items():
        text = content if isinstance(content, str) else yaml_documents(content)
        write_file(os.path.join(directory, filename), text)
    return directory


# --- HTTP: http.client helpers -----------------------------------------------

class Response:
    """A parsed HTTP response: status, reason, headers [(name, value)], body bytes."""

    def __init__(self, status, reason, headers, body, version="HTTP/1.1"):
        self.status, self.reason, self.headers, self.body = status, reason, headers, body
        self.version = version

    def header(self, name, default=None):
        lname = name.lower()
        for k, v in self.headers:
            if k.lower() == lname:
                return v
        return default

    def header_all(self, name):
        lname = name.lower()
        return [v for k, v in self.headers if k.lower() == lname]

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)

    def echo_fields(self):
        """The plain-text echo body as a dict {"Server name": ..., "URI": ...}."""
        fields = {}
        for line in self.text.splitlines():
            k, sep, v = line.partition(": ")
            if sep:
                fields[k] = v
        return fields

    def __repr__(self):
        return f"<Response {self.status} {self.reason} {self.headers!r} {self.body[:200]!r}>"


def request(port, method, path, headers=None, body=None, host="127.0.0.1",
            timeout=DEFAULT_TIMEOUT):
    """One request on a fresh http.client connection; returns a Response."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_host="Host" in (headers or {}),
                        skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        if body is not None and not any(k.lower() in ("content-length", "transfer-encoding")
                                        for k in (headers or {})):
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        return Response(resp.status, resp.reason, resp.getheaders(), data)
    finally:
        conn.close()


def get_json(port, path, headers=None, **kwargs):
    """GET with Accept: application/json; returns (Response, parsed echo JSON)."""
    h = {"Accept": "application/json", **(headers or {})}
    resp = request(port, "GET", path, headers=h, **kwargs)
    return resp, (resp.json() if resp.status == 200 else None)


def echo_headers(echo_json, name):
    """Values of request header `name` (any case) as the echo backend saw them."""
    lname = name.lower()
    return [v for k, v in echo_json["headers"] if k.lower() == lname]


# --- HTTP: raw sockets, for framing tests -------------------------------------

class ConnectionClosed(Exception):
    pass


class RawClient:
    """One TCP connection; send exact bytes, read responses with deadlines."""

    def __init__(self, port, host="127.0.0.1", timeout=DEFAULT_TIMEOUT):
        self.timeout = timeout
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("latin-1")
        self.sock.sendall(data)

    def shutdown_write(self):
        self.sock.shutdown(socket.SHUT_WR)

    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout("read deadline passed")
        self.sock.settimeout(remaining)
        chunk = self.sock.recv(256 * 1024)
        if not chunk:
            raise ConnectionClosed("connection closed by peer")
        self.buf += chunk

    def _read_line(self, deadline):
        while b"\r\n" not in self.buf:
            self._fill(deadline)
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line

    def read_exact(self, n, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        while len(self.buf) < n:
            self._fill(deadline)
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read_head(self, timeout=None):
        """Reads a status line and headers; returns (version, status, reason, headers)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while b"\r\n\r\n" not in self.buf:
            self._fill(deadline)
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        version, status, reason = (lines[0].split(" ", 2) + [""])[:3]
        headers = []
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers.append((k, v.strip()))
        return version, int(status), reason, headers

    def read_response(self, head_request=False, timeout=None, skip_interim=True,
                      body_sink=None):
        """Reads one response. Interim 1xx responses are skipped unless skip_interim=False.

        body_sink(bytes) receives the body in pieces instead of keeping it (for huge bodies);
        the returned Response then has body=b"" and attribute body_length.
        """
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            version, status, reason, headers = self.read_head(max(0.001, deadline - time.monotonic()))
            if 100 <= status < 200 and status != 101 and skip_interim:
                continue
            break
        resp = Response(status, reason, headers, b"", version)
        length = 0
        parts = []

        def take(piece):
            nonlocal length
            length += len(piece)
            if body_sink:
                body_sink(piece)
            else:
                parts.append(piece)

        te = (resp.header("Transfer-Encoding") or "").lower()
        cl = resp.header("Content-Length")
        if head_request or status in (204, 304) or 100 <= status < 200:
            pass
        elif "chunked" in te:
            while True:
                size_line = self._read_line(deadline)
                size = int(size_line.split(b";")[0].strip(), 16)
                if size == 0:
                    while self._read_line(deadline):  # trailers end with an empty line
                        pass
                    break
                self._take_exact(size, deadline, take)
                if self._read_line(deadline) != b"":
                    raise ValueError("chunk not followed by CRLF")
        elif cl is not None:
            self._take_exact(int(cl), deadline, take)
        else:
            while True:  # close-delimited
                try:
                    self._fill(deadline)
                except ConnectionClosed:
                    break
                take(self.buf)
                self.buf = b""
            if self.buf:
                take(self.buf)
                self.buf = b""
        resp.body = b"".join(parts)
        resp.body_length = length
        return resp

    def _take_exact(self, n, deadline, take):
        while n > 0:
            if not self.buf:
                self._fill(deadline)
            piece = self.buf[:n]
            self.buf = self.buf[len(piece):]
            n -= len(piece)
            take(piece)

    def request(self, method, path, headers=(), body=b"", head_request=None, timeout=None):
        """Sends one request (headers: list of (name, value) in order) and reads the response."""
        self.send(build_request(method, path, headers, body))
        return self.read_response(head_request=(method == "HEAD") if head_request is None
                                  else head_request, timeout=timeout)

    def wait_readable(self, timeout):
        """True when bytes (or EOF) are ready to read within timeout seconds."""
        if self.buf:
            return True
        readable, _, _ = select.select([self.sock], [], [], timeout)
        return bool(readable)

    def is_closed(self, timeout=None):
        """True when the peer closes (EOF or reset) within the timeout without sending more."""
        deadline = time.monotonic() + (timeout or self.timeout)
        if self.buf:
            return False
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self.sock.settimeout(remaining)
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self.buf += chunk
                return False
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False


def build_request(method, path, headers=(), body=b"", version="HTTP/1.1"):
    """Exact request bytes; adds Content-Length when a body is given without framing headers."""
    if isinstance(headers, dict):
        headers = list(headers.items())
    headers = list(headers)
    names = {k.lower() for k, _ in headers}
    if isinstance(body, str):
        body = body.encode()
    if body and "content-length" not in names and "transfer-encoding" not in names:
        headers.append(("Content-Length", str(len(body))))
    head = f"{method} {path} {version}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return head.encode("latin-1") + body


def chunked(*pieces, trailers=()):
    """A chunked body of the given pieces."""
    out = b""
    for p in pieces:
        if isinstance(p, str):
            p = p.encode()
        out += f"{len(p):x}\r\n".encode() + p + b"\r\n"
    out += b"0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in trailers).encode() + b"\r\n"
    return out


# The body `X-Echo-Body-Bytes: N` produces: byte i is ECHO_BODY_ALPHABET[i % 64].
ECHO_BODY_ALPHABET = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_"


def echo_body(n):
    reps = n // 64 + 1
    return (ECHO_BODY_ALPHABET * reps)[:n]


class EchoBodyChecker:
    """A body_sink that checks a streamed echo body against the pattern in constant memory."""

    _pattern = ECHO_BODY_ALPHABET * (1 + 262144 // 64) * 2

    def __init__(self):
        self.offset = 0
        self.ok = True

    def __call__(self, piece):
        pos = 0
        while pos < len(piece):
            start = self.offset % 64
            n = min(len(piece) - pos, 262144)
            if piece[pos:pos + n] != self._pattern[start:start + n]:
                self.ok = False
            pos += n
            self.offset += n


class RssSampler:
    """Samples a process's VmRSS in a background thread; .peak_kib after stop()."""

    def __init__(self, proc, interval=0.02):
        self.proc, self.interval = proc, interval
        self.start_kib = proc.rss_kib()
        self.peak_kib = self.start_kib
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.wait(self.interval):
            try:
                self.peak_kib = max(self.peak_kib, self.proc.rss_kib())
            except (OSError, RuntimeError):
                return

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=2)
        return self.peak_kib - self.start_kib


# --- a whole setup: two echo backends, manifests, a proxy ----------------------

class ProxyFixture:
    """Echo backends `dev` and `prod`, the classic Ingresses, and a proxy in front.

    Meant for setUpClass/tearDownClass: fixture = ProxyFixture(args=[...]).start(); ...
    fixture.close(). extra_objects(fixture) may return more objects for extra.yaml.
    """

    def __init__(self, args=(), extra_objects=None, dev_name="dev-6b8f5d7c9-x2k4p",
                 prod_name="prod-7c9d6f8b5-q8w3z", routes=None):
        self.args = list(args)
        self.extra_objects = extra_objects
        self.dev_name, self.prod_name = dev_name, prod_name
        self.routes = routes
        self.dev = self.prod = self.proxy = None
        self.dir = None

    def start(self):
        try:
            self.dev = start_echo(None, self.dev_name)
            self.prod = start_echo(None, self.prod_name)
            self.dir = temp_dir(None)
            files = {
                "backends.yaml": backend_objects("dev", self.dev.port) +
                                 backend_objects("prod", self.prod.port),
                "ingress.yaml": self.routes if self.routes is not None else classic_routes(),
            }
            if self.extra_objects:
                files["extra.yaml"] = self.extra_objects(self)
            write_manifests(self.dir, files)
            self.proxy = start_proxy(None, self.dir, self.args)
        except BaseException:
            self.close()
            raise
        return self

    def path(self, name):
        return os.path.join(self.dir, name)

    def close(self):
        reports = []
        for p in (self.proxy, self.dev, self.prod):
            if p is not None:
                try:
                    p.proc.kill()
                except SanitizerReport as e:
                    reports.append(str(e))
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
        if reports:
            raise SanitizerReport("\n\n".join(reports))
