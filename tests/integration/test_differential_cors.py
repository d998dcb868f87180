"""enable-cors and the cors-* keys, differential against real nginx with
nginx.tmpl's CORS block as the template renders it (buildCorsOriginRegex,
the $cors variable, the preflight's "return 204"). Debian's nginx has no
headers-more module, so its more_set_headers lines are written as
"add_header ... always" (the same fields, on every status; the echo backend
sends none of them, so replacing and adding agree). The preflight is
answered before basic auth, as nginx's rewrite phase runs before its access
phase; a force-ssl-redirect comes after it too (rewrite_by_lua runs after
the rewrite module's `if`s), and its 308 carries the fields."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402
import nginx_reference as ref  # noqa: E402

A = "nginx.ingress.kubernetes.io/"

DEFAULT_FIELDS = """
                add_header Access-Control-Allow-Origin $http_origin always;
                add_header Access-Control-Allow-Credentials true always;
                add_header Access-Control-Allow-Methods 'GET, PUT, POST, DELETE, PATCH, OPTIONS' always;
                add_header Access-Control-Allow-Headers 'DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization' always;
                add_header Access-Control-Max-Age 1728000 always;
"""
LIST_FIELDS = """
                add_header Access-Control-Allow-Origin $http_origin always;
                add_header Access-Control-Allow-Methods 'GET, POST' always;
                add_header Access-Control-Allow-Headers 'X-One,X-Two' always;
                add_header Access-Control-Expose-Headers 'X-Exposed' always;
                add_header Access-Control-Max-Age 600 always;
"""


def cors_block(origin_line, fields):
    return (origin_line + """
            if ($request_method = 'OPTIONS') {{ set $cors ${{cors}}options; }}
            if ($cors = "true") {{""" + fields + """            }}
            if ($cors = "trueoptions") {{""" + fields + """
                return 204;
            }}
""")


ANY = "set $http_origin *;\n            set $cors 'true';"
LISTED = "if ($http_origin ~* ((https://a\\.test)|(https://[A-Za-z0-9\\-]+\\.b\\.test))$ ) { set $cors 'true'; }"

SERVERS = """
    upstream echo {{ server 127.0.0.1:ECHO; }}
    server {{
        listen 127.0.0.1:{port};
        server_name any.example;
        location / {{
            """ + cors_block(ANY, DEFAULT_FIELDS) + """
            {proxy_defaults} proxy_pass http://echo;
        }}
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name list.example;
        location / {{
            """ + cors_block(LISTED.replace("{", "{{").replace("}", "}}"), LIST_FIELDS) + """
            {proxy_defaults} proxy_pass http://echo;
        }}
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name redirect.example;
        location / {{
            """ + cors_block(LISTED.replace("{", "{{").replace("}", "}}"), LIST_FIELDS) + """
            return 308 https://redirect.example$request_uri;
        }}
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name auth.example;
        location / {{
            """ + cors_block(LISTED.replace("{", "{{").replace("}", "}}"), LIST_FIELDS) + """
            auth_basic "r";
            auth_basic_user_file {prefix}/htpasswd;
            {proxy_defaults}
            proxy_set_header Authorization "";
            proxy_pass http://echo;
        }}
    }}
"""

LIST_ANNOTATIONS = {
    A + "enable-cors": "true",
    A + "cors-allow-origin": "https://a.test, https://*.b.test",
    A + "cors-allow-methods": "GET, POST",
    A + "cors-allow-headers": "X-One,X-Two",
    A + "cors-expose-headers": "X-Exposed",
    A + "cors-allow-credentials": "false",
    A + "cors-max-age": "600",
}


class CorsAgainstNginx(unittest.TestCase):
    def setUp(self):
        echo = h.start_echo(self, "web-1")

        def ing(name, host, annotations):
            return h.ingress(name, [(host, [("/", "Prefix", "web", 80)])], annotations=annotations)

        objects = h.backend_objects("web", echo.port) + [
            {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
             "metadata": {"name": "users", "namespace": "default"}, "stringData": {"auth": "u:{PLAIN}p\n"}},
            ing("any", "any.example", {A + "enable-cors": "true"}),
            ing("list", "list.example", LIST_ANNOTATIONS),
            # lua_ingress.lua's force_ssl_redirect runs in rewrite_by_lua, after
            # the template's `if`s: a preflight is still 204, and the 308
            # carries the CORS fields like any other answer.
            ing("redirect", "redirect.example", {**LIST_ANNOTATIONS, A + "force-ssl-redirect": "true"}),
            ing("auth", "auth.example", {**LIST_ANNOTATIONS, A + "auth-type": "basic", A + "auth-secret": "users",
                                         A + "auth-realm": "r"}),
        ]
        self.proxy = h.start_proxy(self, h.write_manifests(h.temp_dir(self), {"all.yaml": objects}))
        self.nginx = ref.start_nginx(self, SERVERS.replace("ECHO", str(echo.port)))
        h.write_file(os.path.join(self.nginx.prefix, "htpasswd"), "u:{PLAIN}p\n")

    def same(self, host, method="GET", origin=None, extra=None):
        headers = {"Host": host, **(extra or {})}
        if origin is not None:
            headers["Origin"] = origin
        return ref.assert_same_from(self, "127.0.0.1", self.proxy.http_port, self.nginx.port, method, "/c?d=1",
                                    headers=headers)

    def test_any_origin_gets_star_on_every_response(self):
        for origin in (None, "https://x.test"):
            with self.subTest(origin=origin):
                status, headers, seen = self.same("any.example", origin=origin)
                self.assertEqual((status, dict(headers).get("access-control-allow-origin")), (200, "*"))
                self.assertEqual(seen["uri"], "/c?d=1")

    def test_any_origin_preflight_is_204(self):
        status, headers, seen = self.same("any.example", "OPTIONS", "https://x.test")
        self.assertEqual((status, seen, dict(headers)["access-control-max-age"]), (204, None, "1728000"))

    def test_listed_origins_match_as_the_template_regex(self):
        cases = {"https://a.test": True, "HTTPS://A.TEST": True, "https://x.b.test": True,
                 "https://x.y.b.test": False, "https://b.test": False, "http://a.test": False,
                 "https://a.test.evil": False, "evilhttps://a.test": True, None: False}
        for origin, allowed in cases.items():
            with self.subTest(origin=origin):
                status, headers, _ = self.same("list.example", origin=origin)
                self.assertEqual((status, dict(headers).get("access-control-allow-origin")),
                                 (200, origin if allowed else None))

    def test_preflight_only_for_an_allowed_origin(self):
        self.assertEqual(self.same("list.example", "OPTIONS", "https://a.test")[0], 204)
        status, headers, seen = self.same("list.example", "OPTIONS", "https://no.test")
        self.assertEqual((status, seen["uri"]), (200, "/c?d=1"))  # forwarded, no CORS fields
        self.assertNotIn("access-control-allow-origin", dict(headers))

    def test_the_preflight_is_answered_before_basic_auth(self):
        status, headers, _ = self.same("auth.example", "OPTIONS", "https://a.test")
        self.assertEqual((status, dict(headers).get("access-control-allow-origin")), (204, "https://a.test"))
        self.assertNotIn("www-authenticate", dict(headers))

    def test_a_redirect_carries_the_cors_fields_and_a_preflight_comes_first(self):
        status, headers, _ = self.same("redirect.example", origin="https://x.b.test")
        self.assertEqual((status, dict(headers)["location"], dict(headers).get("access-control-allow-origin")),
                         (308, "https://redirect.example/c?d=1", "https://x.b.test"))
        self.assertEqual(self.same("redirect.example", "OPTIONS", "https://x.b.test")[0], 204)
        status, headers, _ = self.same("redirect.example", "OPTIONS", "https://no.test")
        self.assertEqual((status, dict(headers).get("access-control-allow-origin")), (308, None))

    def test_a_401_carries_the_cors_fields(self):
        status, headers, _ = self.same("auth.example", origin="https://a.test")
        self.assertEqual((status, dict(headers).get("access-control-allow-origin")), (401, "https://a.test"))
        status, _, seen = self.same("auth.example", origin="https://a.test",
                                    extra={"Authorization": "Basic dTpw"})
        self.assertEqual((status, seen), (200, {"uri": "/c?d=1", "authorization": []}))


if __name__ == "__main__":
    unittest.main()
