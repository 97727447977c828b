"""Idle keep-alive connections cost little memory (issue 13 item 4): the input buffer is
given back while a connection waits for its next request and taken again when bytes arrive.
A memory check, not a timing one: 2,000 idle connections must raise the process RSS by less
than 8 KiB each (a 32 KiB buffer held per connection costs over 32 KiB each)."""

from __future__ import annotations

import resource
import socket

from fake_origin import Behavior
from harness import distribution, edge_config, http_origin

IDLE = 2000
BUDGET_PER_CONNECTION = 8 * 1024
# ASan's allocator adds redzones and keeps freed memory in quarantine: 11.8 KiB measured per
# idle connection, against more than 40 KiB when each held its 32 KiB input buffer.
BUDGET_PER_CONNECTION_SANITIZED = 20 * 1024
BODY = 1024


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def read_response(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "connection closed before the response head"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed inside the body"
        body += chunk
    assert head.startswith(b"HTTP/1.1 200"), head
    return body


def open_served(port: int, count: int) -> list:
    """`count` connections that each got one answer and stay open, idle."""
    request = b"GET /idle HTTP/1.1\r\nHost: idle.test\r\n\r\n"
    socks = []
    for start in range(0, count, 250):
        batch = [socket.create_connection(("127.0.0.1", port), timeout=10)
                 for _ in range(min(250, count - start))]
        socks += batch
        for s in batch:
            s.sendall(request)
        for s in batch:
            assert len(read_response(s)) == BODY
    return socks


def test_idle_keep_alive_connections_hold_no_input_buffer(cluster):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = 2 * IDLE + 1024  # ours and the edge's (it inherits the limit)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(needed, hard), hard))
    origin = cluster.origin(Behavior(body_size=BODY, headers=[("Cache-Control", "max-age=600")]))
    cfg = edge_config(distribution([http_origin("app", origin.port)], "app",
                                   cache_policy="honour-origin"),
                      cache={"memory": "16MiB"})
    edge = cluster.edge(cfg, workers=1)

    # Warm-up: the allocator's and the pools' first growth is not the connections' cost.
    for s in open_served(edge.port, 200):
        s.close()
    before = rss_bytes(edge.pid)
    idle = open_served(edge.port, IDLE)
    try:
        grown = rss_bytes(edge.pid) - before
        budget = BUDGET_PER_CONNECTION_SANITIZED if edge.sanitized() else BUDGET_PER_CONNECTION
        assert grown < IDLE * budget, \
            f"{IDLE} idle connections added {grown} bytes ({grown // IDLE} per connection)"
        # The buffer is taken again when the next request arrives, on any of them.
        for s in idle[::100]:
            s.sendall(b"GET /idle HTTP/1.1\r\nHost: idle.test\r\n\r\n")
            assert len(read_response(s)) == BODY
    finally:
        for s in idle:
            s.close()
