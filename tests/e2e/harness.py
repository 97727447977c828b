"""End-to-end harness: the edgefront process, raw HTTP/1.1 clients, curl, metrics, waits.

Stdlib only (Debian's /usr/bin/python3 + python3-pytest). Conventions:
  * every server binds 127.0.0.1 port 0; ports are read from the edge's stdout;
  * no sleeps for timing: wait on a condition with a deadline (wait_until);
  * everything started by a test is stopped by its fixture (see conftest.Cluster).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

HERE = Path(__file__).resolve().parent
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]
START_TIMEOUT = 10.0

_LISTEN_RE = re.compile(rb"^edgefront listening on (https?)://([^\s]+):(\d+)\s*$")
_ADMIN_RE = re.compile(rb"^edgefront admin listening on http://([^\s]+):(\d+)\s*$")


def source_dir() -> Path:
    env = os.environ.get("EDGEFRONT_SOURCE_DIR")
    return Path(env).resolve() if env else HERE.parent.parent


def edge_binary() -> Optional[Path]:
    env = os.environ.get("EDGEFRONT_BIN")
    if env:
        return Path(env)
    p = source_dir() / "build" / "edgefront"
    return p if p.exists() else None


# ------------------------------------------------------------------------------------------
# Waiting


def wait_until(predicate: Callable[[], Any], timeout: float = 5.0, interval: float = 0.01,
               desc: str = "condition") -> Any:
    """Polls predicate until it returns a truthy value (returned) or the deadline passes."""
    deadline = time.monotonic() + timeout
    last_exc: Optional[BaseException] = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except Exception as e:  # keep polling; report the last error on timeout
            last_exc = e
        if time.monotonic() >= deadline:
            extra = f" (last error: {last_exc!r})" if last_exc else ""
            raise AssertionError(f"timed out after {timeout}s waiting for {desc}{extra}")
        time.sleep(interval)


# ------------------------------------------------------------------------------------------
# Config writing. JSON is valid YAML (yaml-cpp reads it), so configs are written as JSON.


def write_config(path: Path, config: Any) -> Path:
    if isinstance(config, (dict, list)):
        path.write_text(json.dumps(config, indent=2) + "\n")
    else:
        path.write_text(str(config))
    return path


def http_origin(origin_id: str, port: int, **overrides) -> dict:
    """A native-config HTTP origin on 127.0.0.1:port with test-friendly timeouts."""
    o = {
        "id": origin_id,
        "domain_name": "127.0.0.1",
        "http_port": port,
        "protocol_policy": "http-only",
        "connection_attempts": 1,
        "connection_timeout": "1s",
        "read_timeout": "5s",
    }
    o.update(overrides)
    return o


def dir_origin(origin_id: str, directory, **overrides) -> dict:
    o = {"id": origin_id, "directory": str(directory)}
    o.update(overrides)
    return o


def distribution(origins: list, target: str, groups: Optional[list] = None,
                 behaviors: Optional[list] = None, methods: Optional[list] = None,
                 dist_id: str = "main", cache_policy: Optional[str] = None,
                 **extra) -> dict:
    d: dict = {"id": dist_id, "origins": origins}
    if groups:
        d["origin_groups"] = groups
    d["default_cache_behavior"] = {
        "target_origin_id": target,
        "viewer_protocol_policy": "allow-all",
        "allowed_methods": list(methods or ALL_METHODS),
    }
    if cache_policy:
        d["default_cache_behavior"]["cache_policy"] = cache_policy
    if behaviors:
        d["cache_behaviors"] = behaviors
    d.update(extra)
    return d


def edge_config(dist: dict, served_by: bool = True, limits: Optional[dict] = None,
                **server) -> dict:
    """The cache is off (`cache: {memory: 0}`) unless `cache=` says otherwise, so proxy tests
    see every request reach the origin."""
    s = {"listen": "127.0.0.1:0", "workers": 2, "admin": "127.0.0.1:0",
         "served_by_header": served_by, "cache": {"memory": 0}}
    lim = {"drain_timeout": "10s"}
    lim.update(limits or {})
    s["limits"] = lim
    s.update(server)
    return {"server": s, "distributions": [dist]}


# ------------------------------------------------------------------------------------------
# The edgefront process

_PDEATHSIG: Optional[list] = None


def _pdeathsig_prefix() -> list:
    """`setpriv --pdeathsig KILL --` so an edge dies with the test process (if available)."""
    global _PDEATHSIG
    if _PDEATHSIG is None:
        _PDEATHSIG = []
        exe = shutil.which("setpriv")
        if exe:
            try:
                r = subprocess.run([exe, "--pdeathsig", "KILL", "--", "true"], timeout=5,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                if r.returncode == 0:
                    _PDEATHSIG = [exe, "--pdeathsig", "KILL", "--"]
            except (OSError, subprocess.SubprocessError):
                pass
    return list(_PDEATHSIG)


class EdgeStartError(RuntimeError):
    def __init__(self, message: str, stderr: str, returncode: Optional[int]):
        super().__init__(message)
        self.stderr = stderr
        self.returncode = returncode

    @property
    def admin_port_busy(self) -> bool:
        s = self.stderr.lower()
        return "admin" in s and ("in use" in s or "eaddrinuse" in s)


class Edge:
    """One `edgefront serve` process.

    config: a dict (written as JSON/YAML into workdir), a path to an existing file, or None
    (the built-in demo config). For dict configs server.admin defaults to 127.0.0.1:0.
    """

    def __init__(self, binary, workdir: Path, config: Any = None, workers: Optional[int] = 2,
                 listen: Optional[str] = "127.0.0.1:0", extra_args=(), cwd=None,
                 env: Optional[dict] = None, expect_admin: Optional[bool] = None,
                 config_name: str = "edgefront.yaml"):
        self.binary = str(binary)
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.workers = workers
        self.listen = listen
        self.extra_args = list(extra_args)
        self.cwd = str(cwd) if cwd else str(self.workdir)
        self.env = env
        self.config_path: Optional[Path] = None
        if isinstance(config, dict):
            config = json.loads(json.dumps(config))  # deep copy
            server = config.setdefault("server", {}) if "distributions" in config or \
                "distribution" in config else None
            if server is not None:
                server.setdefault("admin", "127.0.0.1:0")
                if expect_admin is None:
                    expect_admin = str(server.get("admin")).lower() not in ("off", "false")
            self.config_path = write_config(self.workdir / config_name, config)
        elif config is not None:
            self.config_path = Path(config)
        self.expect_admin = bool(expect_admin)
        self.proc: Optional[subprocess.Popen] = None
        self.stderr_path = self.workdir / f"edge-{id(self)}.stderr"
        self.stdout_lines: list = []
        self._cond = threading.Condition()
        self._stdout_eof = False
        self._reader: Optional[threading.Thread] = None
        self.listen_addrs: list = []
        self.listen_schemes: list = []  # "http" / "https", in the order of listen_addrs
        self.port = 0
        self.admin_port: Optional[int] = None
        self.stopped = False

    # -------------------------------------------------------------------- start / stop

    def command(self) -> list:
        cmd = [self.binary, "serve"]
        if self.config_path is not None:
            cmd += ["--config", str(self.config_path)]
        if self.listen:
            cmd += ["--listen", self.listen]
        if self.workers:
            cmd += ["--workers", str(self.workers)]
        return cmd + self.extra_args

    def start(self, timeout: float = START_TIMEOUT) -> "Edge":
        env = dict(os.environ if self.env is None else self.env)
        self._stderr_file = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(_pdeathsig_prefix() + self.command(), cwd=self.cwd, env=env,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self._stderr_file)
        self._reader = threading.Thread(target=self._read_stdout, daemon=True,
                                        name=f"edge-{self.proc.pid}-stdout")
        self._reader.start()
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                if self.listen_addrs and (self.admin_port is not None or not self.expect_admin):
                    break
                if self._stdout_eof:
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(min(left, 0.5))
        if not self.listen_addrs or (self.expect_admin and self.admin_port is None):
            rc = None
            try:
                rc = self.proc.wait(timeout=2 if self._stdout_eof else 0.01)
            except subprocess.TimeoutExpired:
                pass
            if rc is None:
                self._kill()
            self.stopped = True
            stderr = self.stderr_text()
            what = (f"edgefront exited with code {rc} before reporting its listener(s)"
                    if rc is not None else
                    f"edgefront did not report its listener(s) within {timeout}s (killed)")
            raise EdgeStartError(
                f"{what}; cmd={self.command()}\nstdout: {self.stdout_lines!r}\n"
                f"stderr:\n{stderr}", stderr, rc)
        self.port = self.listen_addrs[0][1]
        return self

    def _read_stdout(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._cond:
                self.stdout_lines.append(line.decode("utf-8", "replace").rstrip("\n"))
                m = _LISTEN_RE.match(line.strip())
                if m:
                    self.listen_addrs.append((m.group(2).decode(), int(m.group(3))))
                    self.listen_schemes.append(m.group(1).decode())
                m = _ADMIN_RE.match(line.strip())
                if m:
                    self.admin_port = int(m.group(2))
                self._cond.notify_all()
        with self._cond:
            self._stdout_eof = True
            self._cond.notify_all()

    def _kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass

    def send_signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def wait_exit(self, timeout: float = 15.0) -> int:
        """Waits for the process to exit on its own (e.g. after a signal the test sent);
        the cluster then does not stop it again."""
        assert self.proc is not None
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"edgefront (pid {self.proc.pid}) still running after "
                                 f"{timeout}s\nstderr:\n{self.stderr_text()}") from None
        self.stopped = True
        self._close_files()
        return rc

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0,
             expect_code: Optional[int] = 0) -> Optional[int]:
        """Signals the process and waits for it; asserts the exit code (None: don't check)."""
        if self.proc is None or self.stopped:
            return self.proc.returncode if self.proc else None
        self.stopped = True
        died_early = self.proc.poll() is not None
        if not died_early:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._kill()
            self._close_files()
            raise AssertionError(
                f"edgefront (pid {self.proc.pid}) did not exit within {timeout}s of signal "
                f"{sig}; killed.\nstderr:\n{self.stderr_text()}")
        self._close_files()
        if died_early and expect_code is not None:
            raise AssertionError(
                f"edgefront exited on its own before the test stopped it (exit code {rc})\n"
                f"stderr:\n{self.stderr_text()}")
        if expect_code is not None and rc != expect_code:
            raise AssertionError(f"edgefront exit code {rc}, expected {expect_code}\n"
                                 f"stderr:\n{self.stderr_text()}")
        return rc

    def _close_files(self) -> None:
        if self._reader is not None:
            self._reader.join(timeout=2)
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
        if getattr(self, "_stderr_file", None):
            self._stderr_file.close()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -------------------------------------------------------------------- info

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def admin_url(self) -> str:
        assert self.admin_port is not None, "admin listener not reported"
        return f"http://127.0.0.1:{self.admin_port}"

    def stderr_text(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except OSError:
            return ""

    def metrics_text(self) -> str:
        r = http_request(self.admin_port, "GET", "/metrics")
        assert r.status == 200, f"/metrics answered {r.status}"
        return r.body.decode()

    def metrics(self) -> dict:
        return parse_metrics(self.metrics_text())

    def metric(self, name: str, **labels) -> float:
        return metric_value(self.metrics(), name, **labels)

    def wait_metric(self, name: str, expected: float, timeout: float = 5.0, **labels) -> dict:
        """Waits until the counter equals `expected` (counters of the answer to the last
        request may be bumped just after its bytes were sent)."""
        seen: list = []

        def check():
            m = self.metrics()
            v = metric_value(m, name, **labels)
            seen.append(v)
            return m if v == expected else None

        try:
            return wait_until(check, timeout=timeout, interval=0.02,
                              desc=f"{name}{labels} == {expected}")
        except AssertionError:
            raise AssertionError(f"{name}{labels}: expected {expected}, last value "
                                 f"{seen[-1] if seen else None}") from None

    def status_file(self) -> dict:
        out = {}
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                out[k.strip()] = v.strip()
        return out

    def vm_hwm_bytes(self) -> int:
        kb = self.status_file()["VmHWM"].split()[0]
        return int(kb) * 1024

    def thread_count(self) -> int:
        return len(os.listdir(f"/proc/{self.pid}/task"))

    def sanitized(self) -> bool:
        """True for an ASan build (much larger RSS, e.g. the quarantine)."""
        try:
            with open(f"/proc/{self.pid}/maps") as f:
                if "asan" in f.read():
                    return True
        except OSError:
            pass
        return binary_is_sanitized(self.binary)


_SANITIZED: dict = {}


def binary_is_sanitized(binary: str) -> bool:
    if binary not in _SANITIZED:
        found = False
        try:
            with open(binary, "rb") as f:
                tail = b""
                while True:
                    block = f.read(1 << 20)
                    if not block:
                        break
                    if b"__asan_init" in tail + block:
                        found = True
                        break
                    tail = block[-32:]
        except OSError:
            pass
        _SANITIZED[binary] = found
    return _SANITIZED[binary]


# ------------------------------------------------------------------------------------------
# HTTP responses


@dataclass
class Response:
    status: int
    reason: str = ""
    version: str = "HTTP/1.1"
    headers: list = field(default_factory=list)  # [(name, value)]
    body: bytes = b""
    raw: bytes = b""
    chunked: bool = False
    complete: bool = True

    def header(self, name: str) -> Optional[str]:
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def header_all(self, name: str) -> list:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def has_header(self, name: str) -> bool:
        return any(k.lower() == name.lower() for k, _ in self.headers)

    def joined(self, name: str) -> Optional[str]:
        vals = self.header_all(name)
        return ", ".join(vals) if vals else None

    def __repr__(self) -> str:
        return (f"Response({self.status} {self.reason!r}, headers={self.headers!r}, "
                f"body={self.body[:200]!r}{'...' if len(self.body) > 200 else ''})")


class Incomplete(Exception):
    pass


def parse_response(buf: bytes, head_request: bool = False, eof: bool = False):
    """Parses one response at the start of buf.

    Returns (Response, consumed) or None if more bytes are needed. Interim (1xx) responses
    are returned on their own. With eof=True a close-delimited body ends at the buffer's end.
    Raises ValueError on malformed input.
    """
    i = buf.find(b"\r\n\r\n")
    if i < 0:
        if eof and buf:
            raise Incomplete(f"connection closed inside a response head: {buf[:200]!r}")
        return None
    head = buf[:i].decode("latin-1")
    lines = head.split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/"):
        raise ValueError(f"bad status line {lines[0]!r}")
    r = Response(status=int(parts[1]), reason=parts[2] if len(parts) > 2 else "",
                 version=parts[0])
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            raise ValueError(f"bad header line {line!r}")
        r.headers.append((name, value.strip(" \t")))
    pos = i + 4
    if 100 <= r.status < 200 or r.status in (204, 304) or head_request:
        r.raw = buf[:pos]
        return r, pos
    te = (r.joined("Transfer-Encoding") or "").lower()
    if "chunked" in te:
        r.chunked = True
        body = bytearray()
        while True:
            j = buf.find(b"\r\n", pos)
            if j < 0:
                if eof:
                    raise Incomplete("connection closed inside a chunked body")
                return None
            size = int(buf[pos:j].split(b";", 1)[0].strip(), 16)
            pos = j + 2
            if size == 0:
                # trailers until an empty line
                while True:
                    k = buf.find(b"\r\n", pos)
                    if k < 0:
                        if eof:
                            raise Incomplete("connection closed inside chunked trailers")
                        return None
                    line = buf[pos:k]
                    pos = k + 2
                    if line == b"":
                        break
                break
            if len(buf) < pos + size + 2:
                if eof:
                    raise Incomplete("connection closed inside a chunk")
                return None
            body += buf[pos:pos + size]
            if buf[pos + size:pos + size + 2] != b"\r\n":
                raise ValueError("chunk not followed by CRLF")
            pos += size + 2
        r.body = bytes(body)
        r.raw = buf[:pos]
        return r, pos
    cl = r.header("Content-Length")
    if cl is not None:
        n = int(cl)
        if len(buf) < pos + n:
            if eof:
                raise Incomplete(f"connection closed after {len(buf) - pos} of {n} body bytes")
            return None
        r.body = buf[pos:pos + n]
        r.raw = buf[:pos + n]
        return r, pos + n
    # close-delimited
    if not eof:
        return None
    r.body = buf[pos:]
    r.raw = buf
    return r, len(buf)


class RawConn:
    """A raw TCP connection to a server, with response parsing on top."""

    def __init__(self, port: int, timeout: float = 10.0, host: str = "127.0.0.1",
                 rcvbuf: Optional[int] = None):
        if rcvbuf is None:
            self.sock = socket.create_connection((host, port), timeout=timeout)
        else:
            # Before connecting, so the window the server sees is small from the start: a
            # viewer whose socket takes only part of an answer.
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            self.sock.settimeout(timeout)
            self.sock.connect((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.timeout = timeout
        self.buf = b""
        self.eof = False
        self.reset = False

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _recv(self, deadline: float) -> bool:
        """Reads more into buf; False at EOF/reset. Raises TimeoutError at the deadline."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline passed")
        self.sock.settimeout(left)
        try:
            data = self.sock.recv(256 * 1024)
        except ConnectionResetError:
            self.reset = True
            self.eof = True
            return False
        except socket.timeout:
            raise TimeoutError("timed out reading from the server") from None
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def read_response(self, head_request: bool = False, timeout: Optional[float] = None,
                      skip_interim: bool = True) -> Response:
        deadline = time.monotonic() + (timeout if timeout is not None else self.timeout)
        while True:
            parsed = parse_response(self.buf, head_request=head_request, eof=self.eof)
            if parsed is not None:
                r, used = parsed
                self.buf = self.buf[used:]
                if skip_interim and 100 <= r.status < 200:
                    continue
                return r
            if self.eof:
                raise Incomplete(f"connection closed before a complete response: {self.buf!r}")
            self._recv(deadline)

    def read_until(self, predicate: Callable[[bytes], bool], timeout: float = 5.0) -> bool:
        """Reads until predicate(buffered bytes) holds (True), EOF (False) or the deadline
        (TimeoutError). The bytes stay buffered for read_response."""
        deadline = time.monotonic() + timeout
        while not predicate(self.buf):
            if self.eof or not self._recv(deadline):
                return predicate(self.buf)
        return True

    def read_until_close(self, timeout: float = 5.0) -> tuple:
        """(bytes received, how) with how in {'eof', 'reset', 'timeout'}."""
        deadline = time.monotonic() + timeout
        try:
            while not self.eof:
                self._recv(deadline)
        except TimeoutError:
            data, self.buf = self.buf, b""
            return data, "timeout"
        data, self.buf = self.buf, b""
        return data, "reset" if self.reset else "eof"

    def wait_closed(self, timeout: float = 5.0) -> str:
        """Waits for the server to close; returns 'eof'/'reset'; fails if data or timeout."""
        data, how = self.read_until_close(timeout)
        assert how != "timeout", f"connection still open after {timeout}s"
        assert data == b"", f"unexpected bytes after the response: {data[:300]!r}"
        return how

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self) -> "RawConn":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def raw_request(port: int, data: bytes, timeout: float = 10.0,
                read_until_close: bool = True) -> bytes:
    """Sends raw bytes; returns everything received until the server closes (or, with
    read_until_close=False, until the first complete response)."""
    with RawConn(port, timeout=timeout) as c:
        c.send(data)
        if read_until_close:
            received, how = c.read_until_close(timeout)
            if how == "timeout":
                raise TimeoutError(f"server did not close within {timeout}s; got {received!r}")
            return received
        r = c.read_response()
        return r.raw


def request_bytes(method: str = "GET", target: str = "/", headers: Optional[list] = None,
                  body: bytes = b"", host: str = "edge.test", version: str = "HTTP/1.1",
                  content_length: Optional[bool] = None) -> bytes:
    """A well-formed request; Content-Length added when there is a body (unless told)."""
    lines = [f"{method} {target} {version}"]
    if host is not None:
        lines.append(f"Host: {host}")
    hdrs = list(headers or [])
    if content_length is None:
        content_length = bool(body) and not any(k.lower() in ("content-length",
                                                              "transfer-encoding")
                                                for k, _ in hdrs)
    if content_length:
        hdrs.append(("Content-Length", str(len(body))))
    for k, v in hdrs:
        lines.append(f"{k}: {v}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def chunked(body: bytes, sizes: Optional[list] = None) -> bytes:
    """Chunked encoding of body (in the given chunk sizes, else one chunk)."""
    out = bytearray()
    pos = 0
    for n in (sizes or [len(body)]):
        part = body[pos:pos + n]
        pos += n
        if part:
            out += b"%x\r\n" % len(part) + part + b"\r\n"
    if pos < len(body):
        out += b"%x\r\n" % (len(body) - pos) + body[pos:] + b"\r\n"
    out += b"0\r\n\r\n"
    return bytes(out)


# ------------------------------------------------------------------------------------------
# http.client


def http_request(port: int, method: str = "GET", path: str = "/", headers: Optional[dict] = None,
                 body: Optional[bytes] = None, timeout: float = 10.0,
                 host: str = "127.0.0.1") -> Response:
    import http.client

    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=dict(headers or {}))
        resp = conn.getresponse()
        data = resp.read()
        return Response(status=resp.status, reason=resp.reason,
                        version="HTTP/1.1" if resp.version == 11 else "HTTP/1.0",
                        headers=list(resp.getheaders()), body=data,
                        chunked=bool(resp.chunked))
    finally:
        conn.close()


def http_get(port: int, path: str = "/", headers: Optional[dict] = None, **kw) -> Response:
    return http_request(port, "GET", path, headers=headers, **kw)


# ------------------------------------------------------------------------------------------
# curl


@dataclass
class CurlResult:
    exit_code: int
    status: int
    headers: list
    body: bytes
    stderr: str

    def header(self, name: str) -> Optional[str]:
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


def _curl_env() -> dict:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["CURL_HOME"] = "/nonexistent"  # ignore any ~/.curlrc
    return env


def parse_header_dump(text: str) -> list:
    """Headers of the last response block in a `curl -D` dump."""
    blocks = [b for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    if not blocks:
        return []
    out = []
    for line in blocks[-1].split("\n")[1:]:
        name, sep, value = line.partition(":")
        if sep:
            out.append((name.strip(), value.strip()))
    return out


def curl(url: str, *args: str, timeout: float = 30.0) -> CurlResult:
    with tempfile.TemporaryDirectory() as d:
        hdr = os.path.join(d, "h")
        out = os.path.join(d, "b")
        cmd = ["curl", "-q", "-sS", "--noproxy", "*", "-D", hdr, "-o", out, "-w", "%{http_code}",
               "--max-time", str(int(timeout)), *args, url]
        p = subprocess.run(cmd, capture_output=True, timeout=timeout + 10, env=_curl_env())
        headers = parse_header_dump(Path(hdr).read_text("latin-1")) if os.path.exists(hdr) else []
        body = Path(out).read_bytes() if os.path.exists(out) else b""
        code = p.stdout.decode().strip()
        return CurlResult(exit_code=p.returncode, status=int(code) if code.isdigit() else 0,
                          headers=headers, body=body, stderr=p.stderr.decode(errors="replace"))


def curl_popen(url: str, out_path, *args: str, timeout: float = 30.0) -> subprocess.Popen:
    cmd = ["curl", "-q", "-sS", "--noproxy", "*", "-o", str(out_path), "--max-time",
           str(int(timeout)), *args, url]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_curl_env())


# ------------------------------------------------------------------------------------------
# Prometheus text

_METRIC_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?\s*$')
_LABEL_RE = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,|$)')


def _unescape(v: str) -> str:
    return v.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def parse_metrics(text: str) -> dict:
    """Prometheus text -> {(name, ((label, value), ...sorted)): float}."""
    out: dict = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = _METRIC_RE.match(line)
        if not m:
            raise ValueError(f"unparseable metrics line: {line!r}")
        name, labels_text, value = m.group(1), m.group(3) or "", m.group(4)
        labels = []
        pos = 0
        while pos < len(labels_text):
            lm = _LABEL_RE.match(labels_text, pos)
            if not lm:
                if labels_text[pos:].strip() in ("", ","):
                    break
                raise ValueError(f"bad labels in metrics line: {line!r}")
            labels.append((lm.group(1), _unescape(lm.group(2))))
            pos = lm.end()
        out[(name, tuple(sorted(labels)))] = float(value)
    return out


def metric_value(metrics: dict, name: str, **labels) -> float:
    """The sample with exactly these labels; 0 if absent (counters start at zero)."""
    return metrics.get((name, tuple(sorted((k, str(v)) for k, v in labels.items()))), 0.0)


def metric_sum(metrics: dict, name: str, **labels) -> float:
    """Sum over samples of `name` whose labels include the given ones."""
    want = {(k, str(v)) for k, v in labels.items()}
    return sum(v for (n, ls), v in metrics.items() if n == name and want <= set(ls))


def port_refuses(port: int) -> bool:
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", port))
        return False
    except ConnectionRefusedError:
        return True
    except OSError:
        return False
    finally:
        s.close()
