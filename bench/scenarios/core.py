"""The core scenarios of issue 6: proxy path, cache hits by size, Zipf with a bounded cache,
the loopback limit, memory per cached object."""
import signal
import subprocess
import time

from harness_lib.load import LUA_DIR, parse_wrk
from harness_lib.procs import LOAD_CPU
from harness_lib.registry import Row, scenario
from harness_lib.servers import Edgefront, EdgefrontLogged, FixedReply

MiB = 1 << 20
HIT_CACHE_BYTES = 256 * MiB
ZIPF_OBJECTS = 100_000
ZIPF_CACHE_BYTES = 16 * MiB  # about 15% of the 100k x 1 KiB working set (~105 MiB)
FILL_DEADLINE_S = 200  # keeps `make bench` bounded; the report says how many objects made it


@scenario("proxy", "Proxy path, no cache: 1 KiB responses, 50 keep-alive connections", order=10)
def proxy(run):
    return run.compare("proxy", run.servers(), "/k1/a", cache_bytes=None)


@scenario("hit-1k", "1 KiB cache hits, 50 keep-alive connections", order=20)
def hit_1k(run):
    return run.compare("hit-1k", run.servers(), "/k1/a", cache_bytes=HIT_CACHE_BYTES)


@scenario("hit-1k-logged", "1 KiB cache hits with the access log off and on (edgefront only)",
          order=25)
def hit_1k_logged(run):
    servers = [cls(run.workdir + f"/{cls.name}-{time.time_ns()}")
               for cls in (Edgefront, EdgefrontLogged)]
    return run.compare("hit-1k-logged", servers, "/k1/a", cache_bytes=HIT_CACHE_BYTES)


@scenario("hit-100k", "100 KiB cache hits, 50 keep-alive connections", order=30)
def hit_100k(run):
    return run.compare("hit-100k", run.servers(), "/k100/a", cache_bytes=HIT_CACHE_BYTES)


@scenario("hit-1m", "1 MiB cache hits, 50 keep-alive connections", order=40)
def hit_1m(run):
    return run.compare("hit-1m", run.servers(), "/m1/a", cache_bytes=HIT_CACHE_BYTES)


@scenario("zipf", "Zipf 1.0 over 100k 1 KiB objects, cache bounded to 16 MiB", order=50)
def zipf(run):
    return run.compare("zipf", run.servers(), "/", cache_bytes=ZIPF_CACHE_BYTES,
                       script="zipf.lua", script_args=(ZIPF_OBJECTS, 1.0, 1),
                       warmup=max(run.args.warmup, 5))  # fill the cache before measuring


@scenario("loopback", "Loopback limit: a fixed 1 KiB reply, no proxy", order=60)
def loopback(run):
    server = FixedReply(run.workdir + "/fixed-reply")
    rows = run.compare("loopback", [server], "/", cache_bytes=None)
    for row in rows:
        row.server = "fixed-reply (nginx return 200)"
    return rows


def fill(run, server, objects):
    """Requests `objects` distinct 100-byte objects once each; stops wrk when the origin has
    served them all (wrk itself only stops at the end of its duration)."""
    before = run.origin.requests_served()
    wrk = subprocess.Popen(
        ["taskset", "-c", LOAD_CPU, "wrk", "-t1", "-c50", "-d600s", "--latency", "-s",
         f"{LUA_DIR}/fill.lua", f"http://127.0.0.1:{server.port}/", "--", str(objects)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + FILL_DEADLINE_S
    try:
        while run.origin.requests_served() - before < objects and time.monotonic() < deadline:
            if wrk.poll() is not None:
                break
            time.sleep(0.5)
    finally:
        if wrk.poll() is None:
            wrk.send_signal(signal.SIGINT)  # wrk prints its summary and exits
        out, _ = wrk.communicate(timeout=30)
    time.sleep(0.5)
    return run.origin.requests_served() - before, parse_wrk(out)


@scenario("memory", "Memory per cached object: RSS growth after caching small objects",
          order=70)
def memory(run):
    """Only servers that keep objects in memory: nginx and Traffic Server keep bodies in
    files, so their RSS says nothing about the cost of an object."""
    objects = run.args.memory_objects
    rows = []
    for server in run.servers([n for n in run.args.servers if n in ("edgefront", "varnish")]):
        try:
            # Room for 1M objects with nothing evicted: edgefront's budget charges each
            # object's structures too (about 1.3 KiB for a 100-byte one, cache.md).
            server.start(run.procs, run.origin.port, 2048 * MiB)
            run.versions[server.name] = server.version()
            run.fetch_headers(server.port, "/tiny/0")
            time.sleep(1)
            rss_before = run.procs.rss_bytes(server.proc)
            fetched, result = fill(run, server, objects)
            time.sleep(1)
            rss_after = run.procs.rss_bytes(server.proc)
        finally:
            run.procs.stop(server.proc)
        per_object = (rss_after - rss_before) / fetched if fetched else 0
        print(f"  memory {server.name}: {fetched} objects, RSS {rss_before >> 20} -> "
              f"{rss_after >> 20} MiB, {per_object:.0f} B/object")
        rows.append(Row("memory", server.name, rps=result["rps"], p50_ms=result["p50_ms"],
                        p99_ms=result["p99_ms"], note=server.note,
                        extra={"objects": fetched, "rss_before_mib": rss_before / MiB,
                               "rss_after_mib": rss_after / MiB,
                               "bytes_per_object": per_object}))
    return rows
