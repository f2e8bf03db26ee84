#!/usr/bin/python3
# deeptrace's e2e backend: an HTTP server, a thread per request (Python's
# ThreadingHTTPServer), that asks Redis over a new connection per request
# (raw RESP: no client library needed) and PostgreSQL through libpq (Debian's
# python3-psycopg2; run it with /usr/bin/python3), a new connection too.
#   GET /user/N     GET user:N from Redis: 200 and its value, 404 when nil
#   GET /account/N  GET user:N from Redis, then the name of account N from
#                   PostgreSQL: 200 and both, 404 when PostgreSQL has no row
#   GET /report     a query PostgreSQL refuses: 500 with its error
#   GET /fail       a command Redis refuses: 500 with Redis's error
#   GET /split      no Redis; the response written in four writes
# Usage: [PGPORT=port] dt_backend.py PORT REDIS_PORT [BIND_ADDR]; without
# PGPORT the PostgreSQL paths answer 503.
import os
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


def pg(sql, *args):
    """One statement on a new connection (autocommit: no BEGIN); its rows."""
    import psycopg2
    conn = psycopg2.connect(host="127.0.0.1", port=PGPORT, user="postgres",
                            dbname="postgres", sslmode="disable")
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall()
    finally:
        conn.close()


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
        elif self.path.startswith(("/account/", "/report")) and not PGPORT:
            self.reply(503, b"no PostgreSQL\n")
        elif self.path.startswith("/account/"):
            n = self.path[9:]
            r = redis(RPORT, "GET", "user:" + n)
            rows = pg("SELECT name FROM accounts WHERE id = %s", int(n))
            if rows:
                self.reply(200, r.split(b"\r\n")[1] + b" " + rows[0][0].encode() + b"\n")
            else:
                self.reply(404, b"no such account\n")
        elif self.path == "/report":
            try:
                pg("SELECT count(*) FROM orders")	# no such table
                self.reply(200, b"?\n")
            except Exception as e:
                self.reply(500, str(e).encode())
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
PGPORT = int(os.environ.get("PGPORT") or 0)
Server((sys.argv[3] if len(sys.argv) > 3 else "127.0.0.1", int(sys.argv[1])),
       Handler).serve_forever()
