#!/usr/bin/env python3
"""Hostile HTTP against tfe-server: smuggling shapes, oversized parts, bad methods and versions, odd
targets, percent-encoding traps, pipelining, a slow client, more connections than the limit.
After every case another client is served and the engine's state is unchanged.

Usage: hostile_http.py TFE_SERVER_BIN"""
import json
import socket
import subprocess
import sys
import threading
import time

SERVER = sys.argv[1]
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


proc = subprocess.Popen([SERVER, "--port", "0", "--idle-timeout", "2s", "--max-connections", "16", "--workers", "2"],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
line = proc.stdout.readline().strip()
PORT = int(line.rsplit(":", 1)[1])


def exchange(data, read_timeout=10, shutdown=False):
    """Sends raw bytes; returns everything received until the server closes or the timeout."""
    s = socket.create_connection(("127.0.0.1", PORT), timeout=read_timeout)
    try:
        s.sendall(data)
        if shutdown:
            s.shutdown(socket.SHUT_WR)
        got = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                return got
            except ConnectionResetError:
                return got
            if not chunk:
                return got
            got += chunk
    finally:
        s.close()


def request(method, path, body=b"", headers=None):
    h = {"Host": "t", "Authorization": "Bearer t", "Connection": "close"}
    h.update(headers or {})
    if body:
        h["Content-Type"] = "application/vnd.api+json"
        h["Content-Length"] = str(len(body))
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n"
    return head.encode() + body


def status_of(raw):
    try:
        return int(raw.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return 0


def api(method, path, doc=None):
    raw = exchange(request(method, path, json.dumps(doc).encode() if doc is not None else b""))
    head, _, body = raw.partition(b"\r\n\r\n")
    return status_of(raw), (json.loads(body) if body.strip() else None)


def state():
    snap = api("GET", "/_tfe/snapshot")[1]
    snap.pop("now", None)  # the system clock moves; everything else must not
    return snap


api("POST", "/api/v2/organizations", {"data": {"type": "organizations", "attributes": {"name": "acme", "email": "a@b.test"}}})
ws = api("POST", "/api/v2/organizations/acme/workspaces", {"data": {"type": "workspaces", "attributes": {"name": "w"}}})[1]
WS = ws["data"]["id"]


def after(case):
    st, _ = api("GET", "/api/v2/ping")
    check(st == 204, f"{case}: another client is served")
    check(state() == BASE, f"{case}: state unchanged")


BASE = state()

cases = [
    ("Content-Length with Transfer-Encoding", b"POST /api/v2/runs HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /api/v2/organizations HTTP/1.1\r\nHost: t\r\n\r\n", {400}),
    ("two different Content-Length", b"POST /api/v2/runs HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n"
     b"Content-Length: 3\r\n\r\nabc", {400}),
    ("negative Content-Length", b"POST /api/v2/runs HTTP/1.1\r\nHost: t\r\nContent-Length: -5\r\n\r\n", {400}),
    ("Content-Length with a sign", b"POST /api/v2/runs HTTP/1.1\r\nHost: t\r\nContent-Length: +5\r\n\r\nabcde", {400}),
    ("bad chunk size", b"POST /api/v2/runs HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", {400}),
    ("chunk size overflow", b"POST /api/v2/runs HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"fffffffffffffffffff\r\n", {400, 413}),
    ("Transfer-Encoding not chunked", b"POST /api/v2/runs HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", {400, 501}),
    ("request line over 8 KiB", b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: t\r\n\r\n", {414}),
    ("headers over 32 KiB", b"GET / HTTP/1.1\r\nHost: t\r\n" + b"".join(b"X-%d: %s\r\n" % (i, b"v" * 100) for i in range(400)) + b"\r\n", {431}),
    ("body over the upload limit", b"PUT /v1/object/upload/x HTTP/1.1\r\nHost: t\r\nContent-Length: 999999999999\r\n\r\n", {413}),
    ("invalid method token", b"G(T / HTTP/1.1\r\nHost: t\r\n\r\n", {400}),
    ("unknown method", request("BREW", "/api/v2/ping"), {400, 405, 501}),
    ("HTTP/2.0 version", b"GET /api/v2/ping HTTP/2.0\r\nHost: t\r\n\r\n", {505}),
    ("malformed version", b"GET /api/v2/ping HTTP/1.x\r\nHost: t\r\n\r\n", {400}),
    ("absolute-form target", b"GET http://t/api/v2/ping HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer t\r\n"
     b"Connection: close\r\n\r\n", {204, 400}),
    ("asterisk target", b"OPTIONS * HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", {400, 404, 405}),
    ("encoded slash", request("GET", f"/api/v2/workspaces/{WS}%2F..%2F..%2Fetc"), {400}),
    ("encoded NUL", request("GET", "/api/v2/organizations/acme%00x"), {400}),
    ("overlong UTF-8 slash", request("GET", "/api/v2/organizations/%C0%AF..%C0%AFetc"), {404}),
    ("path traversal", request("GET", "/api/v2/../../../etc/passwd"), {404}),
    ("dot segments to the admin API", request("POST", "/api/v2/../../_tfe/reset"), {404}),
    ("NUL in a header", b"GET /api/v2/ping HTTP/1.1\r\nHost: t\r\nX: a\x00b\r\n\r\n", {400}),
    ("bare CR in a header", b"GET /api/v2/ping HTTP/1.1\r\nHost: t\r\nX: a\rb\r\n\r\n", {400}),
    ("header without a colon", b"GET /api/v2/ping HTTP/1.1\r\nHost: t\r\nBroken\r\n\r\n", {400}),
    ("space before the colon", b"GET /api/v2/ping HTTP/1.1\r\nHost : t\r\n\r\n", {400}),
    ("obsolete line folding", b"GET /api/v2/ping HTTP/1.1\r\nHost: t\r\nX: a\r\n b\r\n\r\n", {400}),
    ("binary garbage", bytes(range(256)) * 4, {400}),
]
for name, data, allowed in cases:
    raw = exchange(data, shutdown=True)
    st = status_of(raw)
    check(st in allowed, f"{name}: status {st} in {sorted(allowed)}")
    after(name)

# Pipelined requests: three answers in order on one connection.
pipe = (request("GET", "/api/v2/ping", headers={"Connection": "keep-alive"}) +
        request("GET", "/api/v2/organizations/acme", headers={"Connection": "keep-alive"}) +
        request("GET", "/api/v2/organizations/nope"))
raw = exchange(pipe)
codes = [int(x.split(b" ")[1]) for x in raw.split(b"HTTP/1.1")[1:]] if raw else []
check(codes == [204, 200, 404], f"pipelined requests answered in order: {codes}")
after("pipelining")

# A slow client, one byte at a time: others are served meanwhile, and it is cut off (idle limit 2 s,
# counted from the first byte of the request, so trickling bytes does not extend it).
slow = socket.create_connection(("127.0.0.1", PORT), timeout=10)
cut_off = threading.Event()


def trickle():
    msg = b"GET /api/v2/ping HTTP/1.1\r\nHost: t\r\n" + b"X-Slow: " + b"a" * 200
    try:
        for b in msg:
            slow.send(bytes([b]))
            time.sleep(0.25)
    except OSError:
        cut_off.set()
        return
    # every byte went out: the server never cut the connection (cut_off stays unset)


t = threading.Thread(target=trickle)
t.start()
served_meanwhile = api("GET", "/api/v2/ping")[0] == 204
t.join(timeout=60)
check(served_meanwhile, "a slow client does not hold up others")
check(cut_off.is_set(), "a slow client is cut off after the idle limit")
slow.close()
after("slow client")

# More connections than the limit (16): the extra ones get 503 and are closed; all is well after.
held = []
for _ in range(16):
    c = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    held.append(c)
time.sleep(0.2)
over = socket.create_connection(("127.0.0.1", PORT), timeout=10)
over.sendall(request("GET", "/api/v2/ping"))
got = b""
try:
    while True:
        chunk = over.recv(4096)
        if not chunk:
            break
        got += chunk
except OSError:
    pass
over.close()
check(status_of(got) == 503, f"over the connection limit: {status_of(got)}")
for c in held:
    c.close()
time.sleep(0.3)
after("connection limit")

proc.terminate()
check(proc.wait(timeout=30) == 0, "tfe-server exits 0 on SIGTERM")
print(f"hostile HTTP: {len(failures)} failed")
sys.exit(1 if failures else 0)
