#!/usr/bin/env python3
"""A black-holed primary at CloudFront's default timeouts (issue 13, item 2).

Two nginx origins behind edgefront, configured as a user's CloudFront JSON leaves them:
ConnectionTimeout 10 s x ConnectionAttempts 3, OriginReadTimeout 30 s, no health check, the
group's defaults (health-aware, outlier detection, adaptive connect timeout). A paced load of
uncached GETs runs; then an iptables DROP on the primary's address and port swallows its SYNs
and every request already sent on a pooled connection, for --fault seconds. Reported: failed
requests, p50/p99/max of the requests started from 2 s after the fault until it ends, and per
second during the fault. `--mode exact` sets `adaptive_connect_timeout: off` (CloudFront-exact
connect timeouts) for comparison.

Needs root and iptables; the rule matches only 127.0.0.2:<port> and is removed on exit.
Usage: bench/blackhole.py [--rate 600] [--threads 96] [--warm 3] [--fault 15]
                          [--modes default,exact]
Writes bench/results/blackhole-<timestamp>.md and prints it.
"""
import argparse
import http.client
import os
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from failover import EDGEFRONT, ROOT, Procs, free_port, nginx_prefix, pct, wait_port  # noqa: E402

PRIMARY_HOST = "127.0.0.2"


def start_origin(procs, tmp, name, host, port):
    path = os.path.join(tmp, f"{name}.conf")
    with open(path, "w") as f:
        f.write(nginx_prefix(tmp, name) + f'  server {{ listen {host}:{port} backlog=4096; '
                f'location / {{ return 200 "{name}"; }} }}\n}}\n')
    procs.start(["nginx", "-c", path, "-p", tmp])
    wait_port_on(host, port)


def wait_port_on(host, port):
    import socket
    end = time.monotonic() + 10
    while time.monotonic() < end:
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"{host}:{port} never opened")


def start_edgefront(procs, tmp, port, primary, secondary, mode):
    path = os.path.join(tmp, "edgefront.yaml")

    def origin(name, host, p):
        return f"""      - id: {name}
        domain_name: {host}
        http_port: {p}
        connection_attempts: 3
        connection_timeout: 10s
        read_timeout: 30s
        keepalive_timeout: 5s
"""
    failover = "\n        failover: {adaptive_connect_timeout: off}" if mode == "exact" else ""
    with open(path, "w") as f:
        f.write(f"""server:
  listen: 127.0.0.1:{port}
  workers: 2
  admin: "off"
distributions:
  - id: bench
    origins:
{origin("primary", PRIMARY_HOST, primary)}{origin("secondary", "127.0.0.1", secondary)}    origin_groups:
      - id: grp
        members: [primary, secondary]
        failover_status_codes: [500, 502, 503, 504]{failover}
    default_cache_behavior:
      target_origin_id: grp
      allowed_methods: [GET, HEAD]
""")
    procs.start([EDGEFRONT, "serve", "--config", path])
    wait_port(port)


class PacedLoad:
    """Requests started on a schedule (--rate) from --threads keep-alive connections; a
    thread whose request is held falls behind, the others keep the rate."""

    def __init__(self, port, rate, threads):
        self.port, self.interval, self.threads_n = port, 1.0 / rate, threads
        self.records = []  # (start, end, ok, body)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.next_at = time.monotonic()

    def slot(self):
        with self.lock:
            self.next_at = max(self.next_at + self.interval, time.monotonic() - 0.5)
            return self.next_at

    def worker(self):
        conn = None
        while not self.stop.is_set():
            delay = self.slot() - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            start, ok, body = time.monotonic(), False, ""
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                conn.request("GET", "/")
                r = conn.getresponse()
                body = r.read().decode(errors="replace")
                ok = r.status == 200 and body in ("primary", "secondary")
            except (OSError, http.client.HTTPException) as e:
                body = type(e).__name__
                if conn is not None:
                    conn.close()
                conn = None
            with self.lock:
                self.records.append((start, time.monotonic(), ok, body))

    def __enter__(self):
        self.threads = [threading.Thread(target=self.worker, daemon=True)
                        for _ in range(self.threads_n)]
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(90)


def run_one(mode, args, tmp):
    procs = Procs()
    rule = ["INPUT", "-d", PRIMARY_HOST, "-p", "tcp", "--dport", "0", "-j", "DROP"]
    dropped = False
    try:
        p_port, s_port, edge_port = free_port(), free_port(), free_port()
        rule[6] = str(p_port)
        start_origin(procs, tmp, "primary", PRIMARY_HOST, p_port)
        start_origin(procs, tmp, "secondary", "127.0.0.1", s_port)
        start_edgefront(procs, tmp, edge_port, p_port, s_port, mode)
        with PacedLoad(edge_port, args.rate, args.threads) as load:
            t0 = time.monotonic()
            time.sleep(args.warm)
            subprocess.run(["iptables", "-I", *rule], check=True)
            dropped = True
            t_fault = time.monotonic()
            time.sleep(args.fault)
            t_end = time.monotonic()
            subprocess.run(["iptables", "-D", *rule], check=True)
            dropped = False
        return summarize(load.records, t0, t_fault, t_end)
    finally:
        if dropped:
            subprocess.run(["iptables", "-D", *rule], check=False)
        procs.stop_all()


def summarize(records, t0, t_fault, t_end):
    lat = lambda rs: [(e - s) * 1000 for s, e, _, _ in rs]
    from_2s = [r for r in records if t_fault + 2 <= r[0] < t_end]
    during = [r for r in records if t_fault <= r[0] < t_end]
    per_second = []
    for sec in range(int(t_fault - t0), int(t_end - t0) + 1):
        rs = [r for r in records if sec <= r[0] - t0 < sec + 1]
        if rs:
            done = sum(1 for r in records if sec <= r[1] - t0 < sec + 1 and r[2])
            per_second.append((sec - int(t_fault - t0), len(rs), done, pct(lat(rs), 0.99),
                               max(lat(rs))))
    return {
        "requests": len(records), "failed": sum(1 for r in records if not r[2]),
        "during": len(during), "failed_during": sum(1 for r in during if not r[2]),
        "p50_2s": pct(lat(from_2s), 0.5), "p99_2s": pct(lat(from_2s), 0.99),
        "max_2s": max(lat(from_2s)) if from_2s else 0,
        "max_during": max(lat(during)) if during else 0,
        "per_second": per_second,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=600)
    ap.add_argument("--threads", type=int, default=96)
    ap.add_argument("--warm", type=float, default=3)
    ap.add_argument("--fault", type=float, default=15)
    ap.add_argument("--modes", default="default")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("needs root (iptables)")
    if not os.access(EDGEFRONT, os.X_OK):
        sys.exit(f"no edgefront binary at {EDGEFRONT} (build first or set EDGEFRONT_BIN)")
    out = [f"# Black-holed primary at CloudFront's default timeouts "
           f"({time.strftime('%Y-%m-%d %H:%M:%S')})", "",
           f"{args.rate:g} req/s scheduled over {args.threads} keep-alive connections; iptables "
           f"DROP on the primary for {args.fault:g} s after {args.warm:g} s; ConnectionTimeout "
           "10 s x 3 attempts, read timeout 30 s, no health check.", "",
           "| mode | requests | failed | during fault | p50 ms from +2 s | p99 ms from +2 s | "
           "max ms from +2 s | max ms during fault |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    details = []
    for mode in args.modes.split(","):
        with tempfile.TemporaryDirectory(prefix="ef-blackhole-") as tmp:
            print(f"running {mode} ...", file=sys.stderr)
            r = run_one(mode, args, tmp)
        out.append(f"| {mode} | {r['requests']} | {r['failed']} | {r['during']} | "
                   f"{r['p50_2s']:.1f} | {r['p99_2s']:.1f} | {r['max_2s']:.0f} | "
                   f"{r['max_during']:.0f} |")
        details += ["", f"{mode}, per second of the fault (started, completed ok, p99 ms, max ms):",
                    ""] + [f"- +{s} s: {n} started, {d} completed, p99 {p:.0f}, max {m:.0f}"
                           for s, n, d, p, m in r["per_second"]]
    text = "\n".join(out + details) + "\n"
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    path = os.path.join(ROOT, "bench", "results",
                        f"blackhole-{time.strftime('%Y%m%d-%H%M%S')}.md")
    with open(path, "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
