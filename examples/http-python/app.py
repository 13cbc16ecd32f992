#!/usr/bin/env python3
"""http-python: an http-mode function using only Python's standard library.

faas-runtime starts it, waits for GET / to answer, and turns each event into
an HTTP request to it. Run it as

    FAAS_MODE=http runtime-init invoke --event examples/http-go/event.json -- python3 examples/http-python/app.py

It serves the same routes as examples/http-go (the tests run both through
every event shape): / /echo /cookies /binary /text /status/CODE /stream
/stream-die /slow /die /concurrent and POST /events.
"""
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

inflight = 0
peak = 0
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: faas-runtime reuses connections

    def log_message(self, fmt, *args):
        sys.stderr.write("http-python: " + (fmt % args) + "\n")

    def send(self, status, body=b"", ctype="text/plain; charset=utf-8", headers=()):
        self.send_response(status)
        if body or status not in (204, 304):
            self.send_header("Content-Type", ctype)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def route(self):
        global inflight, peak
        url = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        path = url.path
        if path == "/" and self.command == "GET":
            return self.send(200, b"ok")
        if path == "/echo" or path.startswith("/echo/"):
            headers = {}
            for k, v in self.headers.items():
                headers.setdefault(k, []).append(v)
            out = {"method": self.command, "path": path, "query": url.query, "host": self.headers.get("Host", ""),
                   "headers": headers, "body": self.body().decode("utf-8", "replace")}
            return self.send(200, json.dumps(out).encode(), "application/json", [("X-Echo", "yes")])
        if path == "/cookies":
            return self.send(200, b"cookies set", headers=[("Set-Cookie", "a=1; Path=/"), ("Set-Cookie", "b=2; HttpOnly")])
        if path == "/binary":
            return self.send(200, bytes(range(256)), "image/png")
        if path == "/text":
            n = int(q.get("n", "0"))
            line = b"all work and no play makes jack a dull boy\n"
            data = (line * (n // len(line) + 1))[:n]
            return self.send(200, data)
        if path.startswith("/status/"):
            return self.send(int(path[len("/status/"):]))
        if path == "/stream" or path == "/stream-die":
            n, ms = (int(q.get("n", "0")), int(q.get("ms", "0"))) if path == "/stream" else (2, 20)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(n):
                if i:
                    time.sleep(ms / 1000)
                self.chunk(b"chunk %d\n" % i)
            if path == "/stream-die":
                time.sleep(0.02)
                sys.stderr.write("http-python: exiting in the middle of a stream, as asked\n")
                sys.stderr.flush()
                os._exit(3)
            self.wfile.write(b"0\r\n\r\n")
            return
        if path == "/slow":
            time.sleep(int(q.get("ms", "0")) / 1000)
            return self.send(200, b"slow answer")
        if path == "/die":
            sys.stderr.write("http-python: exiting without an answer, as asked\n")
            sys.stderr.flush()
            os._exit(3)
        if path == "/concurrent":
            with lock:
                inflight += 1
                peak = max(peak, inflight)
            time.sleep(int(q.get("ms", "0")) / 1000)
            with lock:
                inflight -= 1
                p = peak
            return self.send(200, json.dumps({"peak": p}).encode(), "application/json")
        if path == "/events" and self.command == "POST":
            event = self.body()
            ctx = self.headers.get("X-Amzn-Lambda-Context") or "null"
            out = b'{"received":' + event + b',"lambda_context":' + ctx.encode() + b"}"
            return self.send(200, out, "application/json")
        return self.send(404, b"not found")

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = route


def main():
    port = int(os.environ.get("AWS_LWA_PORT") or os.environ.get("PORT") or "8080")
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True

    def term(signum, frame):
        sys.stderr.write("http-python: SIGTERM received, shutting down\n")
        sys.stderr.flush()
        os._exit(0)

    signal.signal(signal.SIGTERM, term)
    sys.stderr.write("http-python: listening on 127.0.0.1:%d\n" % port)
    sys.stderr.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
