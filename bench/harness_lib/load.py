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


def run_wrk(port, path, duration, connections=50, script=None, script_args=()):
    """One bounded wrk run: one thread pinned to the load CPU, keep-alive connections."""
    argv = ["taskset", "-c", LOAD_CPU, "wrk", "-t1", f"-c{connections}", f"-d{duration}s",
            "--latency", "--timeout", "5s"]
    if script:
        argv += ["-s", os.path.join(LUA_DIR, script)]
    argv.append(f"http://127.0.0.1:{port}{path}")
    if script_args:
        argv += ["--"] + [str(a) for a in script_args]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60)
    return parse_wrk(out.stdout + out.stderr)
