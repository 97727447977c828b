"""Failover under load (issue 4's benchmark) inside the side-by-side run: bench/failover.py's
runs (edgefront vs nginx `backup` + `proxy_next_upstream`, primary killed, black-holed,
answering 503, then restored), one row per proxy and fault kind."""
import argparse
import importlib.util
import os
import tempfile

from harness_lib import report
from harness_lib.registry import Row, scenario

_HERE = os.path.dirname(os.path.abspath(__file__))


def _failover_module():
    spec = importlib.util.spec_from_file_location(
        "bench_failover", os.path.join(_HERE, "..", "failover.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@scenario("failover", "Failover under load: 400 req/s while the primary is killed, "
          "black-holed, answering 503, then restored", order=80, in_quick=False)
def failover(run):
    fo = _failover_module()
    args = argparse.Namespace(rate=400, connections=16, warm=3, fault=6, after=6)
    rows = []
    for kind in ("kill", "blackhole", "503"):
        series, markers = {}, []
        for proxy in ("edgefront", "nginx"):
            with tempfile.TemporaryDirectory(prefix="ef-failover-") as tmp:
                r = fo.run_one(proxy, kind, args, tmp)
            # Latency over time: p99 and worst request of each second, fault start and end.
            series[f"{proxy} p99"] = [(sec, p99) for sec, _, _, _, p99, _ in r["per_second"]]
            series[f"{proxy} max"] = [(sec, mx) for sec, _, _, _, _, mx in r["per_second"]]
            markers = [(r["fault_at"], f"{kind} starts"), (r["restore_at"], "restored")]
            note = (f"{kind}: {r['failed']} failed of {r['requests']}, added p99 after 1st s "
                    f"{r['added_p99_after_1s']:.1f} ms, failover {fo.fmt_s(r['failover_s'])} s, "
                    f"failback {fo.fmt_s(r['failback_s'])} s, max {r['max']:.0f} ms")
            print(f"  failover {proxy} / {note}")
            rows.append(Row("failover", proxy, rps=r["requests"] / (args.warm + args.fault +
                                                                     args.after),
                            p50_ms=r["p50"], p99_ms=r["p99"], errors=r["failed"], note=note))
        out_dir = getattr(run, "out_dir", None)
        if out_dir:
            report.plot_timeline(out_dir, f"failover-{kind}.png",
                                 f"Latency per second, fault on the primary: {kind} "
                                 f"({args.rate} req/s)", series, markers)
    return rows
