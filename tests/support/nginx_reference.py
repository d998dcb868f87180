"""Real nginx, configured by hand as ingress-nginx's template would render an
Ingress, for differential tests: the same requests go through nginx and
through sluice, to the same `sluice echo` backend, and the answers must agree.

A test writes the `server { ... }` blocks itself (the relevant lines of
rootfs/etc/nginx/template/nginx.tmpl for that annotation, with the Lua
decisions reproduced in plain nginx); this module supplies the http block
ingress-nginx always renders around them (its proxy defaults, the
X-Forwarded-* headers it sets, its log format's variables), starts nginx on a
free loopback port with a private prefix, and stops it at cleanup.
"""

import os
import shutil

import harness as h

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

# What ingress-nginx's template puts in every location that proxies, with
# the ConfigMap defaults of internal/ingress/controller/config/config.go.
# `$sluice_backend` is set by the test's server block.
PROXY_LOCATION_DEFAULTS = """
            proxy_http_version 1.1;
            proxy_set_header Host $best_http_host;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header X-Request-ID $req_id;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Host $best_http_host;
            proxy_set_header X-Forwarded-Port $pass_port;
            proxy_set_header X-Forwarded-Proto $pass_access_scheme;
            proxy_set_header X-Forwarded-Scheme $pass_access_scheme;
            proxy_set_header X-Scheme $pass_access_scheme;
            proxy_set_header X-Original-URI $request_uri;
            proxy_set_header Proxy "";
            proxy_connect_timeout 5s;
            proxy_send_timeout 60s;
            proxy_read_timeout 60s;
            proxy_buffering off;
            proxy_request_buffering on;
            proxy_redirect off;
            proxy_next_upstream error timeout;
            proxy_next_upstream_tries 3;
"""

HTTP_BLOCK = """
worker_processes 1;
error_log {prefix}/error.log info;
pid {prefix}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    server_tokens off;
    client_max_body_size 1m;
    keepalive_timeout 75s;
    keepalive_requests 1000;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    map $http_host $best_http_host {{ default $http_host; '' $host; }}
    map $http_x_request_id $req_id {{ default $http_x_request_id; '' $request_id; }}
    map $scheme $pass_access_scheme {{ default $scheme; }}
    map $server_port $pass_port {{ default $server_port; }}
{extra}
{servers}
}}
"""


class Nginx:
    """A running nginx; `port` is its plain-HTTP listener."""

    def __init__(self, proc, port, prefix):
        self.proc, self.port, self.prefix = proc, port, prefix

    def error_log(self):
        with open(os.path.join(self.prefix, "error.log"), encoding="utf-8", errors="replace") as f:
            return f.read()


def start_nginx(test, servers, extra="", port=None):
    """Starts nginx with `servers` (text holding `{port}` and
    `{proxy_defaults}` placeholders, and `{{`/`}}` for literal braces).
    Returns an Nginx once it answers on its port."""
    prefix = h.temp_dir(test, prefix="sluice-nginx-")
    port = port or h.free_port()
    servers = servers.format(port=port, proxy_defaults=PROXY_LOCATION_DEFAULTS, prefix=prefix)
    conf = os.path.join(prefix, "nginx.conf")
    h.write_file(conf, HTTP_BLOCK.format(prefix=prefix, extra=extra, servers=servers))
    check = h.run([NGINX, "-t", "-p", prefix, "-c", conf, "-e", os.path.join(prefix, "error.log")])
    if check.returncode != 0:
        raise AssertionError(f"nginx -t failed:\n{check.stderr}\n{servers}")
    proc = h.start_process(test, [NGINX, "-p", prefix, "-c", conf, "-e", os.path.join(prefix, "error.log"),
                                  "-g", "daemon off; master_process off;"], name="nginx")
    h.wait_for(lambda: _answers(port), message=f"nginx listening on {port}")
    return Nginx(proc, port, prefix)


def _answers(port):
    import socket
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


# Headers that legitimately differ between two proxies answering the same
# request (dates, server identity, ids, framing choices).
VOLATILE = {"date", "server", "x-request-id", "content-length", "transfer-encoding",
            "connection", "keep-alive", "content-type"}


def visible_headers(response, names=None):
    """The response's headers users see, lowercased, minus volatile ones
    (or exactly `names`), as a sorted list of (name, value)."""
    wanted = {n.lower() for n in names} if names else None
    out = []
    for k, v in response.headers:
        k = k.lower()
        if (wanted is not None and k in wanted) or (wanted is None and k not in VOLATILE):
            out.append((k, v))
    return sorted(out)


def answer(port, method, path, headers=None, body=None, names=None):
    """One request; returns (status, visible headers, what the echo backend
    saw as {"URI": ..., "Server name": ...} or None for a local answer)."""
    resp = h.request(port, method, path, headers=headers, body=body)
    fields = resp.echo_fields() if resp.status < 300 or "Server name" in resp.text else None
    seen = {k: fields[k] for k in ("URI", "Server name") if fields and k in fields} or None
    return resp.status, visible_headers(resp, names), seen


def assert_same(test, sluice_port, nginx_port, method, path, headers=None, body=None, names=None):
    """Sends the request to both and requires the same status, the same
    visible headers and the same request at the backend."""
    ours = answer(sluice_port, method, path, headers, body, names)
    theirs = answer(nginx_port, method, path, headers, body, names)
    test.assertEqual(ours, theirs, f"{method} {path} {headers}: sluice (left) vs nginx (right)")
    return ours


def upstream_view(port, path, headers=None, names=("x-forwarded-for", "x-real-ip")):
    """One GET; returns (status, {name: [values]} of request headers `names`
    as the echo backend saw them, or None for a local answer)."""
    resp, seen = h.get_json(port, path, headers=headers)
    if seen is None:
        return resp.status, None
    return resp.status, {n: h.echo_headers(seen, n) for n in names}


def assert_same_upstream(test, sluice_port, nginx_port, path, headers=None,
                         names=("x-forwarded-for", "x-real-ip")):
    """Sends the request to both and requires the same status and the same
    values of request headers `names` at the backend (forwarding, real IP)."""
    ours = upstream_view(sluice_port, path, headers, names)
    theirs = upstream_view(nginx_port, path, headers, names)
    test.assertEqual(ours, theirs, f"GET {path} {headers}: sluice (left) vs nginx (right)")
    return ours


def answer_from(source_ip, port, method, path, headers=None, names=None):
    """answer(), from the loopback address `source_ip` (any of 127.0.0.0/8 on
    Linux), for allow and deny lists. What the echo backend saw is its URI
    and its Authorization fields (basic auth must not pass them on), or None
    for a local answer."""
    import http.client
    import json
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=h.DEFAULT_TIMEOUT,
                                      source_address=(source_ip, 0))
    try:
        hdrs = {"Accept": "application/json", **(headers or {})}
        conn.putrequest(method, path, skip_host="Host" in hdrs, skip_accept_encoding=True)
        for k, v in hdrs.items():
            conn.putheader(k, v)
        conn.endheaders()
        resp = conn.getresponse()
        body = resp.read()
        response = h.Response(resp.status, resp.reason, resp.getheaders(), body)
    finally:
        conn.close()
    seen = None
    if resp.status < 300 and body.startswith(b"{"):
        echo = json.loads(body)
        seen = {"uri": echo.get("uri"),
                "authorization": [v for k, v in echo.get("headers", []) if k.lower() == "authorization"]}
    return response.status, visible_headers(response, names), seen


def assert_same_from(test, source_ip, sluice_port, nginx_port, method, path, headers=None, names=None):
    """assert_same() from `source_ip` (see answer_from)."""
    ours = answer_from(source_ip, sluice_port, method, path, headers, names)
    theirs = answer_from(source_ip, nginx_port, method, path, headers, names)
    test.assertEqual(ours, theirs, f"{source_ip} {method} {path} {headers}: sluice (left) vs nginx (right)")
    return ours
