#!/usr/bin/env python3
"""Failover under load: edgefront vs nginx (`backup` + `proxy_next_upstream`), same origins.

Two origins (nginx `return 200 "primary"` / `"secondary"`) behind each proxy. A steady paced
load runs while the primary is (a) killed, (b) black-holed (SIGSTOP: connections are accepted
by the kernel, nothing answers), (c) replaced by one answering 503; then restored. Reported per
run: failed requests, latency p50/p99/max per second, time to failover (fault -> first good
answer from the secondary) and to failback (restore -> first answer from the primary), and the
p99 added after the first second of the fault, as Markdown.

The load is Python threads on keep-alive connections, paced to --rate requests/s: wrk gives no
per-second percentiles nor which origin answered. Standalone on purpose (no shared harness).

Usage: bench/failover.py [--rate 400] [--connections 16] [--warm 3] [--fault 6] [--after 6]
                         [--kinds kill,blackhole,503] [--proxies edgefront,nginx]
Writes bench/results/failover-<timestamp>.md and prints it.
"""
import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EDGEFRONT = os.environ.get("EDGEFRONT_BIN", os.path.join(ROOT, "build", "edgefront"))
CONNECT_TIMEOUT = "1s"
READ_TIMEOUT = "3s"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, deadline_s=10.0):
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"port {port} never opened")


class Procs:
    """Processes in their own session; all stopped on exit (SIGCONT first: a stopped one
    would not die of SIGTERM)."""

    def __init__(self):
        self.procs = []

    def start(self, argv):
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
        self.procs.append(p)
        return p

    def kill(self, p, sig=signal.SIGKILL):
        if p.poll() is None:
            os.kill(p.pid, sig)
        if sig == signal.SIGKILL:
            p.wait(timeout=10)

    def stop_all(self):
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.kill(p.pid, signal.SIGCONT)
                    os.kill(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.procs = []


def nginx_prefix(tmp, name):
    return f"""worker_processes 1;
daemon off;
master_process off;
error_log {tmp}/error-{name}.log crit;
pid {tmp}/nginx-{name}.pid;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  keepalive_requests 1000000;
  default_type text/plain;
  client_body_temp_path {tmp}/body-{name};
  proxy_temp_path {tmp}/proxy-{name};
"""


def start_origin(procs, tmp, name, port, status, body):
    path = os.path.join(tmp, f"{name}-{status}.conf")
    with open(path, "w") as f:
        f.write(nginx_prefix(tmp, f"{name}-{status}") +
                f'  server {{ listen 127.0.0.1:{port} backlog=64; '
                f'location / {{ return {status} "{body}"; }} }}\n}}\n')
    p = procs.start(["nginx", "-c", path, "-p", tmp])
    wait_port(port)
    return p


def start_nginx_proxy(procs, tmp, port, primary, secondary):
    path = os.path.join(tmp, "proxy.conf")
    with open(path, "w") as f:
        f.write(nginx_prefix(tmp, "proxy") + f"""
  upstream origin {{
    server 127.0.0.1:{primary} max_fails=1 fail_timeout=2s;
    server 127.0.0.1:{secondary} backup;
    keepalive 64;
  }}
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    location / {{
      proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_connect_timeout {CONNECT_TIMEOUT}; proxy_read_timeout {READ_TIMEOUT};
      proxy_next_upstream error timeout http_500 http_502 http_503 http_504;
    }}
  }}
}}
""")
    procs.start(["nginx", "-c", path, "-p", tmp])
    wait_port(port)


def start_edgefront(procs, tmp, port, primary, secondary):
    path = os.path.join(tmp, "edgefront.yaml")

    def origin(name, p):
        return f"""      - id: {name}
        domain_name: 127.0.0.1
        http_port: {p}
        connection_attempts: 1
        connection_timeout: {CONNECT_TIMEOUT}
        read_timeout: {READ_TIMEOUT}
        keepalive_timeout: 60s
        health_check: {{path: /, interval: 500ms, timeout: 300ms, healthy_threshold: 1,
                        unhealthy_threshold: 2}}
"""
    with open(path, "w") as f:
        f.write(f"""server:
  listen: 127.0.0.1:{port}
  workers: 1
  admin: "off"
distributions:
  - id: bench
    origins:
{origin("primary", primary)}{origin("secondary", secondary)}    origin_groups:
      - id: grp
        members: [primary, secondary]
        failover_status_codes: [500, 502, 503, 504]
        outlier_detection: {{consecutive_failures: 1, base_ejection: 2s}}
        failover: {{adaptive_connect_timeout: {{floor: 100ms}}}}
    default_cache_behavior:
      target_origin_id: grp
      allowed_methods: [GET, HEAD]
""")
    procs.start([EDGEFRONT, "serve", "--config", path])
    wait_port(port)


class Load:
    """Paced keep-alive GETs from `connections` threads; records every request."""

    def __init__(self, port, rate, connections):
        self.port, self.rate, self.connections = port, rate, connections
        self.records = []  # (start, end, ok, origin)
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def worker(self, index):
        interval = self.connections / self.rate
        next_at = time.monotonic() + index * interval / self.connections
        conn = None
        while not self.stop.is_set():
            now = time.monotonic()
            if now < next_at:
                time.sleep(next_at - now)
            next_at = max(next_at + interval, time.monotonic() - interval)
            start = time.monotonic()
            ok, origin = False, ""
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                conn.request("GET", "/")
                r = conn.getresponse()
                body = r.read().decode(errors="replace")
                ok = r.status == 200 and body in ("primary", "secondary")
                origin = body if ok else f"status {r.status}"
                if r.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as e:
                origin = type(e).__name__
                if conn is not None:
                    conn.close()
                conn = None
            with self.lock:
                self.records.append((start, time.monotonic(), ok, origin))

    def __enter__(self):
        self.threads = [threading.Thread(target=self.worker, args=(i,), daemon=True)
                        for i in range(self.connections)]
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(60)


def pct(values, q):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(round(q * len(values) + 0.5)) - 1))]


def run_one(proxy, kind, args, tmp):
    procs = Procs()
    try:
        p_port, s_port, proxy_port = free_port(), free_port(), free_port()
        primary = start_origin(procs, tmp, "primary", p_port, 200, "primary")
        start_origin(procs, tmp, "secondary", s_port, 200, "secondary")
        if proxy == "edgefront":
            start_edgefront(procs, tmp, proxy_port, p_port, s_port)
        else:
            start_nginx_proxy(procs, tmp, proxy_port, p_port, s_port)
        with Load(proxy_port, args.rate, args.connections) as load:
            t0 = time.monotonic()
            time.sleep(args.warm)
            t_fault = time.monotonic()
            if kind == "kill":
                procs.kill(primary)
            elif kind == "blackhole":
                procs.kill(primary, signal.SIGSTOP)
            elif kind == "503":
                procs.kill(primary)
                primary = start_origin(procs, tmp, "primary", p_port, 503, "unavailable")
            time.sleep(args.fault)
            t_restore = time.monotonic()
            if kind == "blackhole":
                procs.kill(primary, signal.SIGCONT)
            else:
                procs.kill(primary)
                start_origin(procs, tmp, "primary", p_port, 200, "primary")
            time.sleep(args.after)
        return summarize(load.records, t0, t_fault, t_restore)
    finally:
        procs.stop_all()


def summarize(records, t0, t_fault, t_restore):
    records.sort()
    lat = lambda rs: [(e - s) * 1000 for s, e, _, _ in rs]
    base = [r for r in records if r[0] < t_fault]
    during = [r for r in records if t_fault + 1 <= r[0] < t_restore]
    failover = next((e for s, e, ok, o in records if s >= t_fault and ok and o == "secondary"),
                    None)
    failback = next((e for s, e, ok, o in records if s >= t_restore and ok and o == "primary"),
                    None)
    seconds = {}
    for s, e, ok, o in records:
        seconds.setdefault(int(s - t0), []).append((s, e, ok, o))
    per_second = []
    for sec in sorted(seconds):
        rs = seconds[sec]
        ls = lat(rs)
        per_second.append((sec, len(rs), sum(1 for r in rs if not r[2]), pct(ls, 0.5),
                           pct(ls, 0.99), max(ls)))
    return {
        "requests": len(records),
        "failed": sum(1 for r in records if not r[2]),
        "p50": pct(lat(records), 0.5), "p99": pct(lat(records), 0.99),
        "max": max(lat(records)) if records else 0,
        "base_p99": pct(lat(base), 0.99),
        "added_p99_after_1s": pct(lat(during), 0.99) - pct(lat(base), 0.99),
        "failover_s": (failover - t_fault) if failover else None,
        "failback_s": (failback - t_restore) if failback else None,
        "per_second": per_second,
        "fault_at": int(t_fault - t0), "restore_at": int(t_restore - t0),
    }


def fmt_s(v):
    return "never" if v is None else f"{v:.3f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=400)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--warm", type=float, default=3)
    ap.add_argument("--fault", type=float, default=6)
    ap.add_argument("--after", type=float, default=6)
    ap.add_argument("--kinds", default="kill,blackhole,503")
    ap.add_argument("--proxies", default="edgefront,nginx")
    args = ap.parse_args()
    if not os.access(EDGEFRONT, os.X_OK):
        sys.exit(f"no edgefront binary at {EDGEFRONT} (build first or set EDGEFRONT_BIN)")
    results = []
    for kind in args.kinds.split(","):
        for proxy in args.proxies.split(","):
            with tempfile.TemporaryDirectory(prefix="ef-failover-") as tmp:
                print(f"running {proxy} / {kind} ...", file=sys.stderr)
                results.append((proxy, kind, run_one(proxy, kind, args, tmp)))
    out = [f"# Failover under load ({time.strftime('%Y-%m-%d %H:%M:%S')})", "",
           f"rate {args.rate:g} req/s over {args.connections} keep-alive connections; "
           f"fault at {args.warm:g} s for {args.fault:g} s, then {args.after:g} s restored; "
           f"connect timeout {CONNECT_TIMEOUT}, read timeout {READ_TIMEOUT} for both proxies.",
           "",
           "| proxy | fault | requests | failed | p50 ms | p99 ms | max ms | added p99 after 1st s "
           "(ms) | failover s | failback s |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for proxy, kind, r in results:
        out.append(f"| {proxy} | {kind} | {r['requests']} | {r['failed']} | {r['p50']:.1f} | "
                   f"{r['p99']:.1f} | {r['max']:.0f} | {r['added_p99_after_1s']:.1f} | "
                   f"{fmt_s(r['failover_s'])} | {fmt_s(r['failback_s'])} |")
    out += ["", "## Per second", ""]
    for proxy, kind, r in results:
        out += [f"### {proxy} / {kind} (fault at s{r['fault_at']}, restored at s{r['restore_at']})",
                "", "| s | requests | failed | p50 ms | p99 ms | max ms |",
                "|---:|---:|---:|---:|---:|---:|"]
        out += [f"| {s} | {n} | {f} | {p50:.1f} | {p99:.1f} | {mx:.0f} |"
                for s, n, f, p50, p99, mx in r["per_second"]]
        out.append("")
    text = "\n".join(out) + "\n"
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    path = os.path.join(ROOT, "bench", "results", f"failover-{time.strftime('%Y%m%d-%H%M%S')}.md")
    with open(path, "w") as f:
        f.write(text)
    print(text)
    print(f"written to {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
