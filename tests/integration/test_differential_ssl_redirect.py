"""ssl-redirect, force-ssl-redirect and preserve-trailing-slash, differential
against real nginx configured as ingress-nginx renders those Ingresses: the
Lua decision of rootfs/etc/nginx/lua/lua_ingress.lua (redirect_to_https,
redirect_host, the trailing '/' cut) reproduced in plain nginx. The same
requests go to both, to the same echo backend, and must be answered alike."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402
import nginx_reference as ref  # noqa: E402

A = "nginx.ingress.kubernetes.io/"

# lua_ingress.rewrite(): https://<best_http_host up to ':'><request_uri less a
# final '/'>, with http-redirect-code (308), for force-ssl-redirect on plain HTTP.
FORCE_REDIRECT = """
            set $redirect_uri $request_uri;
            {cut}
            return 308 https://$redirect_host$redirect_uri;
"""
CUT_TRAILING_SLASH = 'if ($redirect_uri ~ "^(.*)/$") {{ set $redirect_uri $1; }}'

SERVERS = """
    upstream echo {{ server 127.0.0.1:ECHO; }}
    map $best_http_host $redirect_host {{ "~^(?<h>[^:]*)" $h; }}
    server {{
        listen 127.0.0.1:{port};
        server_name force.example;
        location / {{ """ + FORCE_REDIRECT.replace("{cut}", CUT_TRAILING_SLASH) + """ }}
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name keep.example;
        location / {{ """ + FORCE_REDIRECT.replace("{cut}", "") + """ }}
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name plain.example;
        location / {{ {proxy_defaults} proxy_pass http://echo; }}
    }}
"""


class SslRedirectAgainstNginx(unittest.TestCase):
    def setUp(self):
        echo = h.start_echo(self, "web-1")
        objects = h.backend_objects("web", echo.port) + [
            h.ingress("force", [("force.example", [("/", "Prefix", "web", 80)])],
                      annotations={A + "force-ssl-redirect": "true"}),
            h.ingress("keep", [("keep.example", [("/", "Prefix", "web", 80)])],
                      annotations={A + "force-ssl-redirect": "true", A + "preserve-trailing-slash": "true"}),
            h.ingress("plain", [("plain.example", [("/", "Prefix", "web", 80)])],
                      annotations={A + "ssl-redirect": "true"}),  # no TLS on the host: no redirect
        ]
        self.proxy = h.start_proxy(self, h.write_manifests(h.temp_dir(self), {"all.yaml": objects}))
        self.nginx = ref.start_nginx(self, SERVERS.replace("ECHO", str(echo.port)))

    def same(self, host, path, method="GET", headers=None):
        return ref.assert_same(self, self.proxy.http_port, self.nginx.port, method, path,
                               headers={"Host": host, **(headers or {})})

    def test_force_ssl_redirect_cuts_one_trailing_slash(self):
        cases = {"/": "https://force.example", "/a/": "https://force.example/a",
                 "/a/b": "https://force.example/a/b", "/a/?q=1/": "https://force.example/a/?q=1",
                 "//": "https://force.example/"}
        for path, location in cases.items():
            with self.subTest(path=path):
                status, headers, seen = self.same("force.example", path)
                self.assertEqual((status, dict(headers).get("location"), seen), (308, location, None))

    def test_redirect_drops_the_port_and_keeps_the_method(self):
        status, headers, _ = self.same("force.example:8080", "/x?y=z", method="POST")
        self.assertEqual((status, dict(headers)["location"]), (308, "https://force.example/x?y=z"))

    def test_preserve_trailing_slash_keeps_it(self):
        status, headers, _ = self.same("keep.example", "/a/")
        self.assertEqual((status, dict(headers)["location"]), (308, "https://keep.example/a/"))

    def test_ssl_redirect_without_tls_forwards_the_request(self):
        status, _, seen = self.same("plain.example", "/p/q?r=1")
        self.assertEqual((status, seen["URI"]), (200, "/p/q?r=1"))


if __name__ == "__main__":
    unittest.main()
