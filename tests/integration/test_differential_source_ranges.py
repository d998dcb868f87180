"""allowlist-source-range (and its alias whitelist-source-range) and
denylist-source-range, differential against real nginx configured as
ingress-nginx's template renders them: the deny lines, then the allow lines
and "deny all" in the location; an invalid range is ingress-nginx's denied
location, "return 503". Clients come from different loopback addresses."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402
import nginx_reference as ref  # noqa: E402

A = "nginx.ingress.kubernetes.io/"

# Sorted as ipallowlist's Parse sorts its strings; nginx checks in order.
SERVERS = """
    upstream echo {{ server 127.0.0.1:ECHO; }}
    server {{
        listen 127.0.0.1:{port};
        server_name allow.example;
        location / {{
            allow 127.0.0.2;
            allow 127.0.1.0/24;
            deny all;
            {proxy_defaults} proxy_pass http://echo;
        }}
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name alias.example;
        location / {{
            allow 127.0.0.3;
            deny all;
            {proxy_defaults} proxy_pass http://echo;
        }}
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name deny.example;
        location / {{
            deny 127.0.0.3;
            deny 127.0.2.0/24;
            {proxy_defaults} proxy_pass http://echo;
        }}
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name both.example;
        location / {{
            deny 127.0.0.5;
            allow 127.0.0.0/29;
            deny all;
            {proxy_defaults} proxy_pass http://echo;
        }}
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name invalid.example;
        location / {{ return 503; }}
    }}
"""

SOURCES = ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.5", "127.0.0.9", "127.0.1.7", "127.0.2.200")


class SourceRangesAgainstNginx(unittest.TestCase):
    def setUp(self):
        echo = h.start_echo(self, "web-1")

        def ing(name, host, annotations):
            return h.ingress(name, [(host, [("/", "Prefix", "web", 80)])], annotations=annotations)

        objects = h.backend_objects("web", echo.port) + [
            ing("allow", "allow.example", {A + "allowlist-source-range": "127.0.1.9/24, 127.0.0.2"}),
            # both set: allowlist-source-range wins over its alias
            ing("alias", "alias.example", {A + "allowlist-source-range": "127.0.0.3",
                                            A + "whitelist-source-range": "127.0.0.2"}),
            ing("deny", "deny.example", {A + "denylist-source-range": "127.0.2.0/24,127.0.0.3"}),
            ing("both", "both.example", {A + "denylist-source-range": "127.0.0.5",
                                          A + "whitelist-source-range": "127.0.0.0/29"}),
            ing("invalid", "invalid.example", {A + "allowlist-source-range": "127.0.0.1, not-an-address"}),
        ]
        self.proxy = h.start_proxy(self, h.write_manifests(h.temp_dir(self), {"all.yaml": objects}))
        self.nginx = ref.start_nginx(self, SERVERS.replace("ECHO", str(echo.port)))

    def same(self, source, host, path="/"):
        return ref.assert_same_from(self, source, self.proxy.http_port, self.nginx.port, "GET", path,
                                    headers={"Host": host})

    def statuses(self, host):
        return {source: self.same(source, host)[0] for source in SOURCES}

    def test_allow_list_answers_403_outside_it(self):
        self.assertEqual(self.statuses("allow.example"),
                         {"127.0.0.1": 403, "127.0.0.2": 200, "127.0.0.3": 403, "127.0.0.5": 403,
                          "127.0.0.9": 403, "127.0.1.7": 200, "127.0.2.200": 403})

    def test_allowlist_wins_over_its_alias(self):
        statuses = self.statuses("alias.example")
        self.assertEqual((statuses["127.0.0.3"], statuses["127.0.0.2"]), (200, 403))

    def test_deny_list_answers_403_inside_it(self):
        self.assertEqual(self.statuses("deny.example"),
                         {"127.0.0.1": 200, "127.0.0.2": 200, "127.0.0.3": 403, "127.0.0.5": 200,
                          "127.0.0.9": 200, "127.0.1.7": 200, "127.0.2.200": 403})

    def test_deny_wins_over_allow(self):
        self.assertEqual(self.statuses("both.example"),
                         {"127.0.0.1": 200, "127.0.0.2": 200, "127.0.0.3": 200, "127.0.0.5": 403,
                          "127.0.0.9": 403, "127.0.1.7": 403, "127.0.2.200": 403})

    def test_an_invalid_range_denies_the_location(self):
        for source in ("127.0.0.1", "127.0.0.2"):
            status, _, seen = self.same(source, "invalid.example", "/x")
            self.assertEqual((status, seen), (503, None))

    def test_the_path_and_query_reach_the_backend_unchanged(self):
        status, _, seen = self.same("127.0.0.2", "allow.example", "/a/b?c=d")
        self.assertEqual((status, seen["uri"]), (200, "/a/b?c=d"))


if __name__ == "__main__":
    unittest.main()
