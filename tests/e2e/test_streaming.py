"""Large bodies stream through the edge with bounded memory, both directions."""

from __future__ import annotations

import socket
import time
import zlib

import pytest

from fake_origin import Behavior, PatternChecker, pattern_crc32, pattern_view
from harness import (distribution, edge_config, http_origin, parse_response, request_bytes,
                     wait_until)

GiB = 1 << 30
MiB = 1 << 20
MAX_HWM = 200 * MiB
MAX_HWM_SANITIZED = 700 * MiB  # ASan's shadow memory and quarantine


def hwm_limit(edge) -> int:
    return MAX_HWM_SANITIZED if edge.sanitized() else MAX_HWM


def make(cluster, behavior, **server):
    o = cluster.origin(behavior, name="big")
    cfg = edge_config(distribution([http_origin("app", o.port, read_timeout="30s")], "app"),
                      limits={"send_timeout": "60s", "body_timeout": "30s"}, **server)
    return cluster.edge(cfg), o


def read_head(sock) -> tuple:
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"closed before the response head: {buf!r}")
        buf += chunk
    i = buf.index(b"\r\n\r\n") + 4
    r, _ = parse_response(buf[:i], head_request=True)
    return r, buf[i:]


def stream_body(sock, first: bytes, length: int, checker: PatternChecker) -> int:
    """Reads exactly `length` bytes (Content-Length framing), checking the pattern."""
    checker.update(first)
    got = len(first)
    buf = bytearray(MiB)
    view = memoryview(buf)
    while got < length:
        n = sock.recv_into(view, min(MiB, length - got))
        if n == 0:
            break
        checker.update(view[:n])
        got += n
    return got


def test_one_gib_download_bounded_memory(cluster):
    size = GiB
    edge, o = make(cluster, Behavior(body_size=size, chunk_size=MiB))
    sock = socket.create_connection(("127.0.0.1", edge.port), timeout=60)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * MiB)
        sock.sendall(request_bytes("GET", "/gib"))
        r, first = read_head(sock)
        assert r.status == 200
        assert r.header("Content-Length") == str(size)
        checker = PatternChecker()
        t0 = time.monotonic()
        got = stream_body(sock, first, size, checker)
        elapsed = time.monotonic() - t0
    finally:
        sock.close()
    assert got == size
    assert checker.mismatch_at is None, f"body differs from the origin's at byte {checker.mismatch_at}"
    hwm = edge.vm_hwm_bytes()
    assert hwm < hwm_limit(edge), f"edgefront VmHWM {hwm / MiB:.0f} MiB"
    print(f"1 GiB in {elapsed:.1f}s ({size / MiB / max(elapsed, 1e-6):.0f} MiB/s), "
          f"VmHWM {hwm / MiB:.0f} MiB")


def test_chunked_download_bounded_memory(cluster):
    """256 MiB from a chunked origin: re-framed to the viewer, counted after de-chunking."""
    size = 256 * MiB
    edge, o = make(cluster, Behavior(body_size=size, chunked=True, chunk_size=256 * 1024))
    sock = socket.create_connection(("127.0.0.1", edge.port), timeout=60)
    checker = PatternChecker()
    try:
        sock.sendall(request_bytes("GET", "/chunked"))
        r, rest = read_head(sock)
        assert r.status == 200
        te = (r.header("Transfer-Encoding") or "").lower()
        if "chunked" not in te:
            assert r.header("Content-Length") == str(size)
            got = stream_body(sock, rest, size, checker)
        else:
            got = _read_chunked(sock, rest, checker)
    finally:
        sock.close()
    assert got == size
    assert checker.mismatch_at is None
    assert edge.vm_hwm_bytes() < hwm_limit(edge)


def _read_chunked(sock, buf: bytes, checker: PatternChecker) -> int:
    buf = bytearray(buf)
    total = 0

    def fill():
        chunk = sock.recv(MiB)
        if not chunk:
            raise AssertionError(f"connection closed inside the chunked body after {total} bytes")
        buf.extend(chunk)

    while True:
        while b"\r\n" not in buf:
            fill()
        i = buf.index(b"\r\n")
        size = int(bytes(buf[:i]).split(b";")[0], 16)
        del buf[:i + 2]
        if size == 0:
            while b"\r\n" not in buf:
                fill()
            assert bytes(buf[:2]) == b"\r\n", "trailers not expected"
            return total
        while len(buf) < size + 2:
            fill()
        checker.update(memoryview(buf)[:size])
        assert bytes(buf[size:size + 2]) == b"\r\n"
        del buf[:size + 2]
        total += size


def test_slow_viewer_backpressure(cluster):
    """A viewer that stops reading must stall the origin, not make the edge buffer it all."""
    size = GiB
    edge, o = make(cluster, Behavior(body_size=size, chunk_size=MiB))
    sock = socket.create_connection(("127.0.0.1", edge.port), timeout=30)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 256 * 1024)
        sock.sendall(request_bytes("GET", "/stalled"))
        r, first = read_head(sock)
        assert r.status == 200
        # Stop reading. The origin gets to push what fits in the socket buffers and the
        # edge's bounded window, then must block: wait for it to pass 256 MiB, which only
        # happens if the edge buffers without limit.
        try:
            wait_until(lambda: o.bytes_sent > 256 * MiB, timeout=2.0, interval=0.05,
                       desc="origin pushing past 256 MiB to a stalled viewer")
            unbounded = True
        except AssertionError:
            unbounded = False
        assert not unbounded, (f"the origin pushed {o.bytes_sent / MiB:.0f} MiB to a viewer "
                               f"that read nothing: no backpressure")
        assert edge.vm_hwm_bytes() < hwm_limit(edge)
        stalled_at = o.bytes_sent
        # Resume: everything arrives.
        checker = PatternChecker()
        got = stream_body(sock, first, 64 * MiB, checker)
        assert got == 64 * MiB and checker.mismatch_at is None
        assert o.bytes_sent > stalled_at
    finally:
        sock.close()
    # closing mid-body does not hurt the edge
    from harness import http_request
    assert http_request(edge.port, "GET", "/_fo/body_size=5/after").status == 200


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_64_mib_upload_streamed(cluster, framing):
    size = 64 * MiB
    edge, o = make(cluster, Behavior(discard_body=True, body=b"stored"))
    sock = socket.create_connection(("127.0.0.1", edge.port), timeout=60)
    try:
        if framing == "chunked":
            sock.sendall(request_bytes("POST", "/upload",
                                       headers=[("Transfer-Encoding", "chunked")]))
        else:
            sock.sendall(request_bytes("POST", "/upload",
                                       headers=[("Content-Length", str(size))]))
        sent = 0
        crc = 0
        step = MiB - 3  # odd sizes: chunk boundaries never align with anything
        while sent < size:
            n = min(step, size - sent)
            data = pattern_view(sent, n)
            crc = zlib.crc32(data, crc)
            if framing == "chunked":
                sock.sendall(b"%x\r\n" % n)
                sock.sendall(data)
                sock.sendall(b"\r\n")
            else:
                sock.sendall(data)
            sent += n
        if framing == "chunked":
            sock.sendall(b"0\r\n\r\n")
        buf = b""
        while True:
            parsed = parse_response(buf)
            if parsed:
                break
            chunk = sock.recv(65536)
            assert chunk, f"closed before the response: {buf!r}"
            buf += chunk
        r, _ = parsed
    finally:
        sock.close()
    assert r.status == 200 and r.body == b"stored"
    (req,) = o.completed()
    assert req.body_len == size
    assert req.body_crc32 == crc == pattern_crc32(size)
    assert edge.vm_hwm_bytes() < hwm_limit(edge)
