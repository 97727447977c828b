"""Issue 13 item 4, memory that stays bounded and is given back: what an idle keep-alive
connection costs, whether a burst's memory goes back, and RSS against a full 64 MiB cache."""
import os
import resource
import selectors
import socket
import subprocess
import time

from harness_lib.load import LUA_DIR, parse_wrk
from harness_lib.procs import LOAD_CPU
from harness_lib.registry import Row, scenario

MiB = 1 << 20
KiB = 1 << 10
IDLE_CONNECTIONS = 10_000
BATCH = 500  # connections opened and answered at a time (below every listen backlog)
GIVE_BACK_WAIT_S = 15  # after the burst: long enough for any decay the allocator applies
CACHE_RSS_BYTES = 64 * MiB
CACHE_RSS_OBJECTS = 3 * CACHE_RSS_BYTES // KiB  # three times what fits: the bound is reached
FILL_DEADLINE_S = 120


def raise_fd_limit(needed):
    """The harness holds the client ends; servers inherit the same (raised) soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(needed, hard), hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def read_response(sock):
    """Reads one response with a Content-Length body (blocking, with the socket's timeout)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("connection closed before a response head")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("connection closed inside a response body")
        body += chunk
    return head.split(b" ", 2)[1]


def open_idle(port, count, path):
    """`count` keep-alive connections, each having completed one request: idle, open."""
    request = f"GET {path} HTTP/1.1\r\nHost: bench.test\r\n\r\n".encode()
    socks = []
    try:
        while len(socks) < count:
            batch = [socket.create_connection(("127.0.0.1", port), timeout=10)
                     for _ in range(min(BATCH, count - len(socks)))]
            socks += batch
            for s in batch:
                s.sendall(request)
            for s in batch:
                status = read_response(s)
                if status != b"200":
                    raise RuntimeError(f"idle connection setup got {status!r}")
    except BaseException:
        for s in socks:
            s.close()
        raise
    return socks


def still_open(socks):
    """How many of the connections the server has kept (none readable = none closed)."""
    sel = selectors.DefaultSelector()
    for s in socks:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    closed = len(sel.select(timeout=0.5))
    sel.close()
    return len(socks) - closed


@scenario("idle-connections", f"{IDLE_CONNECTIONS:,} idle keep-alive connections: RSS per "
          "connection, and RSS after they close", order=72)
def idle_connections(run):
    limit = raise_fd_limit(IDLE_CONNECTIONS + 2048)
    count = min(IDLE_CONNECTIONS, limit - 2048)
    rows = []
    for server in run.servers([n for n in run.args.servers if n in ("edgefront", "nginx")]):
        try:
            server.start(run.procs, run.origin.port, 256 * MiB)
            run.versions[server.name] = server.version()
            run.fetch_headers(server.port, "/k1/a")  # cached: the idle ones are hits
            time.sleep(1)
            rss_base = run.procs.rss_bytes(server.proc)
            socks = open_idle(server.port, count, "/k1/a")
            time.sleep(1)
            rss_idle = run.procs.rss_bytes(server.proc)
            kept = still_open(socks)
            for s in socks:
                s.close()
            time.sleep(GIVE_BACK_WAIT_S)
            rss_closed = run.procs.rss_bytes(server.proc)
        finally:
            run.procs.stop(server.proc)
        per_conn = (rss_idle - rss_base) / count
        kept_after = rss_closed - rss_base
        print(f"  idle-connections {server.name}: {count} open ({kept} still open), RSS "
              f"{rss_base / MiB:.1f} -> {rss_idle / MiB:.1f} MiB ({per_conn:.0f} B/connection), "
              f"{rss_closed / MiB:.1f} MiB {GIVE_BACK_WAIT_S} s after closing")
        rows.append(Row("idle-connections", server.name, note=server.note, extra={"columns": {
            "connections": f"{count}", "still open": f"{kept}",
            "RSS base MiB": f"{rss_base / MiB:.1f}", "RSS idle MiB": f"{rss_idle / MiB:.1f}",
            "B/idle connection": f"{per_conn:.0f}",
            f"RSS {GIVE_BACK_WAIT_S} s after close MiB": f"{rss_closed / MiB:.1f}",
            "kept after close MiB": f"{kept_after / MiB:.1f}"}}))
    return rows


def fill_paths(run, server, prefix, objects):
    """Requests `prefix`1 .. `prefix`N once each (bench/lua/fill.lua)."""
    wrk = subprocess.Popen(
        ["taskset", "-c", LOAD_CPU, "wrk", "-t1", "-c50", "-d600s", "--latency", "-s",
         f"{LUA_DIR}/fill.lua", f"http://127.0.0.1:{server.port}/", "--", str(objects), prefix],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    before = run.origin.requests_served()
    deadline = time.monotonic() + FILL_DEADLINE_S
    try:
        while run.origin.requests_served() - before < objects and time.monotonic() < deadline:
            if wrk.poll() is not None:
                break
            time.sleep(0.5)
    finally:
        if wrk.poll() is None:
            wrk.send_signal(2)  # SIGINT: wrk prints its summary and exits
        out, _ = wrk.communicate(timeout=30)
    time.sleep(0.5)
    return run.origin.requests_served() - before, parse_wrk(out)


def tmpfs_bytes(path):
    """Bytes the files under `path` take (nginx's cache bodies live in /dev/shm: memory)."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                pass
    return total


@scenario("cache-rss", f"RSS with a {CACHE_RSS_BYTES >> 20} MiB cache filled with 1 KiB objects",
          order=74)
def cache_rss(run):
    rows = []
    for server in run.servers([n for n in run.args.servers if n in ("edgefront", "nginx")]):
        try:
            server.start(run.procs, run.origin.port, CACHE_RSS_BYTES)
            run.versions[server.name] = server.version()
            run.fetch_headers(server.port, "/k1/a")
            time.sleep(1)
            rss_base = run.procs.rss_bytes(server.proc)
            fetched, result = fill_paths(run, server, "/z/", CACHE_RSS_OBJECTS)
            time.sleep(1)
            rss_full = run.procs.rss_bytes(server.proc)
            files = tmpfs_bytes(os.path.join(server.dir, "cache"))
        finally:
            run.procs.stop(server.proc)
        grown = rss_full - rss_base
        ratio = (grown + files) / CACHE_RSS_BYTES
        print(f"  cache-rss {server.name}: {fetched} objects requested, RSS "
              f"{rss_base / MiB:.1f} -> {rss_full / MiB:.1f} MiB, cache files "
              f"{files / MiB:.1f} MiB: {ratio:.2f}x the bound")
        rows.append(Row("cache-rss", server.name, rps=result["rps"], p50_ms=result["p50_ms"],
                        p99_ms=result["p99_ms"], note=server.note, extra={"columns": {
                            "objects requested": f"{fetched}",
                            "RSS base MiB": f"{rss_base / MiB:.1f}",
                            "RSS full MiB": f"{rss_full / MiB:.1f}",
                            "cache files MiB": f"{files / MiB:.1f}",
                            "(growth + files) / bound": f"{ratio:.2f}",
                            "fill req/s": f"{result['rps']:.0f}"}}))
    return rows
