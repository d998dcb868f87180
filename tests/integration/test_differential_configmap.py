"""The controller ConfigMap's client-address and block keys, differential
against real nginx configured as ingress-nginx's template renders them:
use-forwarded-headers / enable-real-ip / forwarded-for-header /
proxy-real-ip-cidr become real_ip_header, real_ip_recursive on and
set_real_ip_from; compute-full-forwarded-for the $full_x_forwarded_for map;
block-cidrs a `deny`; block-user-agents and block-referers the $block_ua /
$block_ref maps checked by `if (...) { return 403; }` in the server. The
same requests go to both, to the same echo backend; statuses and what the
backend saw as X-Forwarded-For and X-Real-IP must agree."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402
import nginx_reference as ref  # noqa: E402

HOST = "web.example"


def config_map(name, data, namespace="sluice"):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": namespace},
            "data": data}


def server(lines, proxy_defaults="{proxy_defaults}"):
    return """
    upstream echo {{ server 127.0.0.1:ECHO; }}
    server {{
        listen 127.0.0.1:{port};
        server_name web.example;
        """ + lines + """
        location / {{ """ + proxy_defaults + """ proxy_pass http://echo; }}
    }}
"""


# The http-level lines of nginx.tmpl for these keys (real_ip_* sit in http
# there; one server per nginx here, so the server level is the same).
REAL_IP = "real_ip_header {header}; real_ip_recursive on; {trusted}"
FULL_FORWARDED_FOR = """
    map $http_x_forwarded_for $full_x_forwarded_for {
        default "$http_x_forwarded_for, $realip_remote_addr";
        '' "$realip_remote_addr";
    }
"""


class Pair:
    """sluice with one ConfigMap, nginx rendered the way it would be."""

    def __init__(self, test, data, nginx_lines, extra="", proxy_defaults="{proxy_defaults}"):
        echo = h.start_echo(test, "web-1")
        objects = h.backend_objects("web", echo.port) + [
            h.ingress("web", [(HOST, [("/", "Prefix", "web", 80)])]),
            config_map("config", data),
        ]
        self.proxy = h.start_proxy(test, h.write_manifests(h.temp_dir(test), {"all.yaml": objects}),
                                   args=["--configmap", "sluice/config"])
        self.nginx = ref.start_nginx(test, server(nginx_lines, proxy_defaults).replace("ECHO", str(echo.port)),
                                     extra=extra)
        self.test = test

    def same(self, headers=None, path="/"):
        return ref.assert_same_upstream(self.test, self.proxy.http_port, self.nginx.port, path,
                                        headers={"Host": HOST, **(headers or {})})


def trusted(*cidrs):
    return " ".join(f"set_real_ip_from {c};" for c in cidrs)


class ForwardedHeadersAgainstNginx(unittest.TestCase):
    def test_without_forwarded_headers_the_peer_is_the_client(self):
        pair = Pair(self, {}, "")
        status, seen = pair.same({"X-Forwarded-For": "203.0.113.5"})
        self.assertEqual((status, seen), (200, {"x-forwarded-for": ["127.0.0.1"], "x-real-ip": ["127.0.0.1"]}))

    def test_use_forwarded_headers_trusts_everyone_by_default(self):
        pair = Pair(self, {"use-forwarded-headers": "true"},
                    REAL_IP.format(header="X-Forwarded-For", trusted=trusted("0.0.0.0/0")))
        cases = {"203.0.113.5": "203.0.113.5", "203.0.113.5, 198.51.100.2": "203.0.113.5",
                 "203.0.113.5:8080": "203.0.113.5", "garbage": "127.0.0.1", "198.51.100.2, garbage": "127.0.0.1",
                 "garbage, 198.51.100.2": "198.51.100.2", "2001:db8::1": "2001:db8::1",
                 "[2001:db8::2]:443": "2001:db8::2", ", 203.0.113.9 ,": "203.0.113.9"}
        for xff, client in cases.items():
            with self.subTest(xff=xff):
                status, seen = pair.same({"X-Forwarded-For": xff})
                self.assertEqual((status, seen["x-real-ip"]), (200, [client]))
        status, seen = pair.same()
        self.assertEqual(seen["x-real-ip"], ["127.0.0.1"])

    def test_proxy_real_ip_cidr_stops_at_the_first_untrusted_address(self):
        pair = Pair(self, {"use-forwarded-headers": "true", "proxy-real-ip-cidr": "127.0.0.1/32, 10.0.0.0/8"},
                    REAL_IP.format(header="X-Forwarded-For", trusted=trusted("127.0.0.1/32", "10.0.0.0/8")))
        for xff in ("203.0.113.5, 10.1.1.1", "203.0.113.5, 198.51.100.2", "10.2.2.2, 10.1.1.1",
                    "203.0.113.5, 10.1.1.1, 10.2.2.2"):
            with self.subTest(xff=xff):
                pair.same({"X-Forwarded-For": xff})

    def test_an_untrusted_peer_is_the_client_whatever_it_says(self):
        pair = Pair(self, {"enable-real-ip": "true", "proxy-real-ip-cidr": "10.0.0.0/8"},
                    REAL_IP.format(header="X-Forwarded-For", trusted=trusted("10.0.0.0/8")))
        status, seen = pair.same({"X-Forwarded-For": "203.0.113.5"})
        self.assertEqual(seen["x-real-ip"], ["127.0.0.1"])

    def test_forwarded_for_header_names_the_header_to_read(self):
        pair = Pair(self, {"enable-real-ip": "true", "forwarded-for-header": "X-Client-Address"},
                    REAL_IP.format(header="X-Client-Address", trusted=trusted("0.0.0.0/0")))
        status, seen = pair.same({"X-Client-Address": "198.51.100.77", "X-Forwarded-For": "203.0.113.5"})
        self.assertEqual(seen["x-real-ip"], ["198.51.100.77"])

    def test_compute_full_forwarded_for_appends_the_peer_to_the_chain(self):
        full = ref.PROXY_LOCATION_DEFAULTS.replace("X-Forwarded-For $remote_addr",
                                                   "X-Forwarded-For $full_x_forwarded_for")
        pair = Pair(self, {"use-forwarded-headers": "true", "compute-full-forwarded-for": "true"},
                    REAL_IP.format(header="X-Forwarded-For", trusted=trusted("0.0.0.0/0")),
                    extra=FULL_FORWARDED_FOR, proxy_defaults=full)
        status, seen = pair.same({"X-Forwarded-For": "203.0.113.5, 198.51.100.2"})
        self.assertEqual(seen["x-forwarded-for"], ["203.0.113.5, 198.51.100.2, 127.0.0.1"])
        pair.same()


# lua_ingress.lua's rewrite() with use-forwarded-headers, in plain nginx: the
# client's X-Forwarded-Proto / -Port / first X-Forwarded-Host become
# $pass_access_scheme, $pass_port and $best_http_host (renamed here, as the
# reference http block defines those names already).
FORWARDED_MAPS = """
    map $http_x_forwarded_proto $fwd_scheme { default $http_x_forwarded_proto; '' $scheme; }
    map $http_x_forwarded_port $fwd_port { default $http_x_forwarded_port; '' $server_port; }
    map $http_x_forwarded_host $fwd_host { '' $best_http_host; "~^(?<first>[^,]*)" $first; }
    map $http_host $redirect_host { "~^(?<h>[^:]*)" $h; }
"""
FORWARDED_LOCATION = (ref.PROXY_LOCATION_DEFAULTS.replace("$pass_access_scheme", "$fwd_scheme")
                      .replace("$best_http_host", "$fwd_host").replace("$pass_port", "$fwd_port"))
FORCE_SSL_REDIRECT = "if ($fwd_scheme = http) {{ return 308 https://$redirect_host$request_uri; }}"


class ForwardedProtoHostPortAgainstNginx(unittest.TestCase):
    NAMES = ("host", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port")

    def pair(self, annotations=None):
        return Pair(self, {"use-forwarded-headers": "true"},
                    REAL_IP.format(header="X-Forwarded-For", trusted=trusted("0.0.0.0/0")),
                    extra=FORWARDED_MAPS, proxy_defaults=FORWARDED_LOCATION)

    def test_the_clients_forwarded_fields_are_passed_on(self):
        pair = self.pair()
        for headers in ({"X-Forwarded-Proto": "https", "X-Forwarded-Port": "443",
                         "X-Forwarded-Host": "public.example"},
                        {"X-Forwarded-Proto": "https", "X-Forwarded-Port": "8443",
                         "X-Forwarded-Host": "a.example, b.example"}):
            with self.subTest(headers=headers):
                ref.assert_same_upstream(self, pair.proxy.http_port, pair.nginx.port, "/",
                                         headers={"Host": HOST, **headers}, names=self.NAMES)
        status, seen = ref.upstream_view(pair.proxy.http_port, "/", {"Host": HOST, "X-Forwarded-Host": "a.example, b"},
                                         names=self.NAMES)
        self.assertEqual((seen["host"], seen["x-forwarded-host"]), (["a.example"], ["a.example"]))
        # Without them: the proxy's own scheme and Host (its port differs from nginx's by nature).
        ref.assert_same_upstream(self, pair.proxy.http_port, pair.nginx.port, "/", headers={"Host": HOST},
                                 names=("host", "x-forwarded-proto", "x-forwarded-host"))


class ForwardedProtoRedirectAgainstNginx(unittest.TestCase):
    def test_force_ssl_redirect_trusts_x_forwarded_proto(self):
        echo = h.start_echo(self, "web-1")
        objects = h.backend_objects("web", echo.port) + [
            h.ingress("web", [(HOST, [("/", "Prefix", "web", 80)])],
                      annotations={"nginx.ingress.kubernetes.io/force-ssl-redirect": "true"}),
            config_map("config", {"use-forwarded-headers": "true"}),
        ]
        proxy = h.start_proxy(self, h.write_manifests(h.temp_dir(self), {"all.yaml": objects}),
                              args=["--configmap", "sluice/config"])
        nginx = ref.start_nginx(self, server(FORCE_SSL_REDIRECT, FORWARDED_LOCATION).replace("ECHO", str(echo.port)),
                                extra=FORWARDED_MAPS)
        for proto in (None, "http", "https"):
            with self.subTest(proto=proto):
                headers = {"Host": HOST, **({"X-Forwarded-Proto": proto} if proto else {})}
                status, headers_seen, _ = ref.assert_same(self, proxy.http_port, nginx.port, "GET", "/a?b=1",
                                                          headers=headers)
                self.assertEqual(status, 200 if proto == "https" else 308)


class BlocksAgainstNginx(unittest.TestCase):
    BLOCK_MAPS = """
    map $http_user_agent $block_ua { default 0; BadBot 1; ~^curl/ 1; ~*wget 1; }
    map $http_referer $block_ref { default 0; ~*spam\\.example 1; }
"""
    SERVER_CHECKS = "if ($block_ua) {{ return 403; }} if ($block_ref) {{ return 403; }}"

    def test_block_user_agents_and_referers(self):
        pair = Pair(self, {"block-user-agents": "BadBot, ~^curl/, ~*wget", "block-referers": "~*spam\\.example"},
                    self.SERVER_CHECKS, extra=self.BLOCK_MAPS)
        for headers in ({"User-Agent": "BadBot"}, {"User-Agent": "badbot"}, {"User-Agent": "BadBot/2"},
                        {"User-Agent": "curl/8.5"}, {"User-Agent": "Curl/8.5"}, {"User-Agent": "GNU Wget/1.21"},
                        {"User-Agent": "Mozilla/5.0"}, {"Referer": "https://www.SPAM.example/x"},
                        {"Referer": "https://ham.example/"}, {}):
            with self.subTest(headers=headers):
                pair.same(headers)
        status, _ = pair.same({"User-Agent": "BadBot"})
        self.assertEqual(status, 403)

    def test_block_cidrs_denies_the_client(self):
        pair = Pair(self, {"block-cidrs": "192.0.2.0/24, 127.0.0.1"}, "deny 192.0.2.0/24; deny 127.0.0.1;")
        status, _ = pair.same()
        self.assertEqual(status, 403)

    def test_block_cidrs_sees_the_real_ip(self):
        pair = Pair(self, {"block-cidrs": "192.0.2.0/24", "use-forwarded-headers": "true"},
                    REAL_IP.format(header="X-Forwarded-For", trusted=trusted("0.0.0.0/0")) + " deny 192.0.2.0/24;")
        self.assertEqual(pair.same({"X-Forwarded-For": "192.0.2.7"})[0], 403)
        self.assertEqual(pair.same({"X-Forwarded-For": "198.51.100.7"})[0], 200)
        self.assertEqual(pair.same()[0], 200)


if __name__ == "__main__":
    unittest.main()
