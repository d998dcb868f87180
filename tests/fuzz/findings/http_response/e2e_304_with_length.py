# Open finding (see README.md): sluice in front of a backend answering 304 with Content-Length: 5.
# Run from tests/integration with SLUICE_BIN and SLUICE_REPO set; prints whether the client got the 304.
import os, socket, sys, threading, time, unittest
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "support"))
import harness as h

class T(unittest.TestCase):
    def test_304_with_length(self):
        srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(8)
        port = srv.getsockname()[1]
        def serve():
            while True:
                try: c, _ = srv.accept()
                except OSError: return
                c.recv(65536)
                c.sendall(b"HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\nContent-Length: 5\r\n\r\n")
        threading.Thread(target=serve, daemon=True).start()
        self.addCleanup(srv.close)
        d = h.write_manifests(h.temp_dir(self), {"all.yaml": h.backend_objects("dev", port) +
                              [h.ingress("web", [(None, [("/", "Prefix", "dev", 80)])])]})
        proxy = h.start_proxy(self, d)
        c = proxy.connect(timeout=5)
        c.send(b"GET / HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"x\"\r\n\r\n")
        t0 = time.time()
        try:
            r = c.read_response(timeout=5)
            print("status", r.status, "after", round(time.time() - t0, 2), "s")
        except Exception as e:
            print("no response within 5 s:", type(e).__name__, e)
unittest.main()
