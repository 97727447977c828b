"""Self-tests of the harness: the fake origin and the client helpers (no edgefront needed)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import zlib

import pytest

import harness
from fake_origin import (Behavior, FakeOrigin, PatternChecker, override_from_target,
                         pattern_bytes, pattern_crc32, refusing_port)
from harness import RawConn, chunked, curl, parse_metrics, parse_response, request_bytes


def test_basic_get_and_record(origins):
    o = origins(Behavior(body=b"hello", headers=[("X-Test", "1")]))
    r = harness.http_get(o.port, "/a/b?c=d", headers={"X-Custom": "v"})
    assert r.status == 200
    assert r.body == b"hello"
    assert r.header("X-Test") == "1"
    assert r.header("Content-Length") == "5"
    assert r.header("Server") == "fake-origin"
    (req,) = o.wait_for_requests(1, complete=True)
    assert req.method == "GET"
    assert req.target == "/a/b?c=d"
    assert req.path == "/a/b" and req.query == "c=d"
    assert req.header("x-custom") == "v"
    assert req.complete and req.body == b""


def test_keep_alive_and_pipelining(origins):
    o = origins(Behavior(echo=True))
    with RawConn(o.port) as c:
        c.send(request_bytes("GET", "/1", host="o") + request_bytes("GET", "/2", host="o") +
               request_bytes("POST", "/3", body=b"xyz", host="o"))
        bodies = [c.read_response().body for _ in range(3)]
    assert bodies == [b"GET /1", b"GET /2", b"POST /3"]
    assert o.connections == 1
    assert o.requests[2].body == b"xyz"


def test_path_override(origins):
    o = origins(Behavior(status=200, body=b"default"))
    r = harness.http_get(o.port, "/prefix/_fo/status=503,body=down,h.X-A=b%20c/rest?q=1")
    assert r.status == 503 and r.body == b"down" and r.header("X-A") == "b c"
    assert harness.http_get(o.port, "/plain").body == b"default"
    assert override_from_target("/x/_fo/hang=1,delay_s=0.5/y") == {"hang": True, "delay_s": 0.5}
    # scoped to one origin by name
    assert override_from_target("/_fo@a/status=500/_fo@b/status=404/x", "a") == {"status": 500}
    assert override_from_target("/_fo@a/status=500/_fo@b/status=404/x", "b") == {"status": 404}
    assert override_from_target("/_fo@a/status=500/x", "c") is None
    assert override_from_target("/_fo/body=x/_fo@c/status=201/x", "c") == {"body": b"x",
                                                                           "status": 201}
    named = origins(Behavior(body=b"n"), name="named")
    assert harness.http_get(named.port, "/_fo@other/status=500/x").status == 200
    assert harness.http_get(named.port, "/_fo@named/status=500/x").status == 500
    with pytest.raises(ValueError):
        override_from_target("/_fo/nonsense=1/")


def test_handler_and_set(origins):
    o = origins(handler=lambda req: Behavior(status=404) if req.path == "/missing" else None)
    assert harness.http_get(o.port, "/missing").status == 404
    assert harness.http_get(o.port, "/other").status == 200
    o.set(status=503)
    assert harness.http_get(o.port, "/other").status == 503


def test_chunked_response_and_head(origins):
    o = origins(Behavior(body=b"abcdefghij", chunked=True, chunk_size=3))
    with RawConn(o.port) as c:
        c.send(request_bytes("GET", "/", host="o"))
        r = c.read_response()
        assert r.chunked and r.body == b"abcdefghij"
        assert r.raw.count(b"\r\n3\r\n") >= 2
        c.send(request_bytes("HEAD", "/", host="o"))
        r = c.read_response(head_request=True)
        assert r.body == b"" and r.header("Transfer-Encoding") == "chunked"
        c.send(request_bytes("GET", "/", host="o"))
        assert c.read_response().body == b"abcdefghij"


def test_close_delimited_response(origins):
    o = origins(Behavior(body=b"until-close", content_length=False))
    data = harness.raw_request(o.port, request_bytes("GET", "/", host="o"))
    r, _ = parse_response(data, eof=True)
    assert r.body == b"until-close" and r.header("Connection") == "close"
    assert r.header("Content-Length") is None


def test_generated_body(origins):
    size = 3 * (1 << 20) + 12345
    o = origins(Behavior(body_size=size))
    r = harness.http_get(o.port, "/big")
    assert len(r.body) == size
    chk = PatternChecker()
    chk.update(r.body)
    assert chk.mismatch_at is None and chk.offset == size
    assert zlib.crc32(r.body) == pattern_crc32(size)
    assert r.body[1000:1010] == pattern_bytes(1000, 10)
    bad = bytearray(r.body)
    bad[2_000_000] ^= 1
    chk = PatternChecker()
    chk.update(bad)
    assert chk.mismatch_at is not None


def test_chunked_request_body_recorded(origins):
    o = origins()
    body = b"hello chunked world" * 100
    with RawConn(o.port) as c:
        c.send(request_bytes("POST", "/up", headers=[("Transfer-Encoding", "chunked")],
                             host="o") + chunked(body, [7, 100, 1000]))
        assert c.read_response().status == 200
    (req,) = o.wait_for_requests(1, complete=True)
    assert req.chunked and req.body == body and req.body_len == len(body)
    assert req.body_crc32 == zlib.crc32(body)


def test_discard_body_counts(origins):
    o = origins(Behavior(discard_body=True))
    body = b"x" * 100000
    r = harness.http_request(o.port, "PUT", "/", body=body)
    assert r.status == 200
    req = o.completed()[0]
    assert req.body == b"" and req.body_len == 100000 and req.body_crc32 == zlib.crc32(body)


def test_expect_100_continue(origins):
    o = origins()
    with RawConn(o.port) as c:
        c.send(request_bytes("POST", "/", headers=[("Expect", "100-continue"),
                                                   ("Content-Length", "4")], host="o"))
        interim = c.read_response(skip_interim=False)
        assert interim.status == 100
        c.send(b"data")
        assert c.read_response().status == 200
    assert o.requests[0].body == b"data"


def test_delay(origins):
    o = origins(Behavior(delay_s=0.3))
    t0 = time.monotonic()
    assert harness.http_get(o.port).status == 200
    assert time.monotonic() - t0 >= 0.25


def test_hang_until_release(origins):
    o = origins(Behavior(hang=True, body=b"late"))
    with RawConn(o.port, timeout=5) as c:
        c.send(request_bytes("GET", "/", host="o"))
        o.wait_for_requests(1)
        with pytest.raises(TimeoutError):
            c.read_response(timeout=0.3)
        o.release()
        assert c.read_response().body == b"late"


def test_hang_ends_at_stop():
    o = FakeOrigin(Behavior(hang=True)).start()
    c = RawConn(o.port, timeout=5)
    c.send(request_bytes("GET", "/", host="o"))
    o.wait_for_requests(1)
    t0 = time.monotonic()
    o.stop()
    data, how = c.read_until_close(timeout=5)
    assert how in ("eof", "reset") and data == b""
    assert time.monotonic() - t0 < 3
    c.close()


def test_reset_after_bytes(origins):
    o = origins(Behavior(body_size=1 << 20, reset_after_bytes=1000))
    with RawConn(o.port) as c:
        c.send(request_bytes("GET", "/", host="o"))
        data, how = c.read_until_close(timeout=5)
    assert how == "reset" or len(data) < (1 << 20)
    assert b"Content-Length: 1048576" in data


def test_reset_gated(origins):
    o = origins(Behavior(body_size=1 << 20, reset_after_bytes=1000, gate=True))
    with RawConn(o.port) as c:
        c.send(request_bytes("GET", "/", host="o"))
        assert c.read_until(lambda b: b"\r\n\r\n" in b and
                            len(b) >= b.find(b"\r\n\r\n") + 4 + 1000)
        assert not c.eof
        o.release()
        data, how = c.read_until_close(timeout=5)
    assert how == "reset"


def test_stall_after_bytes(origins):
    o = origins(Behavior(body_size=10000, stall_after_bytes=100))
    with RawConn(o.port) as c:
        c.send(request_bytes("GET", "/", host="o"))
        assert c.read_until(lambda b: len(b) > 100)
        data, how = c.read_until_close(timeout=0.3)
        assert how == "timeout" and len(data) < 10000
        o.release()
        data, how = c.read_until_close(timeout=5)
        assert how == "eof"


def test_close_after_headers(origins):
    o = origins(Behavior(body=b"never", close_after_headers=True))
    data = harness.raw_request(o.port, request_bytes("GET", "/", host="o"))
    assert data.startswith(b"HTTP/1.1 200") and data.endswith(b"\r\n\r\n")
    with pytest.raises(harness.Incomplete):
        parse_response(data, eof=True)


def test_keep_alive_off(origins):
    o = origins(Behavior(keep_alive=False))
    with RawConn(o.port) as c:
        c.send(request_bytes("GET", "/", host="o"))
        r = c.read_response()
        assert r.header("Connection") == "close"
        c.wait_closed()


def test_refusing_port():
    port = refusing_port()
    assert harness.port_refuses(port)


def test_curl_wrapper(origins):
    o = origins(Behavior(body=b"via curl", headers=[("X-Y", "z")]))
    r = curl(f"{o.url}/c")
    assert r.exit_code == 0 and r.status == 200 and r.body == b"via curl"
    assert r.header("x-y") == "z"
    port = refusing_port()
    r = curl(f"http://127.0.0.1:{port}/")
    assert r.exit_code == 7  # couldn't connect


def test_parse_response_cases():
    raw = (b"HTTP/1.1 100 Continue\r\n\r\n"
           b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"3;ext=1\r\nabc\r\n0\r\nTrailer: x\r\n\r\n"
           b"HTTP/1.1 204 No Content\r\n\r\n")
    r, n = parse_response(raw)
    assert r.status == 100
    raw = raw[n:]
    r, n = parse_response(raw)
    assert r.status == 200 and r.body == b"abc"
    raw = raw[n:]
    r, n = parse_response(raw)
    assert r.status == 204 and n == len(raw)
    assert parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab") is None
    with pytest.raises(harness.Incomplete):
        parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", eof=True)


def test_parse_metrics():
    text = """# HELP edgefront_requests_total Viewer requests.
# TYPE edgefront_requests_total counter
edgefront_requests_total{status="2xx"} 3
edgefront_requests_total{status="5xx"} 2
edgefront_origin_errors_total{distribution="main",origin="app",kind="connect"} 1
edgefront_origin_failovers_total{distribution="main",group="grp",from="app"} 1
edgefront_connections_accepted_total 7
weird{a="x\\"y",b="1,2"} 1.5e3
"""
    m = parse_metrics(text)
    assert harness.metric_value(m, "edgefront_requests_total", status="5xx") == 2
    assert harness.metric_value(m, "edgefront_origin_errors_total", distribution="main",
                                origin="app", kind="connect") == 1
    assert harness.metric_value(m, "edgefront_origin_failovers_total", distribution="main",
                                group="grp", **{"from": "app"}) == 1
    assert harness.metric_value(m, "edgefront_connections_accepted_total") == 7
    assert harness.metric_value(m, "weird", a='x"y', b="1,2") == 1500
    assert harness.metric_value(m, "absent") == 0
    assert harness.metric_sum(m, "edgefront_requests_total") == 5


def test_edge_start_reports_failures(tmp_path):
    """The Edge wrapper on a stand-in binary: reads the listening lines, or reports exits."""
    fake = tmp_path / "fake-edge"
    fake.write_text(f"""#!{sys.executable}
import socket, sys, signal, time
if '--fail' in sys.argv:
    print('admin: bind 127.0.0.1:9901: Address already in use', file=sys.stderr)
    sys.exit(1)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()
a = socket.socket(); a.bind(('127.0.0.1', 0)); a.listen()
print('edgefront listening on http://127.0.0.1:%d' % s.getsockname()[1])
print('edgefront admin listening on http://127.0.0.1:%d' % a.getsockname()[1], flush=True)
while True:
    signal.pause()
""")
    fake.chmod(0o755)
    e = harness.Edge(fake, tmp_path / "w", {"server": {}, "distributions": []})
    e.start()
    try:
        assert e.port > 0 and e.admin_port and e.admin_port != e.port
        cfg = json.loads(e.config_path.read_text())
        assert cfg["server"]["admin"] == "127.0.0.1:0"
        assert e.thread_count() >= 1
    finally:
        assert e.stop() == 0
    e2 = harness.Edge(fake, tmp_path / "w2", None, extra_args=["--fail"], expect_admin=True)
    with pytest.raises(harness.EdgeStartError) as info:
        e2.start()
    assert info.value.admin_port_busy and info.value.returncode == 1


def test_wait_until():
    t0 = time.monotonic()
    with pytest.raises(AssertionError):
        harness.wait_until(lambda: False, timeout=0.2, desc="never")
    assert time.monotonic() - t0 < 2
    assert harness.wait_until(lambda: 42) == 42


def test_stop_is_prompt_with_idle_keepalive_clients():
    o = FakeOrigin().start()
    socks = []
    for _ in range(5):
        s = socket.create_connection(("127.0.0.1", o.port))
        s.sendall(request_bytes("GET", "/", host="o"))
        socks.append(s)
    o.wait_for_requests(5, complete=True)
    t0 = time.monotonic()
    o.stop()
    assert time.monotonic() - t0 < 3
    for s in socks:
        s.close()


def test_curl_available():
    assert subprocess.run(["curl", "--version"], capture_output=True).returncode == 0
