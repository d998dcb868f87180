"""Request smuggling and response desync, both directions, against a backend that records raw bytes.

Request side: every ambiguous or obfuscated framing (CL.TE, TE.CL, TE.TE,
CL.0, duplicate and list-valued fields, name tricks, Upgrade without 101) is
either refused before a byte reaches the backend, or reaches it as exactly one
request framed as the client framed it. Response side: a backend's odd
framing (1xx, 204/304 and HEAD with a body, close-delimited bodies, extra
bytes after a response, Content-Length lists) never lets one client's
response run into the next.
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness as h  # noqa: E402
import raw_backend  # noqa: E402

SMUGGLED = b"GET /smuggled HTTP/1.1\r\nHost: raw.test\r\n\r\n"


def post(headers, body):
    return b"POST / HTTP/1.1\r\nHost: raw.test\r\n" + headers + b"\r\n" + body


def chunked_smuggle():
    return b"%x\r\n%s\r\n0\r\n\r\n" % (len(SMUGGLED), SMUGGLED)


class RequestSmugglingTest(raw_backend.RawBackendCase):

    def test_cl_te_and_te_cl_are_refused_unforwarded(self):
        cases = {
            "CL.TE": post(b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n", b"0\r\n\r\n" + SMUGGLED),
            "TE.CL": post(b"Transfer-Encoding: chunked\r\nContent-Length: 4\r\n", b"5c\r\n" + SMUGGLED),
            "CL.TE, TE obfuscated by case": post(b"Content-Length: 4\r\ntransfer-encoding: CHUNKED\r\n",
                                                 b"0\r\n\r\n" + SMUGGLED),
            "empty TE beside CL": post(b"Transfer-Encoding:\r\nContent-Length: %d\r\n" % len(SMUGGLED),
                                       SMUGGLED),
        }
        for label, raw in cases.items():
            with self.subTest(label):
                self.assert_refused_unforwarded(raw, label)

    def test_te_te_obfuscations_are_refused_unforwarded(self):
        values = [b"xchunked", b"chunkedx", b"chunk", b'"chunked"', b"chunked;q=1", b"chunked, identity",
                  b"chunked\r\nTransfer-Encoding: x", b"\x0bchunked", b"chunked\x00", b"chu nked",
                  b"identity", b"gzip"]
        for value in values:
            with self.subTest(value):
                self.assert_refused_unforwarded(post(b"Transfer-Encoding: " + value + b"\r\n", chunked_smuggle()),
                                                repr(value))

    def test_field_name_tricks_are_refused_unforwarded(self):
        cases = {
            "space before the colon": post(b"Transfer-Encoding : chunked\r\n", chunked_smuggle()),
            "tab before the colon": post(b"Transfer-Encoding\t: chunked\r\n", chunked_smuggle()),
            "leading space on the line (a fold)": post(b"X-A: b\r\n Transfer-Encoding: chunked\r\n",
                                                       chunked_smuggle()),
            "NUL in the name": post(b"Transfer-Encoding\x00: chunked\r\n", chunked_smuggle()),
            "bare LF ending the field": post(b"Transfer-Encoding: chunked\n", chunked_smuggle()),
            "bare CR ending the field": post(b"Transfer-Encoding: chunked\rX: y\r\n", chunked_smuggle()),
        }
        for label, raw in cases.items():
            with self.subTest(label):
                self.assert_refused_unforwarded(raw, label)

    def test_valid_spellings_of_chunked_are_forwarded_once_and_intact(self):
        # (llhttp refuses whitespace after the final "chunked", which RFC 9110
        # allows; refusing is on the safe side, so it is not listed here.)
        for value in (b"chunked", b"Chunked", b"\tchunked", b"gzip, chunked", b"gzip,chunked"):
            with self.subTest(value):
                raw = post(b"Transfer-Encoding:" + value + b"\r\n", b"5\r\nhello\r\n0\r\n\r\n")
                (line, headers), got = self.assert_forwarded_once(raw, repr(value))
                self.assertEqual(line, "POST / HTTP/1.1")
                self.assertNotIn("content-length", [k.lower() for k, _ in headers])
                self.assertTrue(got.endswith(b"\r\n\r\n5\r\nhello\r\n0\r\n\r\n"), got)

    def test_underscored_lookalikes_of_framing_fields_never_reach_the_backend(self):
        # nginx (and so ingress-nginx) drops request fields with '_' by default.
        raw = post(b"Content_Length: %d\r\nTransfer_Encoding: chunked\r\nX_Other: 1\r\n" % len(SMUGGLED), b"")
        (_, headers), _ = self.assert_forwarded_once(raw, "underscores")
        self.assertEqual([k for k, _ in headers if "_" in k], [])

    def test_duplicate_and_list_valued_framing_fields_are_refused(self):
        cases = {
            "two equal Content-Length": post(b"Content-Length: 5\r\nContent-Length: 5\r\n", b"hello"),
            "two different Content-Length": post(b"Content-Length: 5\r\nContent-Length: 6\r\n", b"hello!"),
            "a Content-Length list": post(b"Content-Length: 5, 5\r\n", b"hello"),
            "a signed Content-Length": post(b"Content-Length: +5\r\n", b"hello"),
            "an empty Content-Length": post(b"Content-Length:\r\n", b"hello"),
            "two Host": b"GET / HTTP/1.1\r\nHost: raw.test\r\nHost: evil.test\r\n\r\n",
            "two Transfer-Encoding chunked": post(b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
                                                  b"0\r\n\r\n"),
        }
        for label, raw in cases.items():
            with self.subTest(label):
                self.assert_refused_unforwarded(raw, label)

    def test_a_body_on_a_get_is_forwarded_with_its_length(self):
        # CL.0: a backend that ignores the body of a GET is the backend's
        # problem only if the proxy sends it framed; it must arrive framed.
        raw = b"GET / HTTP/1.1\r\nHost: raw.test\r\nContent-Length: %d\r\n\r\n%s" % (len(SMUGGLED), SMUGGLED)
        (line, headers), got = self.assert_forwarded_once(raw, "GET with a body")
        self.assertIn(("Content-Length", str(len(SMUGGLED))), headers)
        self.assertTrue(got.endswith(b"\r\n\r\n" + SMUGGLED))

    def test_pipelined_requests_are_forwarded_one_by_one(self):
        with self.client() as c:
            c.send(b"GET /one HTTP/1.1\r\nHost: raw.test\r\n\r\n"
                   b"POST /two HTTP/1.1\r\nHost: raw.test\r\nContent-Length: 3\r\n\r\nabc"
                   b"GET /three HTTP/1.1\r\nHost: raw.test\r\n\r\n")
            for _ in range(3):
                self.assertEqual(c.read_response().body, b"ok")
        lines = [line for line, _ in raw_backend.request_heads(self.raw.wait_quiet())]
        self.assertEqual(lines[-3:], ["GET /one HTTP/1.1", "POST /two HTTP/1.1", "GET /three HTTP/1.1"])

    def test_a_request_after_a_refused_one_is_never_forwarded(self):
        resp, got, closed = self.sent_to_backend(post(b"Transfer-Encoding: xchunked\r\n", b"") + SMUGGLED)
        self.assertEqual(resp.status, 400)
        self.assertTrue(closed)
        self.assertEqual(got, b"")

    def test_expect_100_continue_is_forwarded_once(self):
        raw = post(b"Expect: 100-continue\r\nContent-Length: 5\r\n", b"hello")
        (_, headers), got = self.assert_forwarded_once(raw, "expect")
        self.assertTrue(got.endswith(b"\r\n\r\nhello"))


class UnderscoresAllowedTest(raw_backend.RawBackendCase):
    proxy_args = raw_backend.RawBackendCase.proxy_args + ["--enable-underscores-in-headers"]

    def test_underscored_fields_are_forwarded_when_enabled(self):
        (_, headers), _ = self.assert_forwarded_once(
            b"GET / HTTP/1.1\r\nHost: raw.test\r\nX_Custom: 1\r\n\r\n", "enabled")
        self.assertIn(("X_Custom", "1"), headers)


class UpgradeWithout101Test(raw_backend.RawBackendCase):
    """A request that asks for an upgrade the backend refuses stays HTTP on both sides."""

    @classmethod
    def respond(cls, request):
        if request.startswith(b"GET /switch "):
            return b"HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n"
        return b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

    def test_the_bytes_after_a_refused_upgrade_are_parsed_as_http(self):
        with self.client() as c:
            c.send(b"GET /ws HTTP/1.1\r\nHost: raw.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
            self.assertEqual(c.read_response().status, 200)
            # Not a tunnel: this is a request, routed and framed anew.
            c.send(b"GET /after HTTP/1.1\r\nHost: raw.test\r\n\r\n")
            self.assertEqual(c.read_response().status, 200)
        lines = [line for line, _ in raw_backend.request_heads(self.raw.wait_quiet())]
        self.assertEqual(lines[-2:], ["GET /ws HTTP/1.1", "GET /after HTTP/1.1"])

    def test_a_101_to_a_request_that_asked_for_no_upgrade_is_502(self):
        with self.client() as c:
            c.send(b"GET /switch HTTP/1.1\r\nHost: raw.test\r\n\r\n")
            resp = c.read_response(skip_interim=False)
            self.assertEqual(resp.status, 502)
            self.assertTrue(c.is_closed(timeout=3))


# Backend answers by request path; what the client must see is in each test.
RESPONSES = {
    b"/cl-in-connection": b"HTTP/1.1 200 OK\r\nConnection: Content-Length\r\nContent-Length: 5\r\n\r\nhello",
    b"/te-in-connection": b"HTTP/1.1 200 OK\r\nConnection: Transfer-Encoding\r\nTransfer-Encoding: chunked\r\n\r\n"
                          b"5\r\nhello\r\n0\r\n\r\n",
    b"/204-with-body": b"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello",
    b"/304-with-body": b"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\nhello",
    # Legal: a 304's Content-Length is the length of the representation it stands for.
    b"/304-with-length": b"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\nETag: \"a\"\r\n\r\n",
    b"/204-with-length": b"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
    b"/head-with-body": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    b"/interim": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
                 b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    b"/extra-response": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                        b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil",
    b"/cl-list": b"HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok",
    b"/two-cl": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
    b"/te-and-cl": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\nok\r\n0\r\n\r\n",
    b"/empty-te-and-cl": b"HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\nContent-Length: 2\r\n\r\nok",
    b"/te-in-1.0": b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
    b"/bad-chunk": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nok\r\n0\r\n\r\n",
    b"/obs-fold": b"HTTP/1.1 200 OK\r\nX-A: b\r\n c\r\nContent-Length: 2\r\n\r\nok",
    b"/nul": b"HTTP/1.1 200 OK\r\nX-A: b\x00c\r\nContent-Length: 2\r\n\r\nok",
    b"/bad-status": b"HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\nok",
    b"/bare-lf": b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
}
CLOSING_RESPONSES = {
    b"/close-delimited": b"HTTP/1.1 200 OK\r\n\r\nhello, until close",
    b"/te-not-chunked": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nnot really gzip",
    b"/short-body": b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello",
}


class ResponseFramingTest(raw_backend.RawBackendCase):

    @classmethod
    def respond(cls, request):
        path = request.split(b" ", 2)[1]
        if path in CLOSING_RESPONSES:
            return CLOSING_RESPONSES[path], True
        return RESPONSES.get(path, b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext")

    def assert_next_request_is_clean(self, c):
        """The same client connection still frames correctly: the next answer is the next response."""
        resp = c.request("GET", "/next", [("Host", "raw.test")])
        self.assertEqual((resp.status, resp.body), (200, b"next"))

    def get(self, c, path, method="GET"):
        return c.request(method, path, [("Host", "raw.test")])

    def test_framing_fields_named_in_connection_reach_the_client(self):
        for path in ("/cl-in-connection", "/te-in-connection"):
            with self.subTest(path), self.client() as c:
                resp = self.get(c, path)
                self.assertEqual((resp.status, resp.body), (200, b"hello"))
                self.assert_next_request_is_clean(c)

    def test_bodies_after_204_304_and_head_responses_are_dropped(self):
        for path, method, status in (("/204-with-body", "GET", 204), ("/304-with-body", "GET", 304),
                                     ("/head-with-body", "HEAD", 200)):
            with self.subTest(path), self.client() as c:
                resp = self.get(c, path, method)
                self.assertEqual(resp.status, status)
                self.assertEqual(resp.body, b"")
                self.assert_next_request_is_clean(c)

    def test_a_304_or_204_with_a_content_length_and_no_body_is_answered_at_once(self):
        for path, status in (("/304-with-length", 304), ("/204-with-length", 204)):
            with self.subTest(path), self.client() as c:
                resp = c.request("GET", path, [("Host", "raw.test")], timeout=3)
                self.assertEqual(resp.status, status)
                self.assert_next_request_is_clean(c)

    def test_no_content_answers_carry_no_framing_of_a_body(self):
        # RFC 9110 8.6: no Content-Length in a 204 (a client that believed it
        # would wait for 5 bytes that never come, or eat the next response).
        with self.client() as c:
            resp = self.get(c, "/204-with-body")
            self.assertIsNone(resp.header("Content-Length"), resp)
            self.assertIsNone(resp.header("Transfer-Encoding"), resp)

    def test_interim_responses_are_relayed_before_the_final_one(self):
        with self.client() as c:
            c.send(b"GET /interim HTTP/1.1\r\nHost: raw.test\r\n\r\n")
            statuses = []
            while True:
                resp = c.read_response(skip_interim=False)
                statuses.append(resp.status)
                if resp.status >= 200:
                    break
            self.assertEqual(statuses, [100, 103, 200])
            self.assertEqual(resp.body, b"ok")
            self.assert_next_request_is_clean(c)

    def test_extra_bytes_after_a_response_never_reach_the_next_client_request(self):
        with self.client() as c:
            self.assertEqual(self.get(c, "/extra-response").body, b"ok")
            self.assert_next_request_is_clean(c)
        with self.client() as c:
            self.assert_next_request_is_clean(c)

    def test_responses_with_untrustworthy_framing_are_502(self):
        for path in (b"/cl-list", b"/two-cl", b"/te-and-cl", b"/empty-te-and-cl", b"/te-in-1.0", b"/bad-chunk",
                     b"/obs-fold", b"/nul", b"/bad-status", b"/bare-lf"):
            with self.subTest(path), self.client() as c:
                resp = self.get(c, path.decode())
                self.assertEqual(resp.status, 502, resp)
                self.assertTrue(c.is_closed(timeout=3))

    def test_a_body_ending_at_close_ends_the_client_connection(self):
        for path, body in ((b"/close-delimited", b"hello, until close"), (b"/te-not-chunked", b"not really gzip")):
            with self.subTest(path), self.client() as c:
                c.send(b"GET " + path + b" HTTP/1.1\r\nHost: raw.test\r\n\r\n")
                resp = c.read_response()
                self.assertEqual((resp.status, resp.body), (200, body))
                self.assertTrue(c.is_closed(timeout=3))

    def test_a_body_cut_short_by_the_backend_is_not_completed_or_reused(self):
        with self.client() as c:
            c.send(b"GET /short-body HTTP/1.1\r\nHost: raw.test\r\n\r\n")
            with self.assertRaises((h.ConnectionClosed, ConnectionResetError)):
                c.read_response()


if __name__ == "__main__":
    unittest.main()
