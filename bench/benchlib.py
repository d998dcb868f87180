"""Shared helpers for bench/compare, bench/churn and bench/scale (Python 3 stdlib).

Processes started here are killed on exit (by their own pid, never by name).
Every load run is bounded in time. Ports: sluice binds port 0 and reports the
real port; nginx and HAProxy get a port that was free a moment before.
"""

import atexit
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
sys.path.insert(0, os.path.join(REPO, "tests", "support"))
import harness as h  # noqa: E402  (YAML/manifest helpers, Process with stderr capture)

CLK_TCK = os.sysconf("SC_CLK_TCK")
# nginx and haproxy live in /usr/sbin, which a non-login PATH may lack.
for _dir in ("/usr/sbin", "/sbin"):
    if _dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.environ.get("PATH", "") + os.pathsep + _dir
BUILD_DIR = os.path.join(REPO, "build-bench")
BUILD_COMMAND = [
    ["cmake", "-S", REPO, "-B", BUILD_DIR, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
     # Release, like the brief; -Werror off because GCC 12's -O3 -Wrestrict false
     # positive in controller/translate/rule_validation.cc stops the build (see RESULTS.md).
     "-DSLUICE_WERROR=OFF", "-DSLUICE_BUILD_TESTS=OFF",
     # the allocation counters are for tests; they cost the frame hook (CMakeLists.txt)
     "-DSLUICE_COUNT_ALLOCATIONS=OFF"],
    ["cmake", "--build", BUILD_DIR, "-j2"],
]


def say(*parts):
    """Progress to stderr (results go to stdout)."""
    print(*parts, file=sys.stderr, flush=True)


# --- the binary ---------------------------------------------------------------

def sluice_binary(build=True):
    """SLUICE_BIN if set; otherwise builds build-bench/ (Release) and returns its sluice."""
    env_bin = os.environ.get("SLUICE_BIN")
    if env_bin:
        if not os.access(env_bin, os.X_OK):
            sys.exit(f"SLUICE_BIN={env_bin} is not an executable")
        return env_bin
    if build:
        for cmd in BUILD_COMMAND:
            say("+ " + " ".join(cmd))
            out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if out.returncode != 0:
                sys.stderr.write(out.stdout[-4000:])
                sys.exit("building sluice failed")
    path = os.path.join(BUILD_DIR, "sluice")
    if not os.access(path, os.X_OK):
        sys.exit(f"no sluice binary at {path}")
    return path


def help_text(binary):
    try:
        return subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""


def has_flag(binary, flag):
    return re.search(r"(^|\s)" + re.escape(flag) + r"(\s|=|$)", help_text(binary), re.M) is not None


# --- tools --------------------------------------------------------------------

TOOLS = {"nginx": "nginx-light", "haproxy": "haproxy", "wrk": "wrk"}


def missing_tools(names=TOOLS):
    return [n for n in names if shutil.which(n) is None]


def ensure_tools(install=True):
    """apt-get installs nginx-light, haproxy and wrk when any is missing."""
    missing = missing_tools()
    if not missing:
        return
    packages = [TOOLS[n] for n in missing]
    if not install:
        sys.exit(f"missing {', '.join(missing)}: apt-get install {' '.join(packages)}")
    if os.geteuid() != 0:
        sys.exit(f"missing {', '.join(missing)}; run as root or: sudo apt-get install -y {' '.join(packages)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    say("+ " + " ".join(cmd))
    if subprocess.run(cmd, env=env).returncode != 0:
        say("+ apt-get update")
        subprocess.run(["apt-get", "update"], env=env, check=False)
        subprocess.run(cmd, env=env, check=True)
    still = missing_tools()
    if still:
        sys.exit(f"still missing after apt-get: {', '.join(still)}")


def tool_versions():
    def first_line(cmd):
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
            return (r.stdout + r.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "unavailable"
    return {
        "nginx": first_line(["nginx", "-v"]),
        "haproxy": first_line(["haproxy", "-v"]),
        "wrk": first_line(["wrk", "-v"]),
    }


def machine():
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"cores": os.cpu_count(), "cpu": model, "kernel": os.uname().release,
            "loadavg": load_average()}


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


# --- pinning ------------------------------------------------------------------

class Pinning:
    """The proxy alone on core 0; load generator and upstream on core 1."""

    def __init__(self, enabled=True):
        cores = sorted(os.sched_getaffinity(0))
        self.enabled = enabled and len(cores) >= 2 and shutil.which("taskset") is not None
        if self.enabled:
            self.proxy_core, self.load_core = cores[0], cores[1]

    def proxy(self):
        return ["taskset", "-c", str(self.proxy_core)] if self.enabled else []

    def load(self):
        return ["taskset", "-c", str(self.load_core)] if self.enabled else []

    def pin_self_to_load_core(self):
        """This Python process (its probe and writer threads) onto the load core; children
        started with proxy() are re-pinned by taskset."""
        if self.enabled:
            os.sched_setaffinity(0, {self.load_core})

    def describe(self):
        if not self.enabled:
            return "not pinned (fewer than 2 cores, taskset missing, or --no-pin)"
        return (f"proxy pinned alone on core {self.proxy_core}; wrk, upstream and probes on "
                f"core {self.load_core} (taskset)")


def raise_nofile():
    """Soft RLIMIT_NOFILE up to the hard limit; children inherit it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# --- /proc --------------------------------------------------------------------

def _stat_fields(pid):
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    return text[text.rindex(")") + 2:].split()  # fields from 3 (state) on


def cpu_times_us(pids):
    """(utime, stime) of the processes (all their threads), in microseconds."""
    user = system = 0
    for pid in pids:
        try:
            fields = _stat_fields(pid)
        except (FileNotFoundError, ProcessLookupError):
            continue
        user += int(fields[11])  # utime (field 14)
        system += int(fields[12])  # stime (field 15)
    return user * 1_000_000 // CLK_TCK, system * 1_000_000 // CLK_TCK


def cpu_us(pids):
    """utime+stime of the processes (all their threads), in microseconds."""
    return sum(cpu_times_us(pids))


def rss_kib(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def core_busy_us(core):
    """Busy time (everything but idle and iowait) of one core from /proc/stat."""
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith(f"cpu{core} "):
                v = [int(x) for x in line.split()[1:]]
                return (sum(v[:8]) - v[3] - v[4]) * 1_000_000 // CLK_TCK
    return 0


def descendants(pid):
    """pid and every process below it (nginx: master and workers)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(_stat_fields(entry)[1])
            except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


# --- processes ----------------------------------------------------------------

_started = []


def _kill_started():
    for proc in reversed(_started):
        kill(proc)


atexit.register(_kill_started)
for _sig in (signal.SIGTERM, signal.SIGHUP):
    signal.signal(_sig, lambda *_: sys.exit(1))


def start(args, name, env=None):
    """A harness.Process (stderr collected) that is killed when we exit."""
    proc = h.Process(args, env=env, name=name)
    _started.append(proc)
    return proc


def kill(proc):
    """Stops a process we started (and its children, e.g. nginx workers), by pid."""
    try:
        pids = descendants(proc.pid) if proc.alive() else []
        proc.send_signal(signal.SIGTERM)
        try:
            proc.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        proc.kill()
        for pid in pids[1:]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    finally:
        if proc in _started:
            _started.remove(proc)


def temp_dir(prefix):
    d = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, d, True)
    return d


def wait_port(port, host="127.0.0.1", timeout=10.0):
    def ok():
        with socket.create_connection((host, port), timeout=0.5):
            return True
    h.wait_for(ok, timeout=timeout, message=f"port {port}")


# --- sluice -------------------------------------------------------------------

def start_echo(binary, name, pin=(), threads=1):
    proc = start([*pin, binary, "echo", "--listen", "127.0.0.1:0", "--name", name,
                  "--threads", str(threads)], name=f"echo[{name}]")
    _, port = proc.listening("echo")
    return proc, port


class Sluice:
    """A running `sluice --manifests DIR` on free ports."""

    def __init__(self, binary, manifests=None, pin=(), workers=1, extra=(), name="sluice",
                 ready_timeout=30.0, https=False, access_log=False, kubeconfig=None):
        self.binary, self.manifests = binary, manifests
        source = ["--manifests", manifests] if manifests else ["--kubeconfig", kubeconfig]
        flags = []
        # Flags that appeared over time: used when this binary lists them.
        if has_flag(binary, "--https-listen"):
            flags += ["--https-listen", "127.0.0.1:0" if https else "off"]
        elif https:
            raise RuntimeError(f"{binary} has no --https-listen")
        if has_flag(binary, "--access-log"):
            flags += ["--access-log", "stdout" if access_log else "off"]
        self.started_at = time.monotonic()
        self.proc = start([*pin, binary, *source, "--http-listen", "127.0.0.1:0",
                           "--admin-listen", "127.0.0.1:0", "--workers", str(workers),
                           "--log-level", "info", *flags, *extra], name=name)
        self.pid = self.proc.pid
        _, self.http_port = self.proc.listening("http", timeout=ready_timeout)
        _, self.admin_port = self.proc.listening("admin", timeout=ready_timeout)
        self.https_port = self.proc.listening("https", timeout=5)[1] if https else None
        deadline = time.monotonic() + ready_timeout
        while not self._ready_or_none():
            if not self.proc.alive():
                raise RuntimeError(f"{name} exited (rc={self.proc.popen.poll()}) before /readyz; "
                                   "stderr:\n" + "\n".join(self.proc.lines[-15:]))
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} not ready within {ready_timeout}s; stderr:\n" +
                                   "\n".join(self.proc.lines[-15:]))
            time.sleep(0.005)
        self.ready_at = time.monotonic()

    def ready(self):
        return h.request(self.admin_port, "GET", "/readyz", timeout=2).status == 200

    def _ready_or_none(self):
        try:
            return self.ready()
        except OSError:
            return False

    def pids(self):
        return [self.pid]

    def stop(self):
        kill(self.proc)


def bench_manifests(directory, upstream_port, service_name="upstream", tls_secret=None, tls_annotations=None):
    """IngressClass, Service+EndpointSlice to 127.0.0.1:upstream_port, an Ingress for "/" on
    every host; with tls_secret (a Secret object), also one for host localhost with spec.tls."""
    objects = [{"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
                "metadata": {"name": "sluice"},
                "spec": {"controller": "sluice.dev/ingress-controller"}},
               *h.backend_objects(service_name, upstream_port),
               h.ingress("bench", [(None, [("/", "Prefix", service_name, 80)])])]
    if tls_secret:
        tls = h.ingress("bench-tls", [("localhost", [("/", "Prefix", service_name, 80)])],
                        annotations=tls_annotations)
        tls["spec"]["tls"] = [{"hosts": ["localhost"], "secretName": tls_secret["metadata"]["name"]}]
        objects += [tls_secret, tls]
    h.write_manifests(directory, {"bench.yaml": objects})


# --- wrk ----------------------------------------------------------------------

_UNITS = {"us": 1.0, "ms": 1e3, "s": 1e6, "m": 60e6, "h": 3600e6}


def _duration_us(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    return float(m.group(1)) * _UNITS[m.group(2)] if m else None


def parse_wrk(text):
    r = {"requests": 0, "seconds": 0.0, "rps": 0.0, "p50_us": None, "p99_us": None,
         "socket_errors": 0, "non2xx": 0}
    m = re.search(r"(\d+) requests in ([\d.]+\w+),", text)
    if m:
        r["requests"] = int(m.group(1))
        r["seconds"] = (_duration_us(m.group(2)) or 0) / 1e6
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if m:
        r["rps"] = float(m.group(1))
    for pct, key in (("50", "p50_us"), ("99", "p99_us")):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", text, re.M)
        if m:
            r[key] = _duration_us(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        r["socket_errors"] = sum(int(x) for x in m.groups())
        r["socket_error_detail"] = m.group(0)
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        r["non2xx"] = int(m.group(1))
    r["errors"] = r["socket_errors"] + r["non2xx"]
    return r


def run_wrk(url, connections, seconds, headers=(), pin=(), timeout_s="2s"):
    """One bounded wrk run (one thread: it shares one core with the upstream)."""
    cmd = [*pin, "wrk", "-t1", f"-c{connections}", f"-d{max(1, int(seconds))}s", "--latency",
           f"--timeout={timeout_s}"]
    for hdr in headers:
        cmd += ["-H", hdr]
    cmd.append(url)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    r = parse_wrk(out.stdout)
    r["raw"] = out.stdout
    if out.returncode != 0 or not r["requests"]:
        r["failed"] = (out.stderr or out.stdout).strip()[-500:]
    return r


def fmt_us(us):
    if us is None:
        return "-"
    if us >= 1e6:
        return f"{us / 1e6:.2f}s"
    if us >= 1e3:
        return f"{us / 1e3:.2f}ms"
    return f"{us:.0f}us"


def percentile(values, p):
    """Nearest-rank percentile of a list (None when empty)."""
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


# --- a small, fast keep-alive HTTP client -----------------------------------------

class KeepAliveClient:
    """GETs on one keep-alive connection; returns (status, body) and reconnects on failure."""

    def __init__(self, port, host="127.0.0.1", host_header="bench", timeout=5.0):
        self.addr, self.host_header, self.timeout = (host, port), host_header, timeout
        self.sock = None
        self.buf = b""

    def _connect(self):
        self.sock = socket.create_connection(self.addr, timeout=self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def close(self):
        if self.sock:
            self.sock.close()
            self.sock = None

    def _read_more(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed")
        self.buf += chunk

    def get(self, path, host_header=None):
        if self.sock is None:
            self._connect()
        try:
            self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host_header or self.host_header}\r\n\r\n".encode())
            while (end := self.buf.find(b"\r\n\r\n")) < 0:
                self._read_more()
            head = self.buf[:end].decode("latin-1")
            status = int(head.split(" ", 2)[1])
            m = re.search(r"(?im)^content-length:\s*(\d+)", head)
            length = int(m.group(1)) if m else 0
            while len(self.buf) < end + 4 + length:
                self._read_more()
            body = self.buf[end + 4:end + 4 + length]
            self.buf = self.buf[end + 4 + length:]
            if re.search(r"(?im)^connection:\s*close", head):
                self.close()
            return status, body
        except (OSError, ValueError, IndexError):
            self.close()
            raise


def server_name(body):
    """The `Server name:` line of an echo answer."""
    i = body.find(b"Server name: ")
    if i < 0:
        return None
    j = body.find(b"\n", i)
    return body[i + 13:j if j >= 0 else None].decode()
