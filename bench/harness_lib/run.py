"""One harness run: options, the temp dir, the shared origin and the measuring loop."""
import http.client
import ssl
import statistics
import time

from harness_lib.load import run_wrk
from harness_lib.procs import LOAD_CPU
from harness_lib.registry import Row
from harness_lib.servers import PEERS, Origin


class Run:
    def __init__(self, args, workdir, procs):
        self.args = args
        self.workdir = workdir
        self.procs = procs
        self.origin = Origin(workdir)
        self.origin.start(procs, cpu=LOAD_CPU)
        self.versions = {}

    def servers(self, names=None):
        """Fresh, unstarted instances of the selected peers that are installed."""
        chosen = []
        for name in names or self.args.servers:
            server = PEERS[name](self.workdir + f"/{len(self.procs.procs)}-{time.time_ns()}")
            if server.available():
                chosen.append(server)
            else:
                print(f"  {name}: not installed, skipped")
        return chosen

    def fetch_headers(self, port, path, tls=False):
        if tls:
            conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=5,
                                               context=ssl._create_unverified_context())
        else:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            return {k.lower(): v for k, v in response.getheaders()}
        finally:
            conn.close()

    def compare(self, scenario, servers, path, cache_bytes, connections=50, script=None,
                script_args=(), warmup=None, load=None):
        """Starts the servers, warms each up, then alternates measured rounds between them so
        machine noise spreads evenly; returns one row per server with medians. `load(port,
        duration)` replaces the default wrk run (HTTPS, HTTP/2, handshakes)."""
        args = self.args
        if load is None:
            def load(port, duration):
                return run_wrk(port, path, duration, connections, script, script_args)
        rows = []
        try:
            for server in servers:
                server.start(self.procs, self.origin.port, cache_bytes)
                self.versions[server.name] = server.version()
            cache_says = {}
            for server in servers:
                load(server.port, warmup or args.warmup)
                if cache_bytes and not script:
                    # The request after warm-up must be a hit if the server caches.
                    cache_says[server.name] = server.hit_header(
                        self.fetch_headers(server.port, path, tls=server.tls is not None))
            results = {server.name: [] for server in servers}
            for _ in range(args.rounds):
                for server in servers:
                    before = self.origin.requests_served()
                    cpu_before = self.procs.cpu_seconds(server.proc)
                    r = load(server.port, args.duration)
                    # Server CPU per request holds up better than req/s on a shared machine.
                    cpu = self.procs.cpu_seconds(server.proc) - cpu_before
                    r["cpu_us"] = cpu * 1e6 / r["requests"] if r["requests"] else 0.0
                    time.sleep(0.2)  # let the origin's last log lines land
                    r["origin"] = self.origin.requests_served() - before
                    results[server.name].append(r)
                    print(f"  {scenario} {server.name}: {r['rps']:.0f} req/s, "
                          f"p99 {r['p99_ms']:.2f} ms, origin requests {r['origin']}")
            for server in servers:
                rs = results[server.name]
                row = Row(scenario, server.name,
                          rps=statistics.median(r["rps"] for r in rs),
                          p50_ms=statistics.median(r["p50_ms"] for r in rs),
                          p99_ms=statistics.median(r["p99_ms"] for r in rs),
                          rounds=[r["rps"] for r in rs],
                          cpu_us_per_request=statistics.median(r["cpu_us"] for r in rs),
                          errors=sum(r["non_2xx"] for r in rs), note=server.note)
                if cache_bytes:
                    served = sum(r["requests"] for r in rs)
                    # A few origin requests of the previous run may land in this one's count.
                    misses = sum(r["origin"] for r in rs)
                    row.hit_ratio = min(1.0, max(0.0, 1 - misses / served)) if served else 0.0
                    said = cache_says.get(server.name)
                    if said is False:
                        row.note = "; ".join(n for n in (row.note, "cache header says MISS") if n)
                rows.append(row)
        finally:
            for server in servers:
                if getattr(server, "proc", None) is not None:
                    self.procs.stop(server.proc)
        return rows
