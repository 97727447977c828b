"""wrk runs on the load CPU, and their parsing."""
import os
import re
import subprocess

from harness_lib.procs import LOAD_CPU

LUA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lua")


def parse_latency_ms(text):
    """wrk prints latencies as 812.00us, 1.05ms, 2.10s or 1.20m."""
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    if m is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(out):
    if "Requests/sec" not in out:
        raise RuntimeError(f"wrk failed:\n{out}")
    total = re.search(r"(\d+) requests in", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": parse_latency_ms(re.search(r"^\s+50%\s+(\S+)$", out, re.M).group(1)),
        "p99_ms": parse_latency_ms(re.search(r"^\s+99%\s+(\S+)$", out, re.M).group(1)),
        "requests": int(total.group(1)) if total else 0,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1).strip() if socket_errors else "",
    }


def run_wrk(port, path, duration, connections=50, script=None, script_args=(), scheme="http",
            headers=()):
    """One bounded wrk run: one thread pinned to the load CPU, keep-alive connections (unless
    a `Connection: close` header asks for a new connection, and TLS handshake, per request)."""
    argv = ["taskset", "-c", LOAD_CPU, "wrk", "-t1", f"-c{connections}", f"-d{duration}s",
            "--latency", "--timeout", "5s"]
    for h in headers:
        argv += ["-H", h]
    if script:
        argv += ["-s", os.path.join(LUA_DIR, script)]
    argv.append(f"{scheme}://127.0.0.1:{port}{path}")
    if script_args:
        argv += ["--"] + [str(a) for a in script_args]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60)
    return parse_wrk(out.stdout + out.stderr)


def _percentile(sorted_values, q):
    if not sorted_values:
        return 0.0
    i = min(len(sorted_values) - 1, max(0, int(round(q * len(sorted_values) + 0.5)) - 1))
    return sorted_values[i]


def parse_h2load(out, log_path):
    """h2load's summary for throughput and errors; its per-request log (start, status,
    duration in microseconds) for the latency percentiles it does not print."""
    m = re.search(r"finished in [\d.]+s, ([\d.]+) req/s", out)
    if m is None:
        raise RuntimeError(f"h2load failed:\n{out}")
    done = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded", out)
    codes = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", out)
    durations = []
    with open(log_path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3:
                durations.append(int(parts[2]) / 1000.0)
    durations.sort()
    succeeded = int(done.group(2)) if done else 0
    return {
        "rps": float(m.group(1)),
        "p50_ms": _percentile(durations, 0.5),
        "p99_ms": _percentile(durations, 0.99),
        "requests": int(done.group(1)) if done else 0,
        "non_2xx": (int(done.group(1)) - succeeded if done else 0) +
                   (sum(int(codes.group(i)) for i in (3, 4)) if codes else 0),
        "socket_errors": "",
    }


def run_h2load(port, path, duration, connections=50, streams=10, log_dir="/tmp"):
    """One bounded h2load run over TLS (ALPN h2): one thread on the load CPU, `connections`
    connections with up to `streams` requests in flight on each."""
    log_path = os.path.join(log_dir, f"h2load-{port}.log")
    argv = ["taskset", "-c", LOAD_CPU, "h2load", "-t1", f"-c{connections}", f"-m{streams}",
            f"-D{duration}", f"--log-file={log_path}", f"https://127.0.0.1:{port}{path}"]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60)
    try:
        return parse_h2load(out.stdout + out.stderr, log_path)
    finally:
        if os.path.exists(log_path):
            os.remove(log_path)
