"""HTTP/2 for viewers: ALPN h2 on TLS and h2c with prior knowledge on plain listeners, served
by the same pipeline as HTTP/1.1; multiplexing, request bodies, flow control with bounded
memory, the limits (rapid reset, header floods, concurrent streams) and GOAWAY on drain.

Clients: curl (--http2 / --http2-prior-knowledge; curl 7.88 cannot reuse an h2c connection,
curl/curl#10634, so reuse is tested with TLS or with python3-h2) and python3-h2 for frame-level
control."""

from __future__ import annotations

import signal
import socket
import subprocess
import ssl
import time

import pytest

from fake_origin import Behavior, pattern_bytes, pattern_crc32
from harness import curl, distribution, edge_config, http_origin, wait_until
from tls_certs import make_test_certs, make_viewer_certs, openssl_available

h2 = pytest.importorskip("h2.connection", reason="python3-h2 is needed")
import h2.config  # noqa: E402
import h2.events  # noqa: E402
import h2.settings  # noqa: E402

MiB = 1 << 20
GiB = 1 << 30
MAX_HWM = 200 * MiB
MAX_HWM_SANITIZED = 700 * MiB


@pytest.fixture(scope="module")
def vc(tmp_path_factory):
    if not openssl_available():
        pytest.skip("no openssl CLI")
    return make_viewer_certs(make_test_certs(tmp_path_factory.mktemp("h2-certs")))


def config(origin_port: int, vc=None, limits=None, **origin) -> dict:
    listen = ["127.0.0.1:0"]
    if vc is not None:
        listen.append({"address": "127.0.0.1:0", "tls": {"certificates": [
            {"cert": str(vc.default_site.cert), "key": str(vc.default_site.key)}]}})
    lim = {"send_timeout": "60s", "body_timeout": "30s"}
    lim.update(limits or {})
    return edge_config(distribution([http_origin("app", origin_port, read_timeout="30s",
                                                 **origin)], "app"),
                       listen=listen, limits=lim)


def ports(edge) -> dict:
    return {s: p for (_, p), s in zip(edge.listen_addrs, edge.listen_schemes)}


class H2Client:
    """A python3-h2 client on one TCP (or TLS) connection, driven synchronously."""

    def __init__(self, port: int, tls_ctx: ssl.SSLContext | None = None, window: int = 65535,
                 server_name: str = "default.test"):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        if tls_ctx is not None:
            self.sock = tls_ctx.wrap_socket(self.sock, server_hostname=server_name)
            assert self.sock.selected_alpn_protocol() == "h2"
        cfg = h2.config.H2Configuration(client_side=True, header_encoding=None)
        self.conn = h2.connection.H2Connection(cfg)
        self.conn.local_settings = h2.settings.Settings(
            client=True, initial_values={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: window})
        self.conn.initiate_connection()
        self.flush()
        self.events: list = []
        self.responses: dict = {}
        self.bodies: dict = {}
        self.ended: set = set()
        self.resets: dict = {}
        self.terminated = None
        self.remote_settings: dict = {}
        self.closed = False

    def flush(self) -> None:
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def request(self, path: str, method: str = "GET", body: bytes | None = None,
                headers: list | None = None, end: bool = True) -> int:
        sid = self.conn.get_next_available_stream_id()
        hs = [(":method", method), (":path", path), (":scheme", "https"),
              (":authority", "default.test")] + list(headers or [])
        self.conn.send_headers(sid, hs, end_stream=end and body is None)
        if body is not None:
            self.conn.send_data(sid, body, end_stream=end)
        self.flush()
        return sid

    def pump(self, ack: bool = True) -> None:
        """Reads once and handles events; `ack` returns flow-control credit for data."""
        try:
            data = self.sock.recv(1 << 20)
        except (ConnectionResetError, ssl.SSLError):
            data = b""
        if not data:
            self.closed = True
            return
        for e in self.conn.receive_data(data):
            self.events.append(e)
            if isinstance(e, h2.events.ResponseReceived):
                self.responses[e.stream_id] = dict(e.headers)
            elif isinstance(e, h2.events.DataReceived):
                self.bodies.setdefault(e.stream_id, bytearray()).extend(e.data)
                if ack:
                    self.conn.acknowledge_received_data(e.flow_controlled_length, e.stream_id)
            elif isinstance(e, h2.events.StreamEnded):
                self.ended.add(e.stream_id)
            elif isinstance(e, h2.events.StreamReset):
                self.resets[e.stream_id] = e.error_code
            elif isinstance(e, h2.events.ConnectionTerminated):
                self.terminated = e
            elif isinstance(e, h2.events.RemoteSettingsChanged):
                self.remote_settings.update({k: v.new_value for k, v in e.changed_settings.items()})
        try:
            self.flush()
        except OSError:
            self.closed = True

    def wait(self, predicate, timeout: float = 10.0, ack: bool = True) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            assert not self.closed, "connection closed"
            assert time.monotonic() < deadline, "timed out"
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                self.pump(ack)
            except socket.timeout:
                pass

    def close(self) -> None:
        self.sock.close()


def tls_client_ctx(vc) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(vc.ca.cert))
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    return ctx


# ------------------------------------------------------------------------------------------


def test_alpn_h2_and_h2c_with_curl(cluster, vc):
    origin = cluster.origin(Behavior(echo=True))
    edge = cluster.edge(config(origin.port, vc), listen=None)
    p = ports(edge)
    url = f"https://default.test:{p['https']}"
    resolve = ["--cacert", str(vc.ca.cert), "--resolve", f"default.test:{p['https']}:127.0.0.1"]
    r = curl(f"{url}/a", "--http2", *resolve, "-w", "%{http_code} %{http_version}")
    assert r.exit_code == 0, r.stderr
    # Two requests over one reused TLS connection.
    r = curl(f"{url}/one", "--http2", *resolve, "-v", "-o", "/dev/null", f"{url}/two")
    assert r.exit_code == 0 and r.body == b"GET /two", r.stderr
    assert "Re-using existing connection" in r.stderr and "using HTTP/2" in r.stderr
    # HTTP/1.1 is still offered by ALPN.
    r = curl(f"{url}/h1", "--http1.1", *resolve, "-v")
    assert r.exit_code == 0 and r.body == b"GET /h1" and "HTTP/1.1 200" in r.stderr
    # h2c with prior knowledge and HTTP/1.1 on the same plain port.
    r = curl(f"http://127.0.0.1:{p['http']}/c", "--http2-prior-knowledge", "-v")
    assert r.exit_code == 0 and r.status == 200 and r.body == b"GET /c", r.stderr
    assert "HTTP/2 200" in r.stderr
    assert r.header("via") == "1.1 edgefront" or "edgefront" in (r.header("via") or "")
    r = curl(f"http://127.0.0.1:{p['http']}/plain", "--http1.1")
    assert r.exit_code == 0 and r.body == b"GET /plain"


def test_multiplexed_streams_and_request_bodies(cluster, vc):
    origin = cluster.origin(Behavior(echo=True))
    edge = cluster.edge(config(origin.port, vc), listen=None)
    c = H2Client(ports(edge)["https"], tls_client_ctx(vc))
    try:
        sids = [c.request(f"/m{i}") for i in range(30)]
        upload = bytes(range(256)) * 2000  # 512000 bytes: more than one window
        post = c.request("/up", "POST", body=None, end=False,
                         headers=[("content-length", str(len(upload)))])
        sent = 0
        while sent < len(upload):
            window = min(c.conn.local_flow_control_window(post), 16384)
            if window == 0:
                c.pump()
                continue
            c.conn.send_data(post, upload[sent:sent + window],
                             end_stream=sent + window >= len(upload))
            c.flush()
            sent += window
        c.wait(lambda: all(s in c.ended for s in sids + [post]))
        for i, s in enumerate(sids):
            assert c.responses[s][b":status"] == b"200"
            assert bytes(c.bodies[s]) == f"GET /m{i}".encode()
        assert bytes(c.bodies[post]) == b"POST /up"
        got = [r for r in origin.requests if r.target == "/up"]
        assert got and got[-1].body == upload
    finally:
        c.close()


def test_flow_control_keeps_memory_bounded(cluster):
    origin = cluster.origin(Behavior(body_size=GiB, chunk_size=MiB))
    edge = cluster.edge(config(origin.port))
    port = ports(edge)["http"]
    # A viewer that opens a stream and reads nothing: the edge may not buffer the origin's
    # gigabyte; it sends one window and waits.
    stalled = H2Client(port, window=65535)
    sid = stalled.request("/gib")
    stalled.wait(lambda: len(stalled.bodies.get(sid, b"")) >= 65535, ack=False)
    with pytest.raises(AssertionError):
        stalled.wait(lambda: len(stalled.bodies.get(sid, b"")) > 65535, timeout=0.5, ack=False)
    # A real download of the whole gigabyte through h2c, checked end to end.
    p = subprocess.run(["curl", "-q", "-sS", "--noproxy", "*", "--http2-prior-knowledge",
                        "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                        f"http://127.0.0.1:{port}/full"], capture_output=True, text=True,
                       timeout=180)
    assert p.returncode == 0 and p.stdout == f"200 {GiB}", (p.stdout, p.stderr)
    hwm = edge.vm_hwm_bytes()
    assert hwm < (MAX_HWM_SANITIZED if edge.sanitized() else MAX_HWM), f"VmHWM {hwm / MiB} MiB"
    stalled.close()


def test_download_body_is_exact(cluster):
    size = 8 * MiB + 123
    origin = cluster.origin(Behavior(body_size=size, chunk_size=MiB))
    edge = cluster.edge(config(origin.port))
    r = curl(f"http://127.0.0.1:{ports(edge)['http']}/exact", "--http2-prior-knowledge")
    assert r.exit_code == 0 and r.status == 200
    data = r.body
    assert len(data) == size
    import zlib
    assert zlib.crc32(data) == pattern_crc32(size)


def cached_config(origin_port: int) -> dict:
    return edge_config(distribution([http_origin("app", origin_port)], "app",
                                    cache_policy="honour-origin"), cache={"memory": "64MiB"})


def test_hits_answered_at_once_come_out_whole_under_flow_control(cluster):
    """Fresh in-memory hits skip the stream's coroutine: the head and the whole body are
    handed to nghttp2 at once and leave as the viewer grants credit."""
    size = 60 * 1024  # one stored block, under the at-once limit
    origin = cluster.origin(Behavior(body_size=size, headers=[("Cache-Control", "max-age=60"),
                                                               ("ETag", '"b1"')]))
    edge = cluster.edge(cached_config(origin.port))
    port = ports(edge)["http"]
    warm = H2Client(port)
    sid = warm.request("/big")
    warm.wait(lambda: sid in warm.ended)
    assert warm.responses[sid][b"x-cache"] == b"Miss from edgefront"
    warm.close()
    # 20 streams at once with a 16 KiB stream window (and the default 64 KiB connection
    # window): 1.2 MiB queued that can only leave as credit comes back, stream by stream.
    c = H2Client(port, window=16384)
    sids = [c.request("/big") for _ in range(20)]
    c.wait(lambda: all(s in c.ended for s in sids), timeout=30)
    for s in sids:
        head = c.responses[s]
        assert head[b":status"] == b"200" and head[b"x-cache"] == b"Hit from edgefront"
        assert head[b"content-length"] == str(size).encode() and head[b"etag"] == b'"b1"'
        assert b"date" in head and b"age" in head and b"cache-status" in head
        assert bytes(c.bodies[s]) == pattern_bytes(0, size), s
    assert not c.resets
    # HEAD is answered at once too, with the length and no body.
    hs = c.request("/big", method="HEAD")
    c.wait(lambda: hs in c.ended)
    assert c.responses[hs][b"content-length"] == str(size).encode() and hs not in c.bodies
    # A matching conditional is the full pipeline's: 304 without a body.
    cs = c.request("/big", headers=[("if-none-match", '"b1"')])
    c.wait(lambda: cs in c.ended)
    assert c.responses[cs][b":status"] == b"304" and cs not in c.bodies
    c.close()
    assert origin.request_count() == 1
    edge.wait_metric("edgefront_cache_lookups_total", 22, result="hit")


def test_hits_too_large_for_at_once_stream_from_the_stored_head(cluster):
    """Hits over the at-once limit take the pipeline, which also sends the stored head's
    serialized lines (as fields) and then streams the body under flow control."""
    size = 200 * 1024
    origin = cluster.origin(Behavior(body_size=size, headers=[("Cache-Control", "max-age=60"),
                                                               ("Content-Type", "text/plain")]))
    edge = cluster.edge(cached_config(origin.port))
    c = H2Client(ports(edge)["http"], window=16384)
    for expected in (b"Miss from edgefront", b"Hit from edgefront"):
        sid = c.request("/large")
        c.wait(lambda: sid in c.ended, timeout=30)
        head = c.responses[sid]
        assert head[b":status"] == b"200" and head[b"x-cache"] == expected
        assert head[b"content-type"] == b"text/plain"
        assert head[b"content-length"] == str(size).encode()
        assert bytes(c.bodies[sid]) == pattern_bytes(0, size)
    c.close()
    assert origin.request_count() == 1


def test_a_viewer_withholding_credit_holds_no_more_than_the_at_once_budget(cluster):
    """Bodies answered at once wait for credit without a send timeout, so a connection may
    hold at most 256 KiB of them; later streams take the path that resets an unread stream."""
    size = 60 * 1024
    origin = cluster.origin(Behavior(body_size=size, headers=[("Cache-Control", "max-age=60")]))
    cfg = cached_config(origin.port)
    cfg["server"]["limits"]["send_timeout"] = "1s"
    edge = cluster.edge(cfg)
    port = ports(edge)["http"]
    warm = H2Client(port)
    sid = warm.request("/big")
    warm.wait(lambda: sid in warm.ended)
    warm.close()
    stalled = H2Client(port, window=0)  # never grants a byte of credit
    sids = [stalled.request("/big") for _ in range(10)]
    # Five 60 KiB answers fit under the budget (it is checked before each); the other five
    # are reset once send_timeout passes without the viewer reading.
    stalled.wait(lambda: len(stalled.resets) >= 5, timeout=20, ack=False)
    assert set(stalled.resets) == set(sids[5:])
    stalled.close()
    assert origin.request_count() == 1


def test_settings_advertise_the_limits(cluster):
    origin = cluster.origin(Behavior())
    edge = cluster.edge(config(origin.port, limits={"max_header_bytes": 8192}))
    c = H2Client(ports(edge)["http"])
    try:
        c.wait(lambda: c.remote_settings)
        codes = h2.settings.SettingCodes
        assert c.remote_settings[codes.MAX_CONCURRENT_STREAMS] == 100
        assert c.remote_settings[codes.MAX_HEADER_LIST_SIZE] == 8192
    finally:
        c.close()


def test_header_flood_is_refused_and_the_server_survives(cluster):
    origin = cluster.origin(Behavior(echo=True))
    edge = cluster.edge(config(origin.port, limits={"max_header_bytes": 4096}))
    port = ports(edge)["http"]
    c = H2Client(port)
    try:
        big = [(f"x-flood-{i}", "v" * 100) for i in range(60)]  # ~8 KiB of headers
        sid = c.request("/big", headers=big)
        c.wait(lambda: sid in c.ended or sid in c.resets or c.terminated is not None)
        assert c.responses.get(sid, {}).get(b":status") == b"431"
        ok = c.request("/after")
        c.wait(lambda: ok in c.ended)
        assert bytes(c.bodies[ok]) == b"GET /after"
    finally:
        c.close()
    # Far beyond the limit (a CONTINUATION-style flood): the connection is dropped.
    c = H2Client(port)
    try:
        huge = [(f"x-huge-{i}", "h" * 1000) for i in range(40)]
        c.request("/huge", headers=huge)
        c.wait(lambda: c.terminated is not None or c.closed, timeout=10)
    finally:
        c.close()
    assert curl(f"http://127.0.0.1:{port}/still", "--http2-prior-knowledge").status == 200
    assert edge.alive()


def test_rapid_reset_flood_gets_goaway_enhance_your_calm(cluster):
    origin = cluster.origin(Behavior(echo=True, delay_s=0.2))
    edge = cluster.edge(config(origin.port))
    port = ports(edge)["http"]
    c = H2Client(port)
    try:
        c.wait(lambda: c.remote_settings)
        # CVE-2023-44487: open and cancel streams as fast as possible (one write, so the
        # edge reads the whole flood before it answers).
        for _ in range(600):
            sid = c.conn.get_next_available_stream_id()
            c.conn.send_headers(sid, [(":method", "GET"), (":path", "/reset"),
                                      (":scheme", "http"), (":authority", "x")],
                                end_stream=True)
            c.conn.reset_stream(sid, error_code=8)  # CANCEL
        c.flush()
        c.wait(lambda: c.terminated is not None or c.closed, timeout=15)
        assert c.terminated is not None, "no GOAWAY before the connection closed"
        assert c.terminated.error_code == 11  # ENHANCE_YOUR_CALM
    finally:
        c.close()
    # The edge did not start 1000 origin requests, and it still serves.
    assert len(origin.requests) <= 400
    r = curl(f"http://127.0.0.1:{port}/fine", "--http2-prior-knowledge")
    assert r.status == 200 and r.body == b"GET /fine"
    assert edge.alive()


def test_drain_sends_goaway_and_finishes_in_flight_streams(cluster):
    origin = cluster.origin(Behavior(echo=True, delay_s=1.0))
    edge = cluster.edge(config(origin.port))
    # nghttp (nghttp2-client) prints every frame; python3-h2 refuses frames after a GOAWAY.
    client = subprocess.Popen(["nghttp", "-nv", f"http://127.0.0.1:{ports(edge)['http']}/slow"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until(lambda: len(origin.requests) == 1, timeout=5)
        edge.stop(signal.SIGTERM)
        out, _ = client.communicate(timeout=20)
    finally:
        if client.poll() is None:
            client.kill()
    assert client.returncode == 0, out
    assert "recv GOAWAY frame" in out and "error_code=NO_ERROR" in out, out
    assert out.index("recv GOAWAY frame") < out.index("recv DATA frame"), out
    assert ":status: 200" in out and "content-length: 9" in out, out
    assert "; END_STREAM" in out.split("recv DATA frame")[-1], out
