"""The viewer side HTTP/1.1 server: keep-alive, pipelining, chunked bodies both ways, HEAD,
Expect: 100-continue, size limits and timeouts."""

from __future__ import annotations

import http.client
import socket
import time

import pytest

from fake_origin import Behavior
from harness import (RawConn, chunked, curl, distribution, edge_config, http_origin,
                     http_request, parse_response, request_bytes)

LIMITS = {"max_uri_bytes": 1024, "max_header_bytes": 4096, "max_header_count": 20,
          "max_body_bytes": 1000}


def make(cluster, behavior=None, limits=None, methods=None, **origin_kw):
    o = cluster.origin(behavior or Behavior(echo=True))
    cfg = edge_config(distribution([http_origin("app", o.port, **origin_kw)], "app",
                                   methods=methods), limits=limits)
    return cluster.edge(cfg), o


# ------------------------------------------------------------------------------ connections


def test_keep_alive_reuses_one_connection(cluster):
    edge, o = make(cluster)
    with RawConn(edge.port) as c:
        for i in range(5):
            c.send(request_bytes("GET", f"/k{i}"))
            r = c.read_response()
            assert r.status == 200 and r.body == f"GET /k{i}".encode()
            assert (r.header("Connection") or "").lower() != "close"
    assert o.paths() == [f"/k{i}" for i in range(5)]


def test_keep_alive_http_client(cluster):
    edge, o = make(cluster)
    conn = http.client.HTTPConnection("127.0.0.1", edge.port, timeout=10)
    try:
        conn.request("GET", "/a")
        r = conn.getresponse()
        assert r.read() == b"GET /a"
        sock = conn.sock
        conn.request("GET", "/b")
        r = conn.getresponse()
        assert r.read() == b"GET /b"
        assert conn.sock is sock, "http.client had to reconnect: keep-alive not honoured"
    finally:
        conn.close()


def test_connection_close_honoured(cluster):
    edge, _ = make(cluster)
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", "/", headers=[("Connection", "close")]))
        r = c.read_response()
        assert r.status == 200
        assert (r.header("Connection") or "").lower() == "close"
        c.wait_closed()


def test_http10_closes_by_default(cluster):
    edge, _ = make(cluster)
    with RawConn(edge.port) as c:
        c.send(b"GET /ten HTTP/1.0\r\n\r\n")
        data, how = c.read_until_close(timeout=5)
    assert how == "eof"
    r, _ = parse_response(data, eof=True)
    assert r.status == 200 and r.body == b"GET /ten"


def test_http10_keep_alive(cluster):
    edge, _ = make(cluster)
    with RawConn(edge.port) as c:
        for i in range(2):
            c.send(f"GET /ka{i} HTTP/1.0\r\nConnection: keep-alive\r\n\r\n".encode())
            r = c.read_response()
            assert r.status == 200 and r.body == f"GET /ka{i}".encode()


def test_pipelining_in_order(cluster):
    # /p1 answers last at the origin (delay) but must come first.
    edge, o = make(cluster)
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", "/_fo/delay_s=0.3/p1") + request_bytes("GET", "/p2") +
               request_bytes("POST", "/p3", body=b"three") + request_bytes("HEAD", "/p4") +
               request_bytes("GET", "/p5"))
        bodies = [c.read_response().body for _ in range(3)]
        head = c.read_response(head_request=True)
        last = c.read_response()
    assert bodies == [b"GET /_fo/delay_s=0.3/p1", b"GET /p2", b"POST /p3"]
    assert head.status == 200 and head.body == b""
    assert last.body == b"GET /p5"
    assert o.completed()[2].body == b"three"


def test_pipelining_split_across_writes(cluster):
    edge, _ = make(cluster)
    data = b"".join(request_bytes("GET", f"/s{i}") for i in range(3))
    with RawConn(edge.port) as c:
        # one request split in the middle of a header name, the rest in one go
        c.send(data[:25])
        c.send(data[25:])
        bodies = [c.read_response().body for _ in range(3)]
    assert bodies == [b"GET /s0", b"GET /s1", b"GET /s2"]


# ------------------------------------------------------------------------------ bodies


def test_chunked_request_body_forwarded(cluster):
    edge, o = make(cluster)
    body = b"The quick brown fox " * 500
    with RawConn(edge.port) as c:
        c.send(request_bytes("POST", "/upload", headers=[("Transfer-Encoding", "chunked")]))
        c.send(chunked(body, [1, 10, 100, 1000, 3000]))
        r = c.read_response()
    assert r.status == 200
    (req,) = o.wait_for_requests(1, complete=True)
    assert req.body == body
    if not req.chunked:
        assert req.header("Content-Length") == str(len(body))


def test_chunked_request_with_extensions_and_trailers(cluster):
    edge, o = make(cluster)
    with RawConn(edge.port) as c:
        c.send(request_bytes("PUT", "/t", headers=[("Transfer-Encoding", "chunked")]) +
               b"5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n" +
               request_bytes("GET", "/after"))
        r1 = c.read_response()
        r2 = c.read_response()
    assert r1.status == 200 and r2.body == b"GET /after"
    assert o.completed()[0].body == b"hello world"


@pytest.mark.parametrize("codings", ["gzip, chunked", "chunked, gzip", "identity", "gzip",
                                     "chunked, chunked"])
def test_transfer_coding_other_than_chunked_is_not_implemented(cluster, codings):
    # "gzip, chunked" used to be accepted with the gzip silently dropped.
    edge, o = make(cluster)
    with RawConn(edge.port) as c:
        c.send(request_bytes("POST", "/te", headers=[("Transfer-Encoding", codings)]) +
               chunked(b"hello") + request_bytes("GET", "/after"))
        r = c.read_response()
        assert r.status == 501, r
        assert (r.header("Connection") or "").lower() == "close"
        c.wait_closed(timeout=5)
    assert o.requests == []


def test_content_length_body_forwarded(cluster):
    edge, o = make(cluster)
    body = bytes(range(256)) * 40
    r = http_request(edge.port, "POST", "/cl", body=body)
    assert r.status == 200
    req = o.completed()[0]
    assert req.body == body and req.header("Content-Length") == str(len(body))


def test_chunked_response_from_chunked_origin(cluster):
    body = b"0123456789abcdef" * 5000
    edge, _ = make(cluster, Behavior(body=body, chunked=True, chunk_size=777))
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", "/chunked"))
        r = c.read_response()
        assert r.status == 200 and r.body == body
        assert r.chunked or r.header("Content-Length") == str(len(body))
        # the connection is still usable
        c.send(request_bytes("GET", "/again"))
        assert c.read_response().body == body


def test_close_delimited_origin_becomes_chunked(cluster):
    body = b"no length here " * 1000
    edge, _ = make(cluster, Behavior(body=body, content_length=False))
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", "/cd"))
        r = c.read_response()
        assert r.status == 200 and r.body == body
        assert r.chunked, r.headers
        assert r.header("Content-Length") is None
        c.send(request_bytes("GET", "/cd2"))  # keep-alive survives
        assert c.read_response().body == body


def test_close_delimited_origin_http10_viewer(cluster):
    body = b"for an old client " * 100
    edge, _ = make(cluster, Behavior(body=body, content_length=False))
    with RawConn(edge.port) as c:
        c.send(b"GET /old HTTP/1.0\r\n\r\n")
        data, how = c.read_until_close(timeout=5)
    r, _ = parse_response(data, eof=True)
    assert r.status == 200 and r.body == body
    assert not r.chunked


def test_curl_chunked_response(cluster):
    body = b"x" * 100000
    edge, _ = make(cluster, Behavior(body=body, chunked=True))
    r = curl(f"{edge.url}/c")
    assert r.exit_code == 0 and r.body == body


def test_head_has_no_body(cluster):
    edge, o = make(cluster, Behavior(body=b"0123456789"))
    with RawConn(edge.port) as c:
        c.send(request_bytes("HEAD", "/h"))
        r = c.read_response(head_request=True)
        assert r.status == 200
        assert r.header("Content-Length") == "10"
        c.send(request_bytes("GET", "/g"))
        r = c.read_response()
        assert r.body == b"0123456789", "bytes after the HEAD response head"
    assert [q.method for q in o.requests] == ["HEAD", "GET"]


def test_head_chunked_origin(cluster):
    edge, _ = make(cluster, Behavior(body=b"abc", chunked=True))
    with RawConn(edge.port) as c:
        c.send(request_bytes("HEAD", "/h") + request_bytes("GET", "/g"))
        assert c.read_response(head_request=True).status == 200
        assert c.read_response().body == b"abc"


def test_204_and_304_have_no_body(cluster):
    edge, _ = make(cluster)
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", "/_fo/status=204,body=/a") +
               request_bytes("GET", "/_fo/status=304,body=/b") + request_bytes("GET", "/c"))
        assert c.read_response().status == 204
        assert c.read_response().status == 304
        assert c.read_response().body == b"GET /c"


# ------------------------------------------------------------------------------ Expect


def test_expect_100_continue(cluster):
    edge, o = make(cluster)
    with RawConn(edge.port) as c:
        c.send(request_bytes("POST", "/e", headers=[("Expect", "100-continue"),
                                                   ("Content-Length", "11")]))
        interim = c.read_response(skip_interim=False, timeout=5)
        assert interim.status == 100, interim
        assert interim.version == "HTTP/1.1"
        assert o.completed() == []
        c.send(b"hello world")
        r = c.read_response()
        assert r.status == 200 and r.body == b"POST /e"
    assert o.completed()[0].body == b"hello world"


def test_expect_100_continue_chunked(cluster):
    edge, o = make(cluster)
    with RawConn(edge.port) as c:
        c.send(request_bytes("PUT", "/e", headers=[("Expect", "100-continue"),
                                                  ("Transfer-Encoding", "chunked")]))
        assert c.read_response(skip_interim=False, timeout=5).status == 100
        c.send(chunked(b"streamed", [3, 5]))
        assert c.read_response().status == 200
    assert o.completed()[0].body == b"streamed"


def test_expect_rejected_request_gets_no_100(cluster):
    edge, o = make(cluster, methods=["GET", "HEAD"])
    with RawConn(edge.port) as c:
        c.send(request_bytes("POST", "/e", headers=[("Expect", "100-continue"),
                                                   ("Content-Length", "5")]))
        r = c.read_response(skip_interim=False, timeout=5)
        assert r.status == 403, r
    assert o.request_count() == 0


def test_expect_too_large_gets_413_without_100(cluster):
    edge, o = make(cluster, limits=LIMITS)
    with RawConn(edge.port) as c:
        c.send(request_bytes("POST", "/e", headers=[("Expect", "100-continue"),
                                                   ("Content-Length", "5000")]))
        r = c.read_response(skip_interim=False, timeout=5)
        assert r.status == 413, r
    assert o.request_count() == 0


# ------------------------------------------------------------------------------ limits


def test_uri_too_long_414(cluster):
    edge, o = make(cluster, limits=LIMITS)
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", "/" + "a" * 2000))
        r = c.read_response()
    assert r.status == 414 and r.header("Server") == "edgefront"
    assert o.request_count() == 0


def test_uri_just_under_limit_ok(cluster):
    edge, o = make(cluster, limits=LIMITS)
    path = "/" + "a" * 900
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", path))
        assert c.read_response().status == 200
    assert o.requests[0].path == path


def test_header_block_too_large_431(cluster):
    edge, o = make(cluster, limits=LIMITS)
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", "/", headers=[("X-Big", "b" * 5000)]))
        r = c.read_response()
    assert r.status == 431 and r.header("Server") == "edgefront"
    assert o.request_count() == 0


def test_many_small_headers_over_byte_limit_431(cluster):
    edge, o = make(cluster, limits=dict(LIMITS, max_header_count=1000))
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", "/", headers=[(f"X-H{i}", "v" * 200) for i in range(30)]))
        assert c.read_response().status == 431
    assert o.request_count() == 0


def test_too_many_headers_431(cluster):
    edge, o = make(cluster, limits=LIMITS)
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", "/", headers=[(f"X-H{i}", "v") for i in range(30)]))
        r = c.read_response()
    assert r.status == 431
    assert o.request_count() == 0


def test_headers_at_count_limit_ok(cluster):
    edge, o = make(cluster, limits=LIMITS)
    with RawConn(edge.port) as c:
        # Host + 15 = 16 headers, under 20
        c.send(request_bytes("GET", "/", headers=[(f"X-H{i}", "v") for i in range(15)]))
        assert c.read_response().status == 200


def test_body_too_large_413(cluster):
    edge, o = make(cluster, limits=LIMITS)
    with RawConn(edge.port) as c:
        c.send(request_bytes("POST", "/", headers=[("Content-Length", "2000")]))
        r = c.read_response()
    assert r.status == 413 and r.header("Server") == "edgefront"
    assert o.request_count() == 0


def test_body_at_limit_ok(cluster):
    edge, o = make(cluster, limits=LIMITS)
    r = http_request(edge.port, "POST", "/", body=b"z" * 1000)
    assert r.status == 200
    assert o.completed()[0].body_len == 1000


def test_chunked_body_too_large_413(cluster):
    edge, o = make(cluster, limits=LIMITS)
    with RawConn(edge.port) as c:
        c.send(request_bytes("POST", "/", headers=[("Transfer-Encoding", "chunked")]) +
               chunked(b"q" * 3000, [500] * 6))
        r = c.read_response()
    assert r.status == 413, r
    # whatever reached the origin was never a complete request
    assert o.completed() == []


# ------------------------------------------------------------------------------ timeouts


def test_slowloris_header_timeout(cluster):
    edge, o = make(cluster, limits={"header_timeout": "1s"})
    with RawConn(edge.port) as c:
        t0 = time.monotonic()
        c.send(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # and never finish the head
        data, how = c.read_until_close(timeout=6)
        elapsed = time.monotonic() - t0
    assert how in ("eof", "reset"), "connection still open after 6s with header_timeout 1s"
    assert 0.5 <= elapsed < 5, elapsed
    if data:
        r, _ = parse_response(data, eof=True)
        assert r.status == 408
    assert o.request_count() == 0


def test_slowloris_dribble_does_not_extend_header_timeout(cluster):
    """One byte at a time keeps the socket busy but the head must still finish in time."""
    edge, o = make(cluster, limits={"header_timeout": "1s"})
    head = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Pad: " + b"p" * 60 + b"\r\n\r\n"
    with RawConn(edge.port) as c:
        t0 = time.monotonic()
        closed = False
        for i in range(len(head)):
            try:
                c.send(head[i:i + 1])
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            # wait for the server to close, at most 50 ms per byte (the head takes ~4.5 s)
            data, how = c.read_until_close(timeout=0.05)
            if data and how == "timeout":
                # The 408 has started to arrive; a loaded machine may deliver the FIN later.
                more, how = c.read_until_close(timeout=5)
                data += more
            if how != "timeout":
                closed = True
                if data:
                    assert parse_response(data, eof=True)[0].status == 408
                break
            assert data == b""
        elapsed = time.monotonic() - t0
    assert closed, "the dribbled head was accepted"
    assert elapsed < 5, elapsed
    assert o.request_count() == 0


def test_idle_keep_alive_timeout(cluster):
    edge, _ = make(cluster, limits={"idle_timeout": "1s"})
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", "/"))
        assert c.read_response().status == 200
        t0 = time.monotonic()
        data, how = c.read_until_close(timeout=6)
        elapsed = time.monotonic() - t0
    assert how in ("eof", "reset") and data == b"", (how, data)
    assert 0.5 <= elapsed < 5, elapsed


def test_idle_timeout_before_first_request(cluster):
    edge, _ = make(cluster, limits={"idle_timeout": "1s", "header_timeout": "10s"})
    with RawConn(edge.port) as c:
        data, how = c.read_until_close(timeout=6)
    assert how in ("eof", "reset")
    assert data == b"" or parse_response(data, eof=True)[0].status == 408


def test_request_within_idle_timeout_keeps_connection(cluster):
    edge, _ = make(cluster, limits={"idle_timeout": "2s"})
    with RawConn(edge.port) as c:
        for _ in range(3):
            c.send(request_bytes("GET", "/"))
            assert c.read_response().status == 200


# ------------------------------------------------------------------------------ misc


def test_missing_host_http11_is_400(cluster):
    edge, o = make(cluster)
    with RawConn(edge.port) as c:
        c.send(b"GET / HTTP/1.1\r\nX-A: b\r\n\r\n")
        assert c.read_response().status == 400
    assert o.request_count() == 0


def test_two_host_headers_is_400(cluster):
    edge, o = make(cluster)
    with RawConn(edge.port) as c:
        c.send(b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
        assert c.read_response().status == 400
    assert o.request_count() == 0


def test_absolute_form_target(cluster):
    edge, o = make(cluster)
    with RawConn(edge.port) as c:
        c.send(b"GET http://edge.example/abs?q=1 HTTP/1.1\r\nHost: edge.example\r\n\r\n")
        assert c.read_response().status == 200
    assert o.requests[0].target == "/abs?q=1"


def test_many_sequential_connections(cluster):
    edge, _ = make(cluster)
    for i in range(50):
        s = socket.create_connection(("127.0.0.1", edge.port), timeout=5)
        try:
            s.sendall(request_bytes("GET", f"/n{i}", headers=[("Connection", "close")]))
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        finally:
            s.close()
        r, _ = parse_response(data, eof=True)
        assert r.status == 200 and r.body == f"GET /n{i}".encode()


def test_viewer_disconnect_mid_response_does_not_break_edge(cluster):
    edge, o = make(cluster, Behavior(body_size=32 << 20))
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", "/big"))
        assert c.read_until(lambda b: len(b) > 100000)
    # the edge keeps serving others
    r = http_request(edge.port, "GET", "/_fo/body_size=10/small")
    assert r.status == 200 and len(r.body) == 10
