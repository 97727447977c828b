#!/usr/bin/env python3
"""Proxy path (no cache) through edgefront vs nginx proxy_pass with keep-alive upstreams.

Same origin for both (nginx returning a fixed body), each proxy pinned to one core, wrk and the
origin on the other core. Several alternating rounds after a warm-up; medians; the ratio
edgefront/nginx is what to quote (absolute numbers depend on the noisy shared machine).

Usage: bench/proxy_vs_nginx.py [--rounds 3] [--duration 8] [--connections 50] [--body 1024]
Writes bench/results/proxy-<timestamp>.md and prints the table.
"""
import argparse
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EDGEFRONT = os.environ.get("EDGEFRONT_BIN", os.path.join(ROOT, "build", "edgefront"))
PROXY_CPU = "1"
LOAD_CPU = "0"


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
            time.sleep(0.05)
    raise RuntimeError(f"port {port} never opened")


class Procs:
    """Starts processes in their own process group; kills them all on exit or Ctrl-C."""

    def __init__(self):
        self.procs = []

    def start(self, argv, **kw):
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True, **kw)
        self.procs.append(p)
        return p

    def stop_all(self):
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
        self.procs = []


def nginx_conf(tmp, body, listen, upstream_port=None):
    body_literal = "x" * body
    if upstream_port is None:
        location = f'location / {{ return 200 "{body_literal}"; }}'
        upstream = ""
    else:
        upstream = (f"upstream origin {{ server 127.0.0.1:{upstream_port}; keepalive 64; }}")
        location = ("location / { proxy_pass http://origin; proxy_http_version 1.1; "
                    'proxy_set_header Connection ""; proxy_buffering on; }')
    return f"""
worker_processes 1;
daemon off;
master_process off;
error_log {tmp}/error-{listen}.log crit;
pid {tmp}/nginx-{listen}.pid;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  keepalive_requests 1000000;
  default_type text/plain;
  client_body_temp_path {tmp}/body-{listen};
  proxy_temp_path {tmp}/proxy-{listen};
  {upstream}
  server {{ listen 127.0.0.1:{listen} reuseport backlog=4096; {location} }}
}}
"""


def edgefront_conf(tmp, listen, upstream_port):
    path = os.path.join(tmp, "edgefront.yaml")
    with open(path, "w") as f:
        f.write(f"""server:
  listen: 127.0.0.1:{listen}
  workers: 1
  admin: "off"
distributions:
  - id: bench
    origins:
      - id: origin
        domain_name: 127.0.0.1
        http_port: {upstream_port}
        protocol_policy: http-only
        keepalive_timeout: 60s
    default_cache_behavior:
      target_origin_id: origin
      allowed_methods: [GET, HEAD]
""")
    return path


def run_wrk(port, duration, connections):
    out = subprocess.run(
        ["taskset", "-c", LOAD_CPU, "wrk", "-t1", f"-c{connections}", f"-d{duration}s",
         "--latency", f"http://127.0.0.1:{port}/"],
        capture_output=True, text=True, timeout=duration + 30).stdout
    if "Requests/sec" not in out:
        raise RuntimeError(f"wrk failed:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = parse_latency(re.search(r"^\s+50%\s+(\S+)$", out, re.M).group(1))
    p99 = parse_latency(re.search(r"^\s+99%\s+(\S+)$", out, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99,
            "errors": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else ""}


def parse_latency(text):
    """wrk prints latencies as 812.00us, 1.05ms, 2.10s or 1.20m."""
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    if m is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def versions():
    nginx = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip()
    edge = subprocess.run([EDGEFRONT, "--version"], capture_output=True, text=True).stdout.strip()
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    wrk_v = (wrk.stdout + wrk.stderr).splitlines()[0] if (wrk.stdout + wrk.stderr) else "wrk"
    return {"edgefront": edge, "nginx": nginx, "wrk": wrk_v}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=8)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--body", type=int, default=1024)
    args = ap.parse_args()
    if os.cpu_count() < 2:
        sys.exit("needs 2 cores (proxy on one, load on the other)")

    procs = Procs()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    results = {"edgefront": [], "nginx": []}
    with tempfile.TemporaryDirectory() as tmp:
        try:
            origin_port, nginx_port, edge_port = free_port(), free_port(), free_port()
            for name, conf in (("origin", nginx_conf(tmp, args.body, origin_port)),
                               ("proxy", nginx_conf(tmp, args.body, nginx_port, origin_port))):
                path = os.path.join(tmp, f"{name}.conf")
                with open(path, "w") as f:
                    f.write(conf)
                cpu = LOAD_CPU if name == "origin" else PROXY_CPU
                procs.start(["taskset", "-c", cpu, "nginx", "-p", tmp, "-c", path])
            procs.start(["taskset", "-c", PROXY_CPU, EDGEFRONT, "serve", "--config",
                         edgefront_conf(tmp, edge_port, origin_port)])
            for port in (origin_port, nginx_port, edge_port):
                wait_port(port)
            targets = {"edgefront": edge_port, "nginx": nginx_port}
            for port in targets.values():  # warm-up: pools, page cache, CPU frequency
                run_wrk(port, 2, args.connections)
            for _ in range(args.rounds):
                for name, port in targets.items():  # alternate to spread machine noise
                    results[name].append(run_wrk(port, args.duration, args.connections))
        finally:
            procs.stop_all()

    med = {n: {k: statistics.median(r[k] for r in rs) for k in ("rps", "p50_ms", "p99_ms")}
           for n, rs in results.items()}
    ratio = med["edgefront"]["rps"] / med["nginx"]["rps"]
    v = versions()
    lines = [
        f"# Proxy path, no cache: {args.body} B responses, {args.connections} keep-alive connections",
        "",
        f"Machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
        f"kernel {platform.release()}. Versions: {v['edgefront']}; {v['nginx']}; {v['wrk']}.",
        f"Proxies pinned to CPU {PROXY_CPU}; wrk and the origin (nginx `return 200`) on CPU "
        f"{LOAD_CPU}. {args.rounds} rounds x {args.duration} s after a warm-up; medians.",
        "",
        "| server | req/s | p50 ms | p99 ms | non-2xx | rounds (req/s) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name in ("edgefront", "nginx"):
        m = med[name]
        rounds = " / ".join(f"{r['rps']:.0f}" for r in results[name])
        errs = sum(r["errors"] for r in results[name])
        lines.append(f"| {name} | {m['rps']:.0f} | {m['p50_ms']:.2f} | {m['p99_ms']:.2f} | "
                     f"{errs} | {rounds} |")
    lines += ["", f"**edgefront / nginx req/s ratio: {ratio:.2f}**", ""]
    report = "\n".join(lines)
    out_dir = os.path.join(ROOT, "bench", "results")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, time.strftime("proxy-%Y%m%d-%H%M%S.md"))
    with open(path, "w") as f:
        f.write(report)
    print(report)
    print(f"written to {path}")


if __name__ == "__main__":
    main()
