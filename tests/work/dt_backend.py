#!/usr/bin/python3
# deeptrace's e2e backend: an HTTP server, a thread per request (Python's
# ThreadingHTTPServer), that asks Redis over a new connection per request
# (raw RESP: no client library needed).
#   GET /user/N    GET user:N from Redis: 200 and its value, 404 when nil
#   GET /fail      a command Redis refuses: 500 with Redis's error
#   GET /split     no Redis; the response written in four writes
# Usage: dt_backend.py PORT REDIS_PORT [BIND_ADDR]
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def redis(port, *args):
    """One command on a new connection; the raw reply."""
    req = b"*%d\r\n" % len(args) + b"".join(
        b"$%d\r\n%s\r\n" % (len(a), a) for a in (x.encode() for x in args))
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(req)
        return s.recv(65536)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, code, body):
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.startswith("/user/"):
            r = redis(RPORT, "GET", "user:" + self.path[6:])
            if r.startswith(b"$-1"):
                self.reply(404, b"no such user\n")
            else:
                self.reply(200, r.split(b"\r\n")[1] + b"\n")
        elif self.path == "/fail":
            r = redis(RPORT, "HGET", "user:1", "name")	# user:1 is a string
            self.reply(500, r)
        elif self.path == "/split":
            body = b"x" * 3000
            head = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                    b"Content-Length: %d\r\n\r\n" % len(body))
            for part in (head[:20], head[20:], body[:1000], body[1000:]):
                self.wfile.write(part)
                self.wfile.flush()
                time.sleep(0.005)
        else:
            self.reply(404, b"not found\n")

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6 if ":" in (sys.argv[3:] or [""])[0] else socket.AF_INET


RPORT = int(sys.argv[2])
Server((sys.argv[3] if len(sys.argv) > 3 else "127.0.0.1", int(sys.argv[1])),
       Handler).serve_forever()
