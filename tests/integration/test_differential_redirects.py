"""permanent-redirect, temporal-redirect (and their codes), app-root,
from-to-www-redirect, upstream-vhost and server-alias, differential against
real nginx configured as ingress-nginx v1.15.1's nginx.tmpl renders those
Ingresses: `return <code> <url>` in the location, the server-level
`if ($uri = /) { return 302 $scheme://$http_host<app-root>; }`, the
from/to-www server of ngx_srv_redirect.lua (reproduced in plain nginx),
`proxy_set_header Host "<upstream-vhost>"` and the aliases in server_name.
The same requests go to both, to the same echo backend, and must agree."""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402
import nginx_reference as ref  # noqa: E402

A = "nginx.ingress.kubernetes.io/"

# nginx.tmpl's location lines that matter here: port_in_redirect off, then
# the proxy defaults, then `return` when the Ingress has a redirect URL.
def location(path, body):
    return "location " + path + " {{ port_in_redirect off; {proxy_defaults} " + body + " proxy_pass http://echo; }}"


def server(name, *lines):
    return ("server {{ listen 127.0.0.1:{port}; server_name " + name + "; " + " ".join(lines) + " }}\n")


# ngx_srv_redirect.lua: $scheme://<to>:$server_port<$request_uri less one final '/'>.
WWW_SERVER = ("set $redirect_uri $request_uri; "
              'if ($redirect_uri ~ "^(.*)/$") {{ set $redirect_uri $1; }} '
              "return 308 $scheme://TO:$server_port$redirect_uri;")

VHOST_DEFAULTS = ref.PROXY_LOCATION_DEFAULTS.replace("proxy_set_header Host $best_http_host;",
                                                     'proxy_set_header Host "inner.example";')

# ingress-nginx's catch-all server answers what no host matches with 404.
DEFAULT_SERVER = "server {{ listen 127.0.0.1:{port} default_server; server_name _; return 404; }}\n"

SERVERS = "upstream echo {{ server 127.0.0.1:ECHO; }}\n" + DEFAULT_SERVER + "".join([
    server("perm.example", location("/", "return 301 https://new.example/landing?x=1;")),
    server("perm308.example", location("/", "return 308 https://new.example;")),
    server("perm300.example", location("/", "return 300 https://new.example;")),
    server("rel.example", location("/", "return 301 /moved;")),
    server("temp.example", location("/", "return 302 http://temp-target.example/t;")),
    server("temp307.example", location("/", "return 307 http://temp-target.example/t;")),
    server("root.example", "if ($uri = /) {{ return 302 $scheme://$http_host/app/; }}",
           location("/", ""), location("/app", "")),
    # No rule for "/": ingress-nginx's server still has its default-backend
    # `location /` (404), and the server-level `if` answers "/" before it.
    server("rootonly.example", "if ($uri = /) {{ return 302 $scheme://$http_host/app; }}",
           location("/app", ""), "location / {{ return 404; }}"),
    server("www.site.example", WWW_SERVER.replace("TO", "site.example")),
    server("site.example", location("/", "")),
    server("rule.example", WWW_SERVER.replace("TO", "www.rule.example")),
    server("www.rule.example", location("/", "")),
    server("vhost.example", location("/", "").replace("{proxy_defaults}", VHOST_DEFAULTS)),
    server("main.example alias.example", location("/", "")),
])


class RedirectsAgainstNginx(unittest.TestCase):
    def setUp(self):
        echo = h.start_echo(self, "web-1")
        one = lambda name, host, annotations, paths=(("/", "Prefix"),): h.ingress(  # noqa: E731
            name, [(host, [(p, t, "web", 80) for p, t in paths])], annotations=annotations)
        objects = h.backend_objects("web", echo.port) + [
            one("perm", "perm.example", {A + "permanent-redirect": "https://new.example/landing?x=1"}),
            one("perm308", "perm308.example", {A + "permanent-redirect": "https://new.example",
                                               A + "permanent-redirect-code": "308"}),
            one("perm300", "perm300.example", {A + "permanent-redirect": "https://new.example",
                                               A + "permanent-redirect-code": "300"}),
            one("rel", "rel.example", {A + "permanent-redirect": "/moved", A + "permanent-redirect-code": "999"}),
            one("temp", "temp.example", {A + "temporal-redirect": "http://temp-target.example/t",
                                         A + "permanent-redirect": "https://loses.example"}),
            one("temp307", "temp307.example", {A + "temporal-redirect": "http://temp-target.example/t",
                                               A + "temporal-redirect-code": "307"}),
            one("root", "root.example", {A + "app-root": "/app/"}, paths=(("/", "Prefix"), ("/app", "Prefix"))),
            one("rootonly", "rootonly.example", {A + "app-root": "/app"}, paths=(("/app", "Prefix"),)),
            one("site", "site.example", {A + "from-to-www-redirect": "true"}),
            one("wwwrule", "www.rule.example", {A + "from-to-www-redirect": "true"}),
            one("vhost", "vhost.example", {A + "upstream-vhost": "inner.example"}),
            one("main", "main.example", {A + "server-alias": "alias.example"}),
        ]
        self.proxy = h.start_proxy(self, h.write_manifests(h.temp_dir(self), {"all.yaml": objects}))
        self.nginx = ref.start_nginx(self, SERVERS.replace("ECHO", str(echo.port)))

    def same(self, host, path, method="GET", headers=None):
        return ref.assert_same(self, self.proxy.http_port, self.nginx.port, method, path,
                               headers={"Host": host, **(headers or {})})

    def test_permanent_redirect_returns_the_url_as_written(self):
        for path in ("/", "/a/b?c=d"):
            with self.subTest(path=path):
                status, headers, seen = self.same("perm.example", path)
                self.assertEqual((status, dict(headers).get("location"), seen),
                                 (301, "https://new.example/landing?x=1", None))
        status, headers, _ = self.same("perm.example", "/x", method="POST")
        self.assertEqual(status, 301)

    def test_permanent_redirect_code(self):
        status, headers, _ = self.same("perm308.example", "/x")
        self.assertEqual((status, dict(headers).get("location")), (308, "https://new.example"))

    def test_a_code_that_is_no_redirect_sends_the_url_as_the_body(self):
        ours = h.request(self.proxy.http_port, "GET", "/", headers={"Host": "perm300.example"})
        theirs = h.request(self.nginx.port, "GET", "/", headers={"Host": "perm300.example"})
        self.assertEqual((ours.status, ours.body), (theirs.status, theirs.body))
        self.assertEqual(ours.status, 300)
        self.same("perm300.example", "/")

    def test_a_relative_url_becomes_absolute_and_a_bad_code_falls_back_to_301(self):
        status, headers, _ = self.same("rel.example:8080", "/x")
        self.assertEqual((status, dict(headers).get("location")), (301, "http://rel.example/moved"))

    def test_temporal_redirect_wins_and_has_its_codes(self):
        status, headers, _ = self.same("temp.example", "/q")
        self.assertEqual((status, dict(headers).get("location")), (302, "http://temp-target.example/t"))
        status, headers, _ = self.same("temp307.example", "/q")
        self.assertEqual((status, dict(headers).get("location")), (307, "http://temp-target.example/t"))

    def test_app_root_redirects_only_the_root(self):
        cases = {"/": 302, "/?a=b": 302, "//": 302, "/app": 200, "/app/x": 200, "/other": 200}
        for path, expected in cases.items():
            with self.subTest(path=path):
                status, headers, seen = self.same("root.example:8080", path)
                self.assertEqual(status, expected)
                if expected == 302:
                    self.assertEqual(dict(headers)["location"], "http://root.example:8080/app/")
                else:
                    self.assertEqual(seen["URI"], path)

    def test_app_root_answers_the_root_of_a_host_without_a_rule_for_it(self):
        status, headers, _ = self.same("rootonly.example", "/")
        self.assertEqual((status, dict(headers).get("location")), (302, "http://rootonly.example/app"))
        self.assertEqual(self.same("rootonly.example", "/other")[0], 404)
        self.assertEqual(self.same("rootonly.example", "/app/x")[0], 200)

    def www_answer(self, port, path, host="www.site.example"):
        resp = h.request(port, "GET", path, headers={"Host": host})
        return resp.status, resp.header("Location").replace(f":{port}", ":PORT")

    def test_from_to_www_redirect_sends_the_twin_host_to_the_rule_host(self):
        for path in ("/", "/a/", "/a/b?c=d/", "//"):
            with self.subTest(path=path):
                ours = self.www_answer(self.proxy.http_port, path)
                self.assertEqual(ours, self.www_answer(self.nginx.port, path))
                self.assertEqual(ours[0], 308)
        status, _, seen = self.same("site.example", "/a/")
        self.assertEqual((status, seen["URI"]), (200, "/a/"))

    def test_from_to_www_redirect_on_a_www_host_sends_the_bare_name_to_it(self):
        ours = self.www_answer(self.proxy.http_port, "/x", host="rule.example")
        self.assertEqual(ours, self.www_answer(self.nginx.port, "/x", host="rule.example"))
        self.assertEqual(ours, (308, "http://www.rule.example:PORT/x"))

    def backend_headers(self, port, host):
        resp = h.request(port, "GET", "/h", headers={"Host": host, "Accept": "application/json"})
        self.assertEqual(resp.status, 200)
        headers = {k.lower(): v for k, v in json.loads(resp.text)["headers"]}
        return {k: headers.get(k) for k in ("host", "x-forwarded-host")}

    def test_upstream_vhost_sets_the_host_the_backend_sees(self):
        ours = self.backend_headers(self.proxy.http_port, "vhost.example")
        self.assertEqual(ours, self.backend_headers(self.nginx.port, "vhost.example"))
        self.assertEqual(ours, {"host": "inner.example", "x-forwarded-host": "vhost.example"})

    def test_server_alias_serves_the_same_rules(self):
        for host in ("main.example", "alias.example", "ALIAS.example:8080"):
            with self.subTest(host=host):
                status, _, seen = self.same(host, "/p?q=1")
                self.assertEqual((status, seen["URI"]), (200, "/p?q=1"))
        status, _, _ = self.same("unknown.example", "/")
        self.assertEqual(status, 404)


if __name__ == "__main__":
    unittest.main()
