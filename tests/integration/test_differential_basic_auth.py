"""auth-type: basic with auth-secret (auth-file and auth-map) and
auth-realm, differential against real nginx's auth_basic with an htpasswd
file the test writes, as ingress-nginx's template renders it (auth_basic
"<realm>", auth_basic_user_file, proxy_set_header Authorization ""). The
hashes are the schemes nginx reads: apr1, bcrypt, SHA-512-crypt, MD5-crypt,
{SHA}, {SSHA}, {PLAIN}. With satisfy: any, the allow list or the credentials
suffice (nginx's access phase with "satisfy any")."""

import base64
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402
import nginx_reference as ref  # noqa: E402

A = "nginx.ingress.kubernetes.io/"

# Every password is "secret"; the hashes come from openssl passwd, Python's
# crypt and hashlib (the unit tests check the same values).
HASHES = {
    "apr": "$apr1$abcdefgh$h9FWgUz3n9YxylKLlR5SQ/",
    "bcrypt": "$2y$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW",
    "sha512": "$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1",
    "md5": "$1$abcdefgh$cHJi5PXp/ki/ktXzqlk6I1",
    "sha": "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=",
    "ssha": "{SSHA}gVK8WC9YyFT1gMsQHTGCgT3sSv5zYWx0",
    "plain": "{PLAIN}secret",
}
# A comment, a user whose second line nginx never reads, a hash followed by
# a comment field.
HTPASSWD = ("# team\n" + "".join(f"{u}:{p}\n" for u, p in HASHES.items())
            + "apr:{PLAIN}other\n" + "commented:{PLAIN}secret:a comment\n")
MAP_USERS = {"carol": "{PLAIN}secret", "dave": HASHES["apr"]}

SERVERS = """
    upstream echo {{ server 127.0.0.1:ECHO; }}
    server {{
        listen 127.0.0.1:{port};
        server_name file.example;
        location / {{
            auth_basic "Team only";
            auth_basic_user_file {prefix}/file.htpasswd;
            {proxy_defaults}
            proxy_set_header Authorization "";
            proxy_pass http://echo;
        }}
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name map.example;
        location / {{
            auth_basic "";
            auth_basic_user_file {prefix}/map.htpasswd;
            {proxy_defaults}
            proxy_set_header Authorization "";
            proxy_pass http://echo;
        }}
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name any.example;
        location / {{
            satisfy any;
            deny 127.0.0.5;
            allow 127.0.0.2;
            deny all;
            auth_basic "Team only";
            auth_basic_user_file {prefix}/file.htpasswd;
            {proxy_defaults}
            proxy_set_header Authorization "";
            proxy_pass http://echo;
        }}
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name missing.example;
        location / {{ return 503; }}
    }}
"""


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class BasicAuthAgainstNginx(unittest.TestCase):
    def setUp(self):
        echo = h.start_echo(self, "web-1")

        def secret(name, data):
            return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                    "metadata": {"name": name, "namespace": "default"}, "stringData": data}

        def ing(name, host, annotations):
            return h.ingress(name, [(host, [("/", "Prefix", "web", 80)])], annotations=annotations)

        objects = h.backend_objects("web", echo.port) + [
            secret("team", {"auth": HTPASSWD}),
            secret("map", MAP_USERS),
            ing("file", "file.example", {A + "auth-type": "basic", A + "auth-secret": "default/team",
                                          A + "auth-realm": "Team only"}),
            ing("map", "map.example", {A + "auth-type": "basic", A + "auth-secret": "map",
                                        A + "auth-secret-type": "auth-map"}),
            ing("any", "any.example", {A + "auth-type": "basic", A + "auth-secret": "team",
                                        A + "auth-realm": "Team only", A + "satisfy": "any",
                                        A + "denylist-source-range": "127.0.0.5",
                                        A + "allowlist-source-range": "127.0.0.2"}),
            ing("missing", "missing.example", {A + "auth-type": "basic", A + "auth-secret": "nope"}),
        ]
        self.proxy = h.start_proxy(self, h.write_manifests(h.temp_dir(self), {"all.yaml": objects}))
        self.nginx = ref.start_nginx(self, SERVERS.replace("ECHO", str(echo.port)))
        h.write_file(os.path.join(self.nginx.prefix, "file.htpasswd"), HTPASSWD)
        h.write_file(os.path.join(self.nginx.prefix, "map.htpasswd"),
                     "".join(f"{u}:{p}\n" for u, p in MAP_USERS.items()))

    def same(self, host, authorization=None, path="/", source="127.0.0.1"):
        headers = {"Host": host}
        if authorization is not None:
            headers["Authorization"] = authorization
        return ref.assert_same_from(self, source, self.proxy.http_port, self.nginx.port, "GET", path,
                                    headers=headers)

    def test_no_credentials_is_401_with_the_realm(self):
        status, headers, seen = self.same("file.example")
        self.assertEqual((status, dict(headers).get("www-authenticate"), seen),
                         (401, 'Basic realm="Team only"', None))

    def test_every_hash_scheme_accepts_its_password_and_refuses_another(self):
        for user in HASHES:
            with self.subTest(user=user):
                status, _, seen = self.same("file.example", basic(user, "secret"), "/p?q=1")
                # the credentials stay at the proxy
                self.assertEqual((status, seen), (200, {"uri": "/p?q=1", "authorization": []}))
                status, headers, _ = self.same("file.example", basic(user, "wrong"))
                self.assertEqual(status, 401)

    def test_the_first_line_naming_a_user_decides(self):
        self.assertEqual(self.same("file.example", basic("apr", "other"))[0], 401)
        self.assertEqual(self.same("file.example", basic("commented", "secret"))[0], 200)

    def test_malformed_credentials_are_401(self):
        for value in ("Bearer abc", "Basic", "Basic ", "Basic !!!", basic("", "secret"),
                      "Basic " + base64.b64encode(b"plain").decode(), "basic " + basic("sha", "secret")[6:],
                      basic("nobody", "secret")):
            with self.subTest(value=value):
                self.assertEqual(self.same("file.example", value)[0], 401 if not value.startswith("basic ") else 200)

    def test_auth_map_with_the_empty_default_realm(self):
        status, headers, _ = self.same("map.example")
        self.assertEqual((status, dict(headers).get("www-authenticate")), (401, 'Basic realm=""'))
        self.assertEqual(self.same("map.example", basic("carol", "secret"))[0], 200)
        self.assertEqual(self.same("map.example", basic("dave", "secret"))[0], 200)
        self.assertEqual(self.same("map.example", basic("dave", "nope"))[0], 401)

    def test_satisfy_any_takes_the_allow_list_or_the_credentials(self):
        good, bad = basic("plain", "secret"), basic("plain", "wrong")
        cases = [("127.0.0.2", None, 200), ("127.0.0.3", None, 401), ("127.0.0.3", good, 200),
                 ("127.0.0.3", bad, 401), ("127.0.0.5", None, 401), ("127.0.0.5", good, 200)]
        for source, authorization, expected in cases:
            with self.subTest(source=source, authorization=authorization):
                status, headers, seen = self.same("any.example", authorization, source=source)
                self.assertEqual(status, expected)
                if status == 200:
                    self.assertEqual(seen["authorization"], [])

    def test_a_missing_secret_denies_the_location(self):
        status, _, seen = self.same("missing.example", basic("carol", "secret"))
        self.assertEqual((status, seen), (503, None))


if __name__ == "__main__":
    unittest.main()
