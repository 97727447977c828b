"""A scriptable HTTP/1.1 origin for the end-to-end tests.

Independent of edgefront and of http.server: raw sockets and one thread per connection, so
every byte on the wire is under the test's control.

Behaviour of a response, in order of precedence:
  1. a per-request override in the path: a segment "/_fo/<k>=<v>,<k>=<v>/" anywhere in the
     target (after any origin_path the edge prefixes), e.g. "/_fo/status=503,delay_s=0.5/x".
     It applies to EVERY origin the request reaches (a failover target too); to address one
     origin use "/_fo@<origin name>/<k>=<v>/", e.g. "/_fo@primary/status=503/x";
  2. ``origin.handler(request)`` if set and it returns a Behavior;
  3. ``origin.behavior`` (the instance default, settable at any time).
A path override is applied on top of (2)/(3): only the fields it names change.

Every request is recorded (``origin.requests``) as soon as its head has been read, and
updated when its body has been read (``complete``), so tests can wait for in-flight requests.

TLS: ``FakeOrigin(tls=(certfile, keyfile))`` (or ``tls=<ssl.SSLContext>``) serves HTTPS. The
handshake runs in the connection's thread with a timeout (``tls_handshake_timeout``); a failed
handshake (e.g. the client rejected the certificate) closes the connection silently and is
counted in ``tls_handshake_failures`` (its error in ``tls_handshake_errors``). Each
connection's handshake is recorded in ``tls_sessions`` (SNI, version, cipher) and each request
carries ``tls``/``sni``/``tls_version``. Every behaviour works over TLS; graceful closes send a
close_notify alert first (``tls_close_notify``), resets (reset_after_bytes) do not.
"""

from __future__ import annotations

import dataclasses
import fcntl
import re
import socket
import ssl
import struct
import termios
import threading
import time
import urllib.parse
import zlib
from dataclasses import dataclass, field
from typing import Callable, Optional, Union

# ------------------------------------------------------------------------------------------
# Generated bodies: the infinite sequence byte[i] = i % 251, served in slices so a 1 GiB body
# never sits in memory. 251 is prime so a shifted or duplicated block is visible.

PATTERN_PERIOD = 251
MAX_SLICE = 1 << 20
_BLOCK = bytes(i % PATTERN_PERIOD for i in range(PATTERN_PERIOD * (MAX_SLICE // PATTERN_PERIOD + 2)))


def pattern_bytes(offset: int, n: int) -> bytes:
    """Bytes [offset, offset+n) of the generated body pattern; n <= 1 MiB."""
    if n > MAX_SLICE:
        raise ValueError("pattern slice too large")
    s = offset % PATTERN_PERIOD
    return _BLOCK[s:s + n]


def pattern_view(offset: int, n: int) -> memoryview:
    s = offset % PATTERN_PERIOD
    return memoryview(_BLOCK)[s:s + n]


def pattern_crc32(size: int) -> int:
    """CRC-32 of the first `size` bytes of the pattern."""
    crc = 0
    off = 0
    while off < size:
        n = min(MAX_SLICE, size - off)
        crc = zlib.crc32(pattern_view(off, n), crc)
        off += n
    return crc


class PatternChecker:
    """Streams received bytes and checks them against the pattern."""

    def __init__(self) -> None:
        self.offset = 0
        self.mismatch_at: Optional[int] = None

    def update(self, data) -> None:
        mv = memoryview(data)
        pos = 0
        while pos < len(mv):
            n = min(MAX_SLICE, len(mv) - pos)
            if self.mismatch_at is None and mv[pos:pos + n] != pattern_view(self.offset, n):
                self.mismatch_at = self.offset
            self.offset += n
            pos += n


# ------------------------------------------------------------------------------------------


@dataclass
class Behavior:
    status: int = 200
    reason: Optional[str] = None
    body: bytes = b"ok"
    echo: bool = False  # body = b"<METHOD> <target>" (overrides body)
    body_size: Optional[int] = None  # generated pattern body of this many bytes (overrides body)
    chunked: bool = False  # Transfer-Encoding: chunked
    content_length: bool = True  # False (and not chunked): close-delimited body
    chunk_size: int = 64 * 1024
    headers: list = field(default_factory=list)  # extra response headers [(name, value)]
    delay_s: float = 0.0  # wait before answering (after reading the request)
    hang: bool = False  # read the request, then wait until origin.release() or stop
    reset_after_bytes: Optional[int] = None  # head + N body bytes, then RST (SO_LINGER 0)
    gate: bool = False  # with reset_after_bytes: wait for origin.release() before the RST
    stall_after_bytes: Optional[int] = None  # head + N body bytes, then wait for release/stop, then FIN
    close_after_headers: bool = False  # head only, then close (FIN)
    close_without_response: bool = False  # read the request, close without a byte
    raw_response: Optional[bytes] = None  # send these bytes verbatim, then close
    keep_alive: bool = True
    discard_body: bool = False  # do not keep request bodies (count and CRC only)
    interim_100: bool = True  # answer "Expect: 100-continue" with 100 Continue
    # Honour "Range: bytes=N-" / "bytes=N-M" on a 200 (206 with Content-Range), unless an
    # If-Range differs from this response's ETag (or Last-Modified) header; resets and stalls
    # count the bytes of this response.
    ranges: bool = False

    def replace(self, **kw) -> "Behavior":
        return dataclasses.replace(self, **kw)


_BOOL_FIELDS = {f.name for f in dataclasses.fields(Behavior) if f.type in ("bool", bool)}
_INT_FIELDS = {"status", "body_size", "chunk_size", "reset_after_bytes", "stall_after_bytes"}
_FLOAT_FIELDS = {"delay_s"}
_STR_FIELDS = {"reason"}


def parse_override(segment: str) -> dict:
    """'status=503,delay_s=0.5,body=hi' -> dict of Behavior fields (values URL-decoded)."""
    out: dict = {}
    for item in segment.split(","):
        if not item:
            continue
        key, _, value = item.partition("=")
        key = urllib.parse.unquote(key)
        value = urllib.parse.unquote(value)
        if key in _BOOL_FIELDS:
            out[key] = value.lower() in ("1", "true", "yes", "on", "")
        elif key in _INT_FIELDS:
            out[key] = int(value)
        elif key in _FLOAT_FIELDS:
            out[key] = float(value)
        elif key in _STR_FIELDS:
            out[key] = value
        elif key == "body":
            out[key] = value.encode()
        elif key.startswith("h."):  # h.X-Name=value: an extra response header
            out.setdefault("headers", []).append((key[2:], value))
        else:
            raise ValueError(f"unknown fake-origin override {key!r}")
    return out


_OVERRIDE_RE = re.compile(r"/_fo(?:@([^/]+))?/([^/]*)")


def override_from_target(target: str, origin_name: Optional[str] = None) -> Optional[dict]:
    """Overrides in the path: "/_fo/k=v,.../" applies to every origin the request reaches,
    "/_fo@NAME/k=v,.../" only to the FakeOrigin called NAME. Several segments may appear."""
    path = target.split("?", 1)[0]
    out: dict = {}
    found = False
    for m in _OVERRIDE_RE.finditer(path):
        if m.group(1) is not None and m.group(1) != origin_name:
            continue
        found = True
        for k, v in parse_override(m.group(2)).items():
            if k == "headers":
                out.setdefault("headers", []).extend(v)
            else:
                out[k] = v
    return out if found else None


@dataclass
class Request:
    method: str
    target: str
    version: str
    headers: list  # [(name, value)] in arrival order, names as sent
    raw_head: bytes
    conn_id: int
    index: int
    received_at: float
    body: bytes = b""
    body_len: int = 0
    body_crc32: int = 0
    chunked: bool = False
    complete: bool = False  # the whole body arrived
    error: Optional[str] = None
    tls: bool = False  # the request arrived over TLS
    sni: Optional[str] = None  # the server name the client sent (None: no SNI or no TLS)
    tls_version: Optional[str] = None  # e.g. "TLSv1.3"

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> str:
        return self.target.split("?", 1)[1] if "?" in self.target else ""

    def header(self, name: str) -> Optional[str]:
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def header_all(self, name: str) -> list:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def has_header(self, name: str) -> bool:
        return any(k.lower() == name.lower() for k, _ in self.headers)


class _ClientGone(Exception):
    pass


class _Conn:
    """Buffered reads on one accepted socket."""

    def __init__(self, sock: socket.socket, tls_session: Optional["TlsSession"] = None):
        self.sock = sock
        self.buf = bytearray()
        self.tls_session = tls_session

    def _fill(self) -> None:
        data = self.sock.recv(256 * 1024)
        if not data:
            raise _ClientGone("peer closed")
        self.buf += data

    def read_head(self, limit: int = 1 << 20) -> Optional[bytes]:
        """The request head including the blank line; None on a clean EOF between requests."""
        while True:
            i = self.buf.find(b"\r\n\r\n")
            if i >= 0:
                head = bytes(self.buf[:i + 4])
                del self.buf[:i + 4]
                return head
            if len(self.buf) > limit:
                raise _ClientGone("request head too large")
            try:
                self._fill()
            except _ClientGone:
                if self.buf:
                    raise
                return None

    def read_line(self) -> bytes:
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line = bytes(self.buf[:i])
                del self.buf[:i + 2]
                return line
            if len(self.buf) > 64 * 1024:
                raise _ClientGone("line too long")
            self._fill()

    def read_exact(self, n: int, sink: Callable[[bytes], None]) -> None:
        while n > 0:
            if not self.buf:
                self._fill()
            take = min(n, len(self.buf))
            sink(bytes(self.buf[:take]))
            del self.buf[:take]
            n -= take


# ------------------------------------------------------------------------------------------
# TLS

# The SNI of the handshake running in this thread (handshakes run in the connection thread,
# and the SNI callback is called synchronously inside do_handshake()).
_tls_local = threading.local()


@dataclass
class TlsSession:
    conn_id: int
    sni: Optional[str]
    version: Optional[str]
    cipher: Optional[str]
    reused: bool = False  # the client resumed an earlier session (ticket or session id)


def _install_sni_recorder(ctx: ssl.SSLContext) -> None:
    """Makes ctx record the client's SNI (keeping any sni_callback it already had)."""
    prev = ctx.sni_callback
    if getattr(prev, "_fake_origin_recorder", False):
        return

    def record(sslobj, server_name, context):
        _tls_local.sni = server_name
        return prev(sslobj, server_name, context) if prev is not None else None

    record._fake_origin_recorder = True  # type: ignore[attr-defined]
    ctx.sni_callback = record


def server_tls_context(certfile, keyfile=None) -> ssl.SSLContext:
    """A server-side context for a certificate chain file and its key."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(certfile), str(keyfile) if keyfile is not None else None)
    return ctx


def _tls_graceful_close(sock) -> None:
    """Sends close_notify without waiting for the peer's (best effort), then closes."""
    if isinstance(sock, ssl.SSLSocket):
        try:
            sock.settimeout(0)
            sock.unwrap()
        except (ssl.SSLError, OSError, ValueError):
            pass
    sock.close()


# ------------------------------------------------------------------------------------------


class FakeOrigin:
    def __init__(self, behavior: Optional[Behavior] = None, name: str = "origin",
                 handler: Optional[Callable[[Request], Optional[Behavior]]] = None,
                 tls: Union[None, ssl.SSLContext, tuple] = None,
                 tls_handshake_timeout: float = 5.0):
        self.name = name
        if tls is None or isinstance(tls, ssl.SSLContext):
            self.tls_context: Optional[ssl.SSLContext] = tls
        else:
            certfile, keyfile = tls
            self.tls_context = server_tls_context(certfile, keyfile)
        if self.tls_context is not None:
            _install_sni_recorder(self.tls_context)
        self.tls_handshake_timeout = tls_handshake_timeout
        self.tls_close_notify = True  # graceful closes send a close_notify alert
        self.tls_handshakes = 0  # completed handshakes
        self.tls_handshake_failures = 0
        self.tls_handshake_errors: list[str] = []
        self.tls_sessions: list[TlsSession] = []  # one per completed handshake
        self.behavior = behavior or Behavior()
        self.handler = handler
        self.requests: list[Request] = []
        self.connections = 0
        self.bytes_sent = 0  # response body bytes written, all connections
        self.ranges_served = 0  # 206 answers to Range requests (Behavior.ranges)
        self._lock = threading.Condition()
        self._stopping = threading.Event()
        self._released = threading.Event()
        self._wake = threading.Condition()
        self._socks: set = set()
        self._threads: list = []
        self._listener: Optional[socket.socket] = None
        self._accept_thread: Optional[threading.Thread] = None
        self.port = 0
        self.errors: list[str] = []  # unexpected exceptions in handler threads

    # -------------------------------------------------------------------- lifecycle

    def start(self, port: int = 0) -> "FakeOrigin":
        """Listens on `port` (0: any free port; a fixed one to restart a stopped origin)."""
        return self.start_on("127.0.0.1", port)

    def start_on(self, host: str, port: int = 0) -> "FakeOrigin":
        """Listens on another loopback address (a firewall rule can then single it out)."""
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((host, port))
        ls.listen(512)
        self._listener = ls
        self.port = ls.getsockname()[1]
        self._accept_thread = threading.Thread(target=self._accept_loop, name=f"{self.name}-accept",
                                               daemon=True)
        self._accept_thread.start()
        return self

    def stop(self) -> None:
        if self._stopping.is_set():
            return
        self._stopping.set()
        with self._wake:
            self._wake.notify_all()
        if self._listener is not None:
            try:
                self._listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._listener.close()
        with self._lock:
            socks = list(self._socks)
        for s in socks:
            try:
                # The plain socket's shutdown, also for an SSLSocket (whose own shutdown
                # would drop its TLS state under the connection thread's feet).
                socket.socket.shutdown(s, socket.SHUT_RDWR)
            except OSError:
                pass
        deadline = time.monotonic() + 5
        if self._accept_thread is not None:
            self._accept_thread.join(max(0.0, deadline - time.monotonic()))
        for t in list(self._threads):
            t.join(max(0.0, deadline - time.monotonic()))

    def __enter__(self) -> "FakeOrigin":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def tls(self) -> bool:
        return self.tls_context is not None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def sni_seen(self) -> list:
        """The SNI of every completed handshake, in order (None: the client sent none)."""
        with self._lock:
            return [s.sni for s in self.tls_sessions]

    # -------------------------------------------------------------------- test controls

    def release(self) -> None:
        """Lets hanging / gated / stalled responses proceed (stays released until reset)."""
        self._released.set()
        with self._wake:
            self._wake.notify_all()

    def reset_release(self) -> None:
        self._released.clear()

    def set(self, **kw) -> None:
        """Changes fields of the default behaviour."""
        self.behavior = self.behavior.replace(**kw)

    def request_count(self) -> int:
        with self._lock:
            return len(self.requests)

    def completed(self) -> list:
        with self._lock:
            return [r for r in self.requests if r.complete]

    def paths(self) -> list:
        with self._lock:
            return [r.path for r in self.requests]

    def wait_for_requests(self, n: int, timeout: float = 5.0, complete: bool = False) -> list:
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                have = [r for r in self.requests if r.complete or not complete]
                if len(have) >= n:
                    return list(self.requests)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"{self.name}: expected {n} requests within {timeout}s, got {len(have)}: "
                        f"{[(r.method, r.target) for r in self.requests]}")
                self._lock.wait(left)

    # -------------------------------------------------------------------- internals

    def _wait_released(self) -> bool:
        """Blocks until released or stopping; True if released."""
        with self._wake:
            while not (self._released.is_set() or self._stopping.is_set()):
                self._wake.wait(1.0)
        return self._released.is_set() and not self._stopping.is_set()

    def _sleep(self, seconds: float) -> bool:
        """A response delay that stop() cuts short; False if stopping."""
        deadline = time.monotonic() + seconds
        with self._wake:
            while not self._stopping.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    return True
                self._wake.wait(left)
        return False

    def _accept_loop(self) -> None:
        conn_id = 0
        while not self._stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except OSError:
                break
            if self._stopping.is_set():
                sock.close()
                break
            conn_id += 1
            with self._lock:
                self.connections += 1
                self._socks.add(sock)
            t = threading.Thread(target=self._serve_conn, args=(sock, conn_id),
                                 name=f"{self.name}-conn{conn_id}", daemon=True)
            self._threads.append(t)
            t.start()

    def _tls_handshake(self, sock: socket.socket, conn_id: int):
        """Wraps and handshakes an accepted socket: (SSLSocket, TlsSession), or None if the
        handshake failed (counted, the socket closed)."""
        assert self.tls_context is not None
        with self._lock:
            self._socks.discard(sock)
            try:
                tls_sock = self.tls_context.wrap_socket(sock, server_side=True,
                                                        do_handshake_on_connect=False)
            except (OSError, ValueError) as e:
                self.tls_handshake_failures += 1
                self.tls_handshake_errors.append(f"wrap: {e}")
                sock.close()
                return None
            self._socks.add(tls_sock)
        _tls_local.sni = None
        try:
            tls_sock.settimeout(self.tls_handshake_timeout)
            tls_sock.do_handshake()
            tls_sock.settimeout(None)
        except (OSError, ValueError) as e:  # ssl.SSLError, timeouts and resets are OSErrors
            with self._lock:
                self._socks.discard(tls_sock)
                self.tls_handshake_failures += 1
                self.tls_handshake_errors.append(f"{type(e).__name__}: {e}")
                self._lock.notify_all()
            try:
                tls_sock.close()
            except OSError:
                pass
            return None
        cipher = tls_sock.cipher()
        session = TlsSession(conn_id=conn_id, sni=_tls_local.sni, version=tls_sock.version(),
                             cipher=cipher[0] if cipher else None,
                             reused=tls_sock.session_reused)
        with self._lock:
            self.tls_handshakes += 1
            self.tls_sessions.append(session)
            self._lock.notify_all()
        return tls_sock, session

    def wait_for_handshake_failures(self, n: int, timeout: float = 5.0) -> list:
        deadline = time.monotonic() + timeout
        with self._lock:
            while self.tls_handshake_failures < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"{self.name}: expected {n} failed TLS handshakes within {timeout}s, "
                        f"got {self.tls_handshake_failures}")
                self._lock.wait(left)
            return list(self.tls_handshake_errors)

    def _serve_conn(self, sock: socket.socket, conn_id: int) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        session = None
        if self.tls_context is not None:
            wrapped = self._tls_handshake(sock, conn_id)
            if wrapped is None:
                return
            sock, session = wrapped
        conn = _Conn(sock, session)
        reset = False
        try:
            while not self._stopping.is_set():
                keep = self._serve_one(conn, conn_id)
                if keep == "reset":
                    reset = True
                    break
                if not keep:
                    break
        except (_ClientGone, ConnectionError, BrokenPipeError, TimeoutError):
            pass
        except OSError:
            pass
        except Exception as e:  # a bug in the fake origin: keep it visible
            self.errors.append(f"{type(e).__name__}: {e}")
        finally:
            with self._lock:
                self._socks.discard(sock)
            if not reset:
                try:
                    if self.tls_close_notify:
                        _tls_graceful_close(sock)
                    else:
                        sock.close()
                except OSError:
                    pass

    def _choose(self, req: Request) -> Behavior:
        b = self.behavior
        if self.handler is not None:
            chosen = self.handler(req)
            if chosen is not None:
                b = chosen
        ov = override_from_target(req.target, self.name)
        if ov:
            if "headers" in ov:
                ov["headers"] = list(b.headers) + ov["headers"]
            b = b.replace(**ov)
        return b

    def _serve_one(self, conn: _Conn, conn_id: int):
        head = conn.read_head()
        if head is None:
            return False
        lines = head[:-4].split(b"\r\n")
        try:
            method, target, version = lines[0].decode("latin-1").split(" ", 2)
        except ValueError:
            raise _ClientGone(f"bad request line {lines[0]!r}")
        headers = []
        for line in lines[1:]:
            name, _, value = line.decode("latin-1").partition(":")
            headers.append((name, value.strip(" \t")))
        tls_info = {}
        if conn.tls_session is not None:
            tls_info = {"tls": True, "sni": conn.tls_session.sni,
                        "tls_version": conn.tls_session.version}
        with self._lock:
            req = Request(method=method, target=target, version=version, headers=headers,
                          raw_head=head, conn_id=conn_id, index=len(self.requests),
                          received_at=time.monotonic(), **tls_info)
            self.requests.append(req)
            self._lock.notify_all()
        behavior = self._choose(req)

        if (req.header("Expect") or "").lower() == "100-continue" and behavior.interim_100:
            conn.sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        self._read_body(conn, req, behavior)

        client_close = any(t.strip().lower() == "close"
                           for v in req.header_all("Connection") for t in v.split(","))
        if version == "HTTP/1.0":
            client_close = client_close or not any(
                t.strip().lower() == "keep-alive" for v in req.header_all("Connection")
                for t in v.split(","))
        return self._respond(conn, req, behavior, client_close)

    def _read_body(self, conn: _Conn, req: Request, b: Behavior) -> None:
        parts: list = []
        crc = 0
        count = 0

        def sink(data: bytes) -> None:
            nonlocal crc, count
            crc = zlib.crc32(data, crc)
            count += len(data)
            if not b.discard_body:
                parts.append(data)

        te = ",".join(req.header_all("Transfer-Encoding")).lower()
        cl = req.header("Content-Length")
        try:
            if "chunked" in te:
                req.chunked = True
                while True:
                    line = conn.read_line()
                    size = int(line.split(b";", 1)[0].strip(), 16)
                    if size == 0:
                        while conn.read_line() != b"":  # trailers
                            pass
                        break
                    conn.read_exact(size, sink)
                    if conn.read_line() != b"":
                        raise _ClientGone("chunk data not followed by CRLF")
            elif cl is not None:
                conn.read_exact(int(cl), sink)
            req.complete = True
        except (_ClientGone, OSError, ValueError) as e:
            req.error = f"body: {e}"
            raise _ClientGone(str(e))
        finally:
            with self._lock:
                req.body = b"".join(parts)
                req.body_len = count
                req.body_crc32 = crc
                self._lock.notify_all()

    def _range(self, req: Request, b: Behavior, size: int):
        """(status, first byte, byte count, extra header lines) for a ranges-enabled 200."""
        accept = ["Accept-Ranges: bytes"]
        selected = _range_of(req, b, size)
        if selected is None:
            return 200, 0, size, accept
        first, last = selected
        with self._lock:
            self.ranges_served += 1
        return 206, first, last - first + 1, accept + [f"Content-Range: bytes {first}-{last}/{size}"]

    def _respond(self, conn: _Conn, req: Request, b: Behavior, client_close: bool):
        sock = conn.sock
        if b.hang:
            if not self._wait_released():
                return False
        if b.delay_s > 0 and not self._sleep(b.delay_s):
            return False
        if b.close_without_response:
            return False
        if b.raw_response is not None:
            sock.sendall(b.raw_response)
            return False

        head_request = req.method == "HEAD"
        bodiless = b.status < 200 or b.status in (204, 304)
        if b.echo:
            body: Optional[bytes] = f"{req.method} {req.target}".encode()
            size = len(body)
        elif b.body_size is not None:
            body = None
            size = b.body_size
        else:
            body = b.body
            size = len(body)

        status, start, extra_headers = b.status, 0, []
        if b.ranges and status == 200:
            status, start, size, extra_headers = self._range(req, b, size)

        keep = b.keep_alive and not client_close
        framing = "chunked" if b.chunked else ("length" if b.content_length else "close")
        if framing == "close":
            keep = False
        reason = b.reason if b.reason is not None and status == b.status else _REASONS.get(
            status, "Status")
        lines = [f"HTTP/1.1 {status} {reason}", "Server: fake-origin"] + extra_headers
        extra_names = {k.lower() for k, _ in b.headers}
        if "content-type" not in extra_names:
            lines.append("Content-Type: text/plain")
        if not bodiless:
            if framing == "chunked":
                lines.append("Transfer-Encoding: chunked")
            elif framing == "length":
                lines.append(f"Content-Length: {size}")
        for k, v in b.headers:
            lines.append(f"{k}: {v}")
        if not keep:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        sock.sendall(head)
        if b.close_after_headers:
            return False
        if head_request or bodiless:
            return keep

        limit = size
        abort_kind = None
        if b.reset_after_bytes is not None:
            limit, abort_kind = min(size, b.reset_after_bytes), "reset"
        elif b.stall_after_bytes is not None:
            limit, abort_kind = min(size, b.stall_after_bytes), "stall"

        sent = 0
        while sent < limit:
            n = min(b.chunk_size, limit - sent, MAX_SLICE)
            at = start + sent
            data = body[at:at + n] if body is not None else pattern_view(at, n)
            if framing == "chunked":
                sock.sendall(b"%x\r\n" % n)
                sock.sendall(data)
                sock.sendall(b"\r\n")
            else:
                sock.sendall(data)
            sent += n
            with self._lock:
                self.bytes_sent += n

        if abort_kind == "reset":
            if b.gate and not self._wait_released():
                return False
            _wait_acknowledged(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
            return "reset"
        if abort_kind == "stall":
            self._wait_released()
            return False
        if framing == "chunked":
            sock.sendall(b"0\r\n\r\n")
        return keep


def _wait_acknowledged(sock, timeout: float = 2.0) -> None:
    """Waits (bounded) until the peer has acknowledged every byte sent. An RST sent with bytes
    still queued drops them, and the peer's kernel may then take its sequence number for a
    forged one (RFC 5961) and ignore it: the client would see a stall instead of a reset."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            queued = struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0" * 4))[0]
        except OSError:
            return
        if queued == 0:
            return
        time.sleep(0.002)


def _range_of(req: Request, b: Behavior, size: int):
    """(first, last) a Range/If-Range pair selects from a body of `size` bytes, or None."""
    m = re.fullmatch(r"\s*bytes=(\d+)-(\d*)\s*", req.header("Range") or "")
    if not m or int(m.group(1)) >= size:
        return None
    if_range = req.header("If-Range")
    if if_range is not None:
        validators = {k.lower(): v for k, v in b.headers}
        if if_range not in (validators.get("etag"), validators.get("last-modified")):
            return None
    first = int(m.group(1))
    last = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
    return (first, last) if last >= first else None


_REASONS = {
    100: "Continue", 200: "OK", 201: "Created", 204: "No Content", 206: "Partial Content",
    301: "Moved Permanently", 302: "Found", 304: "Not Modified", 400: "Bad Request",
    401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    408: "Request Timeout", 409: "Conflict", 410: "Gone", 413: "Content Too Large",
    414: "URI Too Long", 416: "Range Not Satisfiable", 429: "Too Many Requests",
    431: "Request Header Fields Too Large", 500: "Internal Server Error", 501: "Not Implemented",
    502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
}

# ------------------------------------------------------------------------------------------

_held_ports: list = []


def refusing_port() -> int:
    """A loopback port on which connections are refused.

    The socket stays bound (but never listens) for the life of the process, so no other
    program can take the port meanwhile: a connect() to it gets an RST.
    """
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    _held_ports.append(s)
    return s.getsockname()[1]
