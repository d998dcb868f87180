"""Helpers for the cluster-mode integration tests: a kubeconfig for the fake API server and a
sluice started against it (Python 3 standard library only)."""

import os
import subprocess

import harness as h
from fake_api_server import FakeApiServer  # noqa: F401 - re-exported for the tests

TOKEN = "sluice-test-token"
_extra_flags = None


def _default_flags():
    """Flags that keep a test's sluice small: no HTTPS listener, no access log (when supported)."""
    global _extra_flags
    if _extra_flags is None:
        try:
            usage = subprocess.run([h.BIN, "--help"], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            usage = ""
        _extra_flags = []
        if "--https-listen" in usage:
            _extra_flags += ["--https-listen", "off"]
        if "--access-log " in usage:
            _extra_flags += ["--access-log", "off"]
    return list(_extra_flags)


def kubeconfig_text(server, token=None, token_file=None, ca_file=None, ca_data=None, insecure=False,
                    client_cert=None, client_key=None, namespace=None, context="test"):
    cluster = [f"    server: {server}"]
    if ca_file:
        cluster.append(f"    certificate-authority: {ca_file}")
    if ca_data:
        cluster.append(f"    certificate-authority-data: {ca_data}")
    if insecure:
        cluster.append("    insecure-skip-tls-verify: true")
    user = []
    if token:
        user.append(f"    token: {token}")
    if token_file:
        user.append(f"    tokenFile: {token_file}")
    if client_cert:
        user.append(f"    client-certificate: {client_cert}")
    if client_key:
        user.append(f"    client-key: {client_key}")
    ctx = [f"    cluster: fake", f"    user: tester"]
    if namespace:
        ctx.append(f"    namespace: {namespace}")
    return "\n".join([
        "apiVersion: v1", "kind: Config", "clusters:", "- name: fake", "  cluster:", *cluster,
        "users:", "- name: tester", "  user:" + ("" if user else " {}"), *user,
        "contexts:", f"- name: {context}", "  context:", *ctx,
        f"current-context: {context}", ""])


def write_kubeconfig(test, api, **kwargs):
    """A kubeconfig file for `api` (token defaults to TOKEN); returns its path."""
    d = h.temp_dir(test)
    kwargs.setdefault("token", TOKEN if not kwargs.get("token_file") else None)
    path = os.path.join(d, "kubeconfig")
    h.write_file(path, kubeconfig_text(kwargs.pop("server", None) or api.url, **kwargs))
    return path


def start_api(test, **kwargs):
    """A running fake API server that requires TOKEN, stopped at cleanup."""
    kwargs.setdefault("token", TOKEN)
    api = FakeApiServer(**kwargs).start()
    test.addCleanup(api.stop)
    return api


def start_sluice(test, api=None, args=(), kubeconfig=None, ready=True, env=None, name="sluice",
                 timeout=h.DEFAULT_TIMEOUT, **kubeconfig_args):
    """sluice --kubeconfig for `api` on free ports, --sync-period 0; waits for /readyz by default."""
    if kubeconfig is None:
        kubeconfig = write_kubeconfig(test, api, **kubeconfig_args)
    cmd = [h.BIN, "--kubeconfig", kubeconfig, "--http-listen", "127.0.0.1:0",
           "--admin-listen", "127.0.0.1:0", "--sync-period", "0", "--workers", "1",
           *_default_flags(), *args]
    proc = h.start_process(test, cmd, name=name, env=env)
    _, http_port = proc.listening("http", timeout=timeout)
    _, admin_port = proc.listening("admin", timeout=timeout)
    proxy = h.Proxy(proc, http_port, admin_port)
    if ready:
        wait_ready(proxy, timeout)
    return proxy


def wait_ready(proxy, timeout=h.DEFAULT_TIMEOUT):
    h.wait_for(lambda: proxy.admin("/readyz", timeout=1).status == 200, timeout=timeout,
               message="sluice /readyz")


def apply_all(api, objects):
    for o in objects:
        api.apply(o)


def server_of(proxy, path="/", host=None):
    """(status, echo server name or None) of GET path."""
    resp = proxy.get(path, headers={"Host": host} if host else None, timeout=5)
    return resp.status, (resp.echo_fields().get("Server name") if resp.status == 200 else None)


def wait_route(proxy, path, expect, host=None, timeout=h.DEFAULT_TIMEOUT):
    """Waits until GET path answers `expect`: an echo server name (200) or a status code."""
    def check():
        status, name = server_of(proxy, path, host)
        return (name == expect) if isinstance(expect, str) else (status == expect)
    return h.wait_for(check, timeout=timeout, message=f"{host or ''}{path} -> {expect!r}")
