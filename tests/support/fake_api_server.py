"""A fake Kubernetes API server for sluice's integration tests (Python 3 standard library only).

It speaks the real wire protocol over HTTP/1.1 (optionally TLS):

* LIST with `resourceVersion` in the list metadata and pagination (`limit`, `continue`; the
  pages of one LIST are a consistent snapshot; an unknown or expired continue token is 410);
  items carry no apiVersion/kind, as the real server's typed lists.
* WATCH (`watch=1`): a chunked stream of newline-delimited JSON events (ADDED, MODIFIED,
  DELETED, BOOKMARK when `allowWatchBookmarks=true`, ERROR). Watching from a resourceVersion
  older than the last compaction answers 200 with one ERROR event carrying a 410 Status, as
  the real server does (or HTTP 410, see force_gone). `timeoutSeconds` ends the stream
  cleanly (capped by `max_watch_timeout`).
* `fieldSelector` (`a=b`, `a!=b`, comma-separated; metadata.name, metadata.namespace, type)
  on LIST and WATCH; an object that stops matching is seen as DELETED, as on the real server.
* Bearer-token auth (401 Status), Status objects on every error.
* GET/POST/PUT/DELETE of objects, PUT/PATCH (merge-patch) of the /status subresource,
  optimistic concurrency (409 Conflict on a stale metadata.resourceVersion, 409
  AlreadyExists on a duplicate create): enough for Leases (coordination.k8s.io/v1) and
  Events (v1 and events.k8s.io/v1).

The side door is the Python object itself (tests run the server in-process): apply(),
delete(), compact(), drop_watches(), fail(), force_gone(), inject_watch_line()/inject_watch_event()/
inject_long_watch_line() (malformed or oversized events), delay, stop()/restart(), and
a request log (`requests`, each with the connection it came on) and a count of accepted
connections (`connections_accepted`) to assert on.
"""

import copy
import datetime
import itertools
import json
import secrets
import socket
import ssl
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# (apiVersion, kind) -> (path prefix, plural, namespaced)
RESOURCES = {
    ("v1", "Service"): ("/api/v1", "services", True),
    ("v1", "Secret"): ("/api/v1", "secrets", True),
    ("v1", "ConfigMap"): ("/api/v1", "configmaps", True),
    ("v1", "Event"): ("/api/v1", "events", True),
    ("v1", "Namespace"): ("/api/v1", "namespaces", False),
    ("networking.k8s.io/v1", "Ingress"): ("/apis/networking.k8s.io/v1", "ingresses", True),
    ("networking.k8s.io/v1", "IngressClass"): ("/apis/networking.k8s.io/v1", "ingressclasses", False),
    ("discovery.k8s.io/v1", "EndpointSlice"): ("/apis/discovery.k8s.io/v1", "endpointslices", True),
    ("coordination.k8s.io/v1", "Lease"): ("/apis/coordination.k8s.io/v1", "leases", True),
    ("events.k8s.io/v1", "Event"): ("/apis/events.k8s.io/v1", "events", True),
}
# (path prefix, plural) -> (apiVersion, kind, namespaced)
BY_PATH = {(prefix, plural): (api, kind, ns) for (api, kind), (prefix, plural, ns) in RESOURCES.items()}


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def status_object(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


def parse_field_selector(text):
    """'a=b,c!=d' -> [(field, op, value)]; raises ValueError on anything else."""
    terms = []
    for part in filter(None, (text or "").split(",")):
        if "!=" in part:
            f, v = part.split("!=", 1)
            terms.append((f, "!=", v))
        elif "==" in part:
            f, v = part.split("==", 1)
            terms.append((f, "=", v))
        elif "=" in part:
            f, v = part.split("=", 1)
            terms.append((f, "=", v))
        else:
            raise ValueError(part)
    return terms


def field_value(obj, field):
    node = obj
    for piece in field.split("."):
        if not isinstance(node, dict):
            return ""
        node = node.get(piece)
    return "" if node is None else str(node)


def matches(obj, ns, terms):
    if obj is None:
        return False
    if ns and obj.get("metadata", {}).get("namespace") != ns:
        return False
    for f, op, v in terms:
        got = field_value(obj, f)
        if (op == "=" and got != v) or (op == "!=" and got == v):
            return False
    return True


class Request:
    """One logged request."""

    def __init__(self, method, path, query, resource, watch):
        self.method, self.path, self.query, self.resource, self.watch = method, path, query, resource, watch
        self.time = time.monotonic()
        self.status = None
        self.token = None  # the bearer token it carried
        self.conn = None   # the number of the connection it came on (1, 2, ...)
        self.streaming = False  # a watch that drop_watches() would now break

    @property
    def is_list(self):
        return self.method == "GET" and not self.watch and self.name is None and self.resource is not None

    name = None

    def __repr__(self):
        q = urllib.parse.urlencode(self.query)
        return f"<{self.method} {self.path}{'?' + q if q else ''} -> {self.status}>"


class Fault:
    def __init__(self, status, count, retry_after, match, message, body):
        self.status, self.count, self.retry_after, self.match = status, count, retry_after, match
        self.message, self.body = message, body


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        pass  # failed handshakes and resets are part of the tests


class FakeApiServer:
    """The fake; call start() (or use as a context manager) and stop()."""

    def __init__(self, token=None, tls=None, bookmark_interval=0.5, max_watch_timeout=None,
                 client_ca=None):
        self.tokens = {token} if token else set()
        self.tls = tls                      # (certfile, keyfile) or None
        self.client_ca = client_ca          # CA file: require client certificates signed by it
        self.bookmark_interval = bookmark_interval
        self.max_watch_timeout = max_watch_timeout
        self.delay = 0.0                    # seconds added before every answer
        self.lock = threading.Condition()
        self.rv = 1
        self.compacted_rv = 0               # watches from an older resourceVersion get 410
        self.objects = {}                   # (apiVersion, kind) -> {(ns, name): obj}
        self.history = []                   # (rv, (apiVersion, kind), type, old, new)
        self.continuations = {}
        self.requests = []
        self.faults = []
        self.gone_modes = []                # forced 410 for the next watches: "event" or "http"
        self.watch_epoch = 0
        self.open_watches = 0
        self.bookmarks = []                 # (plural, resourceVersion) of every BOOKMARK sent
        self.uids = itertools.count(1)
        self._server = None
        self._thread = None
        self._connections = set()
        self.connections_accepted = 0       # TCP connections accepted, for connection-reuse tests
        self.port = 0

    # --- lifecycle ---------------------------------------------------------------

    def start(self, port=0):
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._server = _Server(("127.0.0.1", port), Handler)
        self.port = self._server.server_address[1]
        self._ssl_context = None
        if self.tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*self.tls)
            if self.client_ca:
                ctx.verify_mode = ssl.CERT_OPTIONAL
                ctx.load_verify_locations(self.client_ca)
            self._ssl_context = ctx
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Closes the listener and every connection: clients then get 'connection refused'."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._server = None
        with self.lock:
            self.watch_epoch += 1
            self.lock.notify_all()
            conns = list(self._connections)
        for c in conns:
            _abort(c)
        self._thread.join(timeout=5)

    def restart(self):
        """Listens again on the same port, with the same objects and history."""
        self.start(self.port)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    # --- side door: objects ---------------------------------------------------------

    def _next_rv_locked(self):
        self.rv += 1
        return self.rv

    def _record_locked(self, key, type_, old, new):
        self.history.append((self.rv, key, type_, copy.deepcopy(old), copy.deepcopy(new)))
        self.lock.notify_all()

    def apply(self, obj):
        """Creates or replaces an object (status included); returns the stored copy."""
        with self.lock:
            return self._put_locked(obj, expect_rv=None, create_only=False)[1]

    def _put_locked(self, obj, expect_rv, create_only):
        """(http status, stored object or Status)."""
        key = (obj.get("apiVersion"), obj.get("kind"))
        if key not in RESOURCES:
            return 404, status_object(404, "NotFound", f"unknown kind {key}")
        _, _, namespaced = RESOURCES[key]
        obj = copy.deepcopy(obj)
        meta = obj.setdefault("metadata", {})
        if namespaced:
            meta.setdefault("namespace", "default")
        else:
            meta.pop("namespace", None)
        if not meta.get("name"):
            if meta.get("generateName"):
                meta["name"] = meta["generateName"] + secrets.token_hex(4)
            else:
                return 422, status_object(422, "Invalid", "metadata.name: Required value")
        store = self.objects.setdefault(key, {})
        ident = (meta.get("namespace", ""), meta["name"])
        old = store.get(ident)
        if old is not None and create_only:
            return 409, status_object(409, "AlreadyExists", f'{key[1]} "{meta["name"]}" already exists')
        if expect_rv and (old is None or old["metadata"]["resourceVersion"] != expect_rv):
            if old is None:
                return 404, status_object(404, "NotFound", f'{key[1]} "{meta["name"]}" not found')
            return 409, status_object(409, "Conflict",
                                      f'Operation cannot be fulfilled on {key[1]} "{meta["name"]}": '
                                      "the object has been modified; please apply your changes to the "
                                      "latest version and try again")
        if old is not None:
            meta["uid"] = old["metadata"]["uid"]
            meta["creationTimestamp"] = old["metadata"]["creationTimestamp"]
        else:
            meta["uid"] = meta.get("uid") or f"00000000-0000-0000-0000-{next(self.uids):012d}"
            meta.setdefault("creationTimestamp", now_rfc3339())
        meta["resourceVersion"] = str(self._next_rv_locked())
        store[ident] = obj
        self._record_locked(key, "MODIFIED" if old is not None else "ADDED", old, obj)
        return (200 if old is not None else 201), copy.deepcopy(obj)

    def delete(self, api_version, kind, name, namespace="default"):
        """Deletes an object; False when there was none."""
        with self.lock:
            return self._delete_locked((api_version, kind), namespace, name) is not None

    def _delete_locked(self, key, ns, name):
        if not RESOURCES[key][2]:
            ns = ""
        store = self.objects.setdefault(key, {})
        old = store.pop((ns, name), None)
        if old is None:
            return None
        gone = copy.deepcopy(old)
        gone["metadata"]["resourceVersion"] = str(self._next_rv_locked())
        self._record_locked(key, "DELETED", old, gone)
        return gone

    def get(self, api_version, kind, name, namespace="default"):
        with self.lock:
            ns = namespace if RESOURCES[(api_version, kind)][2] else ""
            obj = self.objects.get((api_version, kind), {}).get((ns, name))
            return copy.deepcopy(obj)

    def list(self, api_version, kind):
        with self.lock:
            return [copy.deepcopy(o) for _, o in sorted(self.objects.get((api_version, kind), {}).items())]

    def events(self):
        """Every Event posted (core v1 and events.k8s.io/v1)."""
        return self.list("v1", "Event") + self.list("events.k8s.io/v1", "Event")

    # --- side door: faults ----------------------------------------------------------

    def compact(self):
        """Forgets history: a watch from any resourceVersion before now gets 410 Gone."""
        with self.lock:
            self.compacted_rv = self.rv
            self.continuations.clear()

    def drop_watches(self):
        """Breaks every open watch stream (the connection closes mid-body)."""
        with self.lock:
            self.watch_epoch += 1
            self.lock.notify_all()

    def fail(self, status=500, count=None, retry_after=None, match=None, message="injected fault", body=None):
        """Answers `status` to the next `count` requests (None: until clear_faults()).

        match(request) -> bool narrows which requests fail (default: all API requests); `body`
        (bytes) replaces the Status object.
        """
        with self.lock:
            self.faults.append(Fault(status, count, retry_after, match, message, body))

    def clear_faults(self):
        with self.lock:
            self.faults.clear()

    def force_gone(self, count=1, mode="event"):
        """The next `count` watches get 410: an ERROR event ("event") or an HTTP 410 ("http")."""
        with self.lock:
            self.gone_modes.extend([mode] * count)

    def inject_watch_line(self, api_version, kind, text):
        """Sends `text` (plus a newline) as is to every watch of that kind, in order with events."""
        with self.lock:
            self.history.append((self.rv, (api_version, kind), "RAW", None, text))
            self.lock.notify_all()

    def inject_watch_event(self, api_version, kind, event):
        """Sends `event` (a dict, any shape: the tests send malformed ones) as one JSON line."""
        self.inject_watch_line(api_version, kind, json.dumps(event, separators=(",", ":")))

    def inject_long_watch_line(self, api_version, kind, size):
        """Sends one well-formed ADDED event padded to `size` bytes (an annotation of spaces' worth)."""
        head = '{"type":"ADDED","object":{"metadata":{"name":"huge","namespace":"default","annotations":{"pad":"'
        tail = '"}}}}'
        self.inject_watch_line(api_version, kind, head + "x" * max(0, size - len(head) - len(tail)) + tail)

    def set_tokens(self, *tokens):
        with self.lock:
            self.tokens = set(tokens)

    # --- side door: the request log ---------------------------------------------------

    def requests_for(self, plural, watch=None, method="GET"):
        with self.lock:
            out = [r for r in self.requests if r.resource == plural and r.method == method]
        if watch is not None:
            out = [r for r in out if r.watch == watch and (watch or r.name is None)]
        return out

    def lists(self, plural):
        """LIST requests (first pages only: a `continue` page is part of the same LIST)."""
        return [r for r in self.requests_for(plural, watch=False) if "continue" not in r.query]

    def watches(self, plural):
        return self.requests_for(plural, watch=True)

    def watching(self, plural):
        """True when the latest watch of `plural` is streaming (drop_watches() would break it)."""
        w = self.watches(plural)
        return bool(w) and w[-1].streaming

    def clear_log(self):
        with self.lock:
            self.requests.clear()

    # --- request handling (called by _Handler threads) ---------------------------------

    def _take_fault(self, record):
        with self.lock:
            for f in self.faults:
                if f.match is not None and not f.match(record):
                    continue
                if f.count is not None:
                    f.count -= 1
                    if f.count <= 0:
                        self.faults.remove(f)
                return f
        return None


def _abort(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


def _parse_path(path):
    """(prefix, namespace, plural, name, subresource) or None."""
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2 and parts[0] == "api":
        prefix, rest = "/api/" + parts[1], parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis":
        prefix, rest = f"/apis/{parts[1]}/{parts[2]}", parts[3:]
    else:
        return None
    ns = None
    if len(rest) >= 3 and rest[0] == "namespaces":
        ns, rest = rest[1], rest[2:]
    if not rest or len(rest) > 3:
        return None
    plural = rest[0]
    name = rest[1] if len(rest) >= 2 else None
    sub = rest[2] if len(rest) == 3 else None
    return prefix, ns, plural, name, sub


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_fake = None  # set by FakeApiServer.start

    def log_message(self, *args):  # quiet
        pass

    def setup(self):
        fake = self.server_fake
        if fake._ssl_context is not None:
            self.request.settimeout(5)
            try:
                self.request = fake._ssl_context.wrap_socket(self.request, server_side=True)
            except (ssl.SSLError, OSError):
                _abort(self.request)
                raise
            self.request.settimeout(None)
            self.connection = self.request
        with fake.lock:
            fake._connections.add(self.request)
            fake.connections_accepted += 1
            self.conn_id = fake.connections_accepted
        super().setup()

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass
        with self.server_fake.lock:
            self.server_fake._connections.discard(self.request)
        if isinstance(self.request, ssl.SSLSocket):  # socketserver closes only the raw socket it accepted
            _abort(self.request)

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (ConnectionError, ssl.SSLError, OSError):
            self.close_connection = True

    # --- responses -------------------------------------------------------------------

    def _send_json(self, status, obj, headers=()):
        body = (json.dumps(obj) + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        if self._record is not None:
            self._record.status = status

    def _send_status(self, code, reason, message, headers=()):
        self._send_json(code, status_object(code, reason, message), headers)

    def _read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(n) if n else b""
        return json.loads(data) if data else None

    # --- dispatch --------------------------------------------------------------------

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method):
        fake = self.server_fake
        url = urllib.parse.urlsplit(self.path)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        parsed = _parse_path(url.path)
        watch = query.get("watch") in ("1", "true")
        record = Request(method, url.path, query, parsed[2] if parsed else None, watch)
        record.name = parsed[3] if parsed else None
        record.conn = self.conn_id
        auth = self.headers.get("Authorization", "")
        record.token = auth[7:] if auth.startswith("Bearer ") else None
        self._record = record
        with fake.lock:
            fake.requests.append(record)
        if fake.delay:
            time.sleep(fake.delay)
        if fake.tokens or fake.client_ca:
            auth = self.headers.get("Authorization", "")
            with fake.lock:
                ok = auth.startswith("Bearer ") and auth[7:] in fake.tokens
            if fake.client_ca and isinstance(self.connection, ssl.SSLSocket) and self.connection.getpeercert():
                ok = True  # a client certificate the CA signed (the handshake verified it)
            if not ok:
                return self._send_status(401, "Unauthorized", "Unauthorized")
        fault = fake._take_fault(record)
        if fault is not None:
            headers = [("Retry-After", str(fault.retry_after))] if fault.retry_after is not None else []
            if fault.body is not None:
                self.send_response(fault.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(fault.body)))
                self.end_headers()
                self.wfile.write(fault.body)
                record.status = fault.status
                return
            reason = {429: "TooManyRequests", 500: "InternalError", 503: "ServiceUnavailable",
                      410: "Expired"}.get(fault.status, "InternalError")
            return self._send_status(fault.status, reason, fault.message, headers)
        if parsed is None:
            return self._send_status(404, "NotFound", f"the server could not find the requested resource")
        prefix, ns, plural, name, sub = parsed
        info = BY_PATH.get((prefix, plural))
        if info is None:
            return self._send_status(404, "NotFound", f"the server could not find the requested resource")
        api_version, kind, namespaced = info
        key = (api_version, kind)
        try:
            terms = parse_field_selector(query.get("fieldSelector"))
        except ValueError as e:
            return self._send_status(400, "BadRequest", f"invalid field selector: {e}")
        if method == "GET" and name is None and watch:
            return self._watch(key, namespaced, ns, terms, query)
        if method == "GET" and name is None:
            return self._list(key, namespaced, ns, terms, query)
        if method == "GET":
            obj = fake.get(api_version, kind, name, ns or "")
            if obj is None:
                return self._send_status(404, "NotFound", f'{plural} "{name}" not found')
            return self._send_json(200, obj)
        if method == "POST" and name is None:
            body = self._read_body() or {}
            body.setdefault("apiVersion", api_version)
            body.setdefault("kind", kind)
            if namespaced:
                body.setdefault("metadata", {}).setdefault("namespace", ns or "default")
            with fake.lock:
                status, obj = fake._put_locked(body, None, create_only=True)
            return self._send_json(status, obj)
        if method == "DELETE" and name is not None:
            with fake.lock:
                gone = fake._delete_locked(key, ns or "", name)
            if gone is None:
                return self._send_status(404, "NotFound", f'{plural} "{name}" not found')
            return self._send_json(200, gone)
        if method in ("PUT", "PATCH") and name is not None:
            return self._update(key, namespaced, ns or "", name, sub, method)
        return self._send_status(405, "MethodNotAllowed", f"{method} is not supported here")

    def _update(self, key, namespaced, ns, name, sub, method):
        fake = self.server_fake
        try:
            body = self._read_body() or {}
        except ValueError as e:
            return self._send_status(400, "BadRequest", f"invalid JSON: {e}")
        if method == "PATCH" and "merge-patch" not in (self.headers.get("Content-Type") or "") and \
                "strategic-merge-patch" not in (self.headers.get("Content-Type") or ""):
            return self._send_status(415, "UnsupportedMediaType", "only merge patches are supported")
        with fake.lock:
            store = fake.objects.setdefault(key, {})
            current = store.get((ns if namespaced else "", name))
            if current is None:
                status, obj = 404, status_object(404, "NotFound", f'{key[1]} "{name}" not found')
            else:
                if method == "PATCH":
                    merged = merge_patch(current, body)
                else:
                    merged = body
                expect = (body.get("metadata") or {}).get("resourceVersion")
                if sub == "status":
                    new = copy.deepcopy(current)
                    if "status" in merged:
                        new["status"] = merged["status"]
                    else:
                        new.pop("status", None)
                else:
                    new = merged
                    new.setdefault("apiVersion", key[0])
                    new.setdefault("kind", key[1])
                    new.setdefault("metadata", {})["name"] = name
                    if namespaced:
                        new["metadata"]["namespace"] = ns
                if expect and expect != current["metadata"]["resourceVersion"]:
                    status, obj = 409, status_object(
                        409, "Conflict", f'Operation cannot be fulfilled on {key[1]} "{name}": the object '
                        "has been modified; please apply your changes to the latest version and try again")
                elif _same_content(current, new):
                    status, obj = 200, copy.deepcopy(current)  # a no-op write changes nothing
                else:
                    status, obj = fake._put_locked(new, None, create_only=False)
        return self._send_json(status, obj)

    def _list(self, key, namespaced, ns, terms, query):
        fake = self.server_fake
        api_version, kind = key
        token = query.get("continue")
        limit = int(query.get("limit") or 0)
        with fake.lock:
            if token:
                snap = fake.continuations.pop(token, None)
                if snap is None:
                    return self._send_status(410, "Expired", "The provided continue parameter is too old "
                                             "to display a consistent list result.")
                items, rv, offset = snap
            else:
                items = [copy.deepcopy(o) for _, o in sorted(fake.objects.get(key, {}).items())
                         if matches(o, ns, terms)]
                rv, offset = fake.rv, 0
            page = items[offset:offset + limit] if limit else items[offset:]
            meta = {"resourceVersion": str(rv)}
            if limit and offset + limit < len(items):
                nxt = secrets.token_urlsafe(12)
                fake.continuations[nxt] = (items, rv, offset + limit)
                meta["continue"] = nxt
                meta["remainingItemCount"] = len(items) - offset - limit
        for item in page:  # typed lists carry no apiVersion/kind on their items
            item.pop("apiVersion", None)
            item.pop("kind", None)
        self._send_json(200, {"kind": kind + "List", "apiVersion": api_version, "metadata": meta,
                              "items": page})

    def _watch(self, key, namespaced, ns, terms, query):
        fake = self.server_fake
        api_version, kind = key
        rv_text = query.get("resourceVersion", "")
        bookmarks = query.get("allowWatchBookmarks") in ("1", "true")
        timeout = float(query.get("timeoutSeconds") or 1800)
        if fake.max_watch_timeout is not None:
            timeout = min(timeout, fake.max_watch_timeout)
        with fake.lock:
            gone_mode = fake.gone_modes.pop(0) if fake.gone_modes else None
            try:
                since = int(rv_text) if rv_text not in ("", "0") else None
            except ValueError:
                return self._send_status(400, "BadRequest", f'invalid resourceVersion "{rv_text}"')
            if since is not None and since < fake.compacted_rv and gone_mode is None:
                gone_mode = "event"
            if gone_mode == "http":
                return self._send_status(410, "Expired", f"too old resource version: {rv_text} "
                                         f"({fake.compacted_rv})")
            epoch = fake.watch_epoch
            initial = []
            if since is None:  # "any": synthetic ADDED for what exists, then changes
                initial = [("ADDED", copy.deepcopy(o)) for _, o in sorted(fake.objects.get(key, {}).items())
                           if matches(o, ns, terms)]
                since = fake.rv
            pos = start_len = len(fake.history)
            while pos > 0 and (fake.history[pos - 1][0] > since or fake.history[pos - 1][2] == "RAW"):
                pos -= 1
            fake.open_watches += 1
            self._record.streaming = True
        self._record.status = 200
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.flush()
            if gone_mode == "event":
                self._chunk({"type": "ERROR", "object": status_object(
                    410, "Expired", f"too old resource version: {rv_text} ({fake.compacted_rv})")})
                self._end_chunks()
                return
            for type_, obj in initial:
                self._chunk({"type": type_, "object": obj})
            deadline = time.monotonic() + timeout
            next_bookmark = time.monotonic() + fake.bookmark_interval if bookmarks and fake.bookmark_interval \
                else None
            while True:
                out = []
                with fake.lock:
                    while True:
                        if fake.watch_epoch != epoch:
                            break
                        if pos < len(fake.history):
                            break
                        now = time.monotonic()
                        wake = min(deadline, next_bookmark or deadline)
                        if now >= wake:
                            break
                        fake.lock.wait(wake - now)
                    dropped = fake.watch_epoch != epoch
                    while pos < len(fake.history):
                        rv, k, type_, old, new = fake.history[pos]
                        pos += 1
                        if k != key:
                            continue
                        if type_ == "RAW":
                            if pos > start_len:  # only to the watches open when it was injected
                                out.append(("RAW", new))
                            continue
                        was, now_in = matches(old, ns, terms), matches(new, ns, terms)
                        if type_ == "DELETED":
                            if was:
                                out.append(("DELETED", new))
                        elif was and now_in:
                            out.append(("MODIFIED", new))
                        elif now_in:
                            out.append(("ADDED", new))
                        elif was:
                            out.append(("DELETED", new))
                    current_rv = fake.rv
                if dropped:
                    _abort(self.connection)
                    self.close_connection = True
                    return
                for type_, obj in out:
                    if type_ == "RAW":
                        self._chunk_raw((obj + "\n").encode())
                    else:
                        self._chunk({"type": type_, "object": obj})
                now = time.monotonic()
                if next_bookmark is not None and now >= next_bookmark:
                    self._chunk({"type": "BOOKMARK", "object": {
                        "kind": kind, "apiVersion": api_version,
                        "metadata": {"resourceVersion": str(current_rv),
                                     "annotations": {"k8s.io/initial-events-end": "false"}}}})
                    next_bookmark = now + fake.bookmark_interval
                    with fake.lock:
                        fake.bookmarks.append((RESOURCES[key][1], str(current_rv)))
                if now >= deadline:
                    self._end_chunks()
                    return
        except (ConnectionError, ssl.SSLError, OSError):
            self.close_connection = True
        finally:
            with fake.lock:
                fake.open_watches -= 1
                self._record.streaming = False

    def _chunk(self, event):
        self._chunk_raw((json.dumps(event) + "\n").encode())

    def _chunk_raw(self, data):
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _end_chunks(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        self.close_connection = True


def _same_content(a, b):
    a = copy.deepcopy(a)
    b = copy.deepcopy(b)
    for o in (a, b):
        o.get("metadata", {}).pop("resourceVersion", None)
    return a == b


if __name__ == "__main__":  # a manual run: python3 fake_api_server.py [port]
    import sys
    server = FakeApiServer().start(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    print(f"fake API server at {server.url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
