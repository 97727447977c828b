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
from harness import curl, dir_origin, distribution, edge_config, http_origin, wait_until
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


# ------------------------------------------------------------------------------------------
# Conformance (RFC 9113) where nghttp2 leaves the verdict to the server, and floods of frames
# that carry nothing. Raw frames: python3-h2 refuses to send most of these.

PROTOCOL_ERROR, FLOW_CONTROL_ERROR, ENHANCE_YOUR_CALM = 0x1, 0x3, 0xb
DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = \
    0x0, 0x1, 0x3, 0x4, 0x6, 0x7, 0x8, 0x9
END_STREAM, END_HEADERS, PADDED = 0x1, 0x4, 0x8


class RawH2:
    """Frames written as bytes and read back one by one: for what a well-behaved client
    library will not send."""

    def __init__(self, port: int):
        import hpack
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.encoder = hpack.Encoder()
        self.decoder = hpack.Decoder()
        self.buf = b""
        self.frames: list = []  # (type, flags, stream_id, payload)
        self.closed = False
        self.sock.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + self.frame(SETTINGS, 0, 0))
        self.wait(lambda: any(t == SETTINGS and not f & 1 for t, f, _, _ in self.frames))
        self.send(SETTINGS, 1, 0)  # ACK

    @staticmethod
    def frame(ftype: int, flags: int, sid: int, payload: bytes = b"") -> bytes:
        return (len(payload).to_bytes(3, "big") + bytes([ftype, flags]) +
                sid.to_bytes(4, "big") + payload)

    def send(self, ftype: int, flags: int, sid: int, payload: bytes = b"") -> None:
        self.sock.sendall(self.frame(ftype, flags, sid, payload))

    def headers(self, sid: int, method: str = "GET", path: str = "/f.txt", extra=(),
                flags: int = END_HEADERS) -> None:
        fields = [(":method", method), (":scheme", "http"), (":path", path),
                  (":authority", "default.test")] + list(extra)
        self.send(HEADERS, flags, sid, self.encoder.encode(fields))

    def trailers(self, sid: int, fields, flags: int = END_HEADERS | END_STREAM) -> None:
        self.send(HEADERS, flags, sid, self.encoder.encode(list(fields)))

    def pump(self) -> None:
        try:
            data = self.sock.recv(1 << 16)
        except ConnectionResetError:
            data = b""
        if not data:
            self.closed = True
            return
        self.buf += data
        while len(self.buf) >= 9:
            n = int.from_bytes(self.buf[:3], "big")
            if len(self.buf) < 9 + n:
                break
            ftype, flags = self.buf[3], self.buf[4]
            sid = int.from_bytes(self.buf[5:9], "big") & 0x7FFFFFFF
            payload = self.buf[9:9 + n]
            self.buf = self.buf[9 + n:]
            if ftype == HEADERS:
                self.decoder.decode(payload)  # keep the HPACK state in step
            if ftype == PING and not flags & 1:
                self.send(PING, 1, 0, payload)
            self.frames.append((ftype, flags, sid, payload))

    def wait(self, predicate, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            assert not self.closed, f"connection closed; frames {self.frames}"
            assert time.monotonic() < deadline, f"timed out; frames {self.frames}"
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                self.pump()
            except socket.timeout:
                pass

    def of(self, ftype: int, sid: int | None = None) -> list:
        return [(f, p) for t, f, s, p in self.frames if t == ftype and (sid is None or s == sid)]

    def ended(self, sid: int) -> bool:
        return any(f & END_STREAM for t, f, s, _ in self.frames
                   if s == sid and t in (HEADERS, DATA)) or bool(self.of(RST_STREAM, sid))

    def rst_code(self, sid: int) -> int | None:
        rst = self.of(RST_STREAM, sid)
        return int.from_bytes(rst[0][1], "big") if rst else None

    def goaway_code(self) -> int | None:
        g = self.of(GOAWAY)
        return int.from_bytes(g[0][1][4:8], "big") if g else None

    def wait_goaway_or_close(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self.goaway_code() is None and not self.closed:
            assert time.monotonic() < deadline, f"timed out; frames {self.frames}"
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                self.pump()
            except (socket.timeout, OSError):
                pass

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(params=["http", "directory"])
def any_origin_edge(request, cluster, tmp_path):
    """An edge in front of a fake HTTP origin or of a directory origin (which answers at once,
    before reading any request body): h2spec found races only the second showed."""
    if request.param == "http":
        origin = cluster.origin(Behavior(echo=True))
        dist = distribution([http_origin("app", origin.port)], "app")
    else:
        root = tmp_path / "site"
        root.mkdir()
        (root / "f.txt").write_bytes(b"file")
        dist = distribution([dir_origin("app", root)], "app")
    return cluster.edge(edge_config(dist))


def answer_racing_the_body(c: RawH2, sid: int, method: str, extra=()) -> None:
    """Opens `sid` with a request the edge may answer before reading its body, then completes
    a second request: the first one's handler (posted earlier on the same executor) has run
    by then, so without holding the answer it would have gone out."""
    c.headers(sid, method, extra=extra)
    c.headers(sid + 2, "GET", "/other", flags=END_HEADERS | END_STREAM)
    c.wait(lambda: c.ended(sid + 2))


def assert_reset_without_answer(c: RawH2, sid: int, code: int) -> None:
    """A stream error (RST_STREAM) or a connection error (GOAWAY) with `code`, and no answer."""
    c.wait(lambda: c.of(RST_STREAM, sid) or c.goaway_code() is not None)
    assert c.of(HEADERS, sid) == [], "a malformed request was answered"
    got = c.rst_code(sid) if c.of(RST_STREAM, sid) else c.goaway_code()
    assert got == code, c.frames


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_content_length_above_the_data_is_reset_with_no_answer(any_origin_edge, method):
    c = RawH2(any_origin_edge.port)
    try:
        answer_racing_the_body(c, 1, method, [("content-length", "1")])
        c.send(DATA, END_STREAM, 1, b"test")  # h2spec 8.1.2.6/1
        assert_reset_without_answer(c, 1, PROTOCOL_ERROR)
    finally:
        c.close()


def test_content_length_below_the_data_is_reset_with_no_answer(any_origin_edge):
    c = RawH2(any_origin_edge.port)
    try:
        answer_racing_the_body(c, 1, "POST", [("content-length", "10")])
        c.send(DATA, END_STREAM, 1, b"test")
        assert_reset_without_answer(c, 1, PROTOCOL_ERROR)
    finally:
        c.close()


def test_pseudo_header_in_trailers_is_reset_with_no_answer(any_origin_edge):
    c = RawH2(any_origin_edge.port)
    try:
        answer_racing_the_body(c, 1, "POST")
        c.send(DATA, 0, 1, b"test")
        c.trailers(1, [(":method", "POST"), ("x-trailer", "1")])  # h2spec 8.1.2.1/3
        assert_reset_without_answer(c, 1, PROTOCOL_ERROR)
        # A well-formed request answered early still gets its answer once it has arrived.
        answer_racing_the_body(c, 5, "POST")
        c.send(DATA, 0, 5, b"test")
        c.trailers(5, [("x-trailer", "1")])
        c.wait(lambda: c.ended(5))
        assert c.of(HEADERS, 5), c.frames
        assert c.rst_code(5) in (None, 0), c.frames
    finally:
        c.close()


@pytest.mark.parametrize("increments,code", [([0], PROTOCOL_ERROR),  # h2spec 6.9/2
                                              ([2**31 - 1] * 2, FLOW_CONTROL_ERROR)])  # 6.9.1/3
def test_window_update_errors_on_a_stream_answered_early(any_origin_edge, increments, code):
    c = RawH2(any_origin_edge.port)
    try:
        answer_racing_the_body(c, 1, "GET")
        for n in increments:
            c.send(WINDOW_UPDATE, 0, 1, n.to_bytes(4, "big"))
        assert_reset_without_answer(c, 1, code)
    finally:
        c.close()


def test_headers_on_a_skipped_lower_stream_id_is_a_connection_error(any_origin_edge):
    c = RawH2(any_origin_edge.port)
    try:
        c.headers(5, flags=END_HEADERS | END_STREAM)
        c.wait(lambda: c.ended(5))
        c.headers(3, flags=END_HEADERS | END_STREAM)  # h2spec 5.1.1/2
        c.wait_goaway_or_close()
        assert c.goaway_code() == PROTOCOL_ERROR, c.frames
        assert c.of(HEADERS, 3) == []
    finally:
        c.close()
    # An opened stream's late trailers are no connection error: after the edge resets a
    # stream (a body over content-length), the viewer's trailers on it are ignored.
    c = RawH2(any_origin_edge.port)
    try:
        c.headers(1, "POST", extra=[("content-length", "1")])
        c.send(DATA, 0, 1, b"too long")
        c.wait(lambda: c.rst_code(1) is not None)
        c.trailers(1, [("x-late", "1")])
        c.headers(3, flags=END_HEADERS | END_STREAM)
        c.wait(lambda: c.ended(3))
        assert c.goaway_code() is None
    finally:
        c.close()


@pytest.mark.parametrize("flood", ["empty DATA", "padding-only DATA", "empty CONTINUATION"])
def test_floods_of_frames_carrying_nothing_get_goaway(any_origin_edge, flood):
    c = RawH2(any_origin_edge.port)
    try:
        c.headers(1, "POST")
        if flood == "empty DATA":
            c.sock.sendall(RawH2.frame(DATA, 0, 1) * 1000)
        elif flood == "padding-only DATA":
            c.sock.sendall(RawH2.frame(DATA, PADDED, 1, b"\x03" + b"\0" * 3) * 1000)
        elif flood == "empty CONTINUATION":
            # nghttp2 ends a block after 8 CONTINUATIONs; spread over many requests, the empty
            # fragments are this edge's to count.
            out = b""
            for sid in range(3, 3 + 2 * 40, 2):
                out += RawH2.frame(HEADERS, END_STREAM, sid) + RawH2.frame(CONTINUATION, 0, sid) * 7
                block = c.encoder.encode([(":method", "GET"), (":scheme", "http"),
                                          (":path", "/f.txt"), (":authority", "default.test")])
                out += RawH2.frame(CONTINUATION, END_HEADERS, sid, block)
            c.sock.sendall(out)
        c.wait_goaway_or_close()
        assert c.goaway_code() == ENHANCE_YOUR_CALM, c.frames
    finally:
        c.close()
    assert any_origin_edge.alive()
    c = RawH2(any_origin_edge.port)  # the server still serves
    try:
        c.headers(1, flags=END_HEADERS | END_STREAM)
        c.wait(lambda: c.ended(1))
        assert c.of(HEADERS, 1)
    finally:
        c.close()


def test_a_first_line_that_is_no_http1_request_gets_the_http2_connection_error(cluster):
    """h2spec 3.5/2 on h2c: a wrong preface is an HTTP/2 connection error (RFC 9113 3.4), not
    an HTTP/1.1 400 that an h2c client reads as a 4 MB frame. HTTP-shaped lines keep their
    HTTP/1.1 answers."""
    origin = cluster.origin(Behavior(echo=True))
    edge = cluster.edge(config(origin.port))
    port = ports(edge)["http"]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"INVALID CONNECTION PREFACE\r\n\r\n")
        got = b""
        while True:
            data = s.recv(65536)
            if not data:
                break
            got += data
    assert not got.startswith(b"HTTP/1.1"), got
    assert len(got) >= 9 and got[3] == SETTINGS, got  # nghttp2's SETTINGS, then the close
    for line in (b"GET / HTTP/2.0", b"FOO / HTTP/1.1"):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(line + b"\r\nHost: x\r\n\r\n")
            head = s.recv(65536)
        assert head.startswith(b"HTTP/1.1 "), (line, head)
    r = curl(f"http://127.0.0.1:{port}/ok", "--http1.1")
    assert r.status == 200 and r.body == b"GET /ok"


def test_an_answer_held_for_a_body_that_stops_is_cancelled_after_the_body_timeout(cluster,
                                                                                 tmp_path):
    """A viewer that stops sending the body it announced never made its request whole: after
    body_timeout the stream is reset (CANCEL) and the held answer dropped."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "f.txt").write_bytes(b"file")
    edge = cluster.edge(edge_config(distribution([dir_origin("app", root)], "app"),
                                    limits={"body_timeout": "1s"}))
    c = RawH2(edge.port)
    try:
        answer_racing_the_body(c, 1, "POST", [("content-length", "100")])
        c.send(DATA, 0, 1, b"part")
        assert c.of(HEADERS, 1) == []  # held while the body may still turn out malformed
        c.wait(lambda: c.of(RST_STREAM, 1), timeout=15)
        assert c.of(HEADERS, 1) == [], c.frames
        assert c.rst_code(1) == 0x8, c.frames
        c.headers(5, flags=END_HEADERS | END_STREAM)  # the connection goes on
        c.wait(lambda: c.ended(5))
    finally:
        c.close()
