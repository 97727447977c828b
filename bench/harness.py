#!/usr/bin/env python3
"""Side-by-side benchmarks: edgefront, nginx, Varnish and Traffic Server as the same caching
reverse proxy in front of the same origin, on loopback, each pinned to one CPU.

Usage: bench/harness.py [--quick] [--scenario NAME ...] [--servers a,b] [--rounds N]
       [--duration S] [--list]
Writes bench/results/<timestamp>/ (report.md, machine.txt, PNG plots) and prints the report.
Scenarios live in bench/scenarios/*.py (see harness_lib/registry.py to add one).
"""
import argparse
import os
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness_lib import report  # noqa: E402
from harness_lib.procs import Procs  # noqa: E402
from harness_lib.registry import SCENARIOS, load_scenario_files  # noqa: E402
from harness_lib.run import Run  # noqa: E402
from harness_lib.servers import PEERS  # noqa: E402

BENCH = os.path.dirname(os.path.abspath(__file__))


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="1 round of 3 s, 100k objects for memory: a smoke run")
    ap.add_argument("--scenario", action="append", default=[], help="run only these (repeat)")
    ap.add_argument("--servers", default=",".join(PEERS), help="comma-separated peers")
    ap.add_argument("--rounds", type=int)
    ap.add_argument("--duration", type=int, help="seconds per measured round")
    ap.add_argument("--warmup", type=int)
    ap.add_argument("--memory-objects", type=int)
    ap.add_argument("--shared", action="store_true",
                    help="note in the report that the machine was shared during the run")
    ap.add_argument("--list", action="store_true", help="list scenarios and exit")
    args = ap.parse_args()
    defaults = (1, 3, 1, 100_000) if args.quick else (3, 5, 2, 1_000_000)
    for name, value in zip(("rounds", "duration", "warmup", "memory_objects"), defaults):
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.servers = [s for s in args.servers.split(",") if s]
    unknown = [s for s in args.servers if s not in PEERS]
    if unknown:
        ap.error(f"unknown servers {unknown}; known: {list(PEERS)}")
    return args


def interrupt(signum, frame):
    """SIGTERM unwinds like Ctrl-C, through the `finally` blocks that stop every server."""
    raise KeyboardInterrupt


def main():
    args = parse_args()
    load_scenario_files(os.path.join(BENCH, "scenarios"))
    chosen = sorted(SCENARIOS.values(), key=lambda s: s.order)
    if args.list:
        for s in chosen:
            print(f"{s.name:12} {s.title}")
        return 0
    if args.scenario:
        missing = [n for n in args.scenario if n not in SCENARIOS]
        if missing:
            sys.exit(f"unknown scenarios {missing}; --list shows them")
        chosen = [s for s in chosen if s.name in args.scenario]
    elif args.quick:
        chosen = [s for s in chosen if s.in_quick]
    if os.cpu_count() < 2:
        sys.exit("needs 2 CPUs: servers on CPU 1, load on CPU 0")

    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    out_dir = os.path.join(BENCH, "results", time.strftime("%Y%m%d-%H%M%S", time.gmtime()))
    os.makedirs(out_dir, exist_ok=True)
    signal.signal(signal.SIGTERM, interrupt)
    base = "/dev/shm" if os.path.isdir("/dev/shm") else None  # caches in memory, not on disk
    rows_by_scenario = {}
    versions = {}
    load_start = open("/proc/loadavg").read().split()[0]
    with tempfile.TemporaryDirectory(prefix="edgefront-bench-", dir=base) as workdir:
        os.chmod(workdir, 0o755)
        procs = Procs(out_dir)
        try:
            run = Run(args, workdir, procs)
            run.versions = versions  # filled in as servers start
            run.out_dir = out_dir  # for scenarios that draw plots of their own
            for sc in chosen:
                print(f"== {sc.name}: {sc.title}", flush=True)
                try:
                    rows_by_scenario[sc.name] = sc.run(run)
                except (RuntimeError, OSError) as e:
                    print(f"  {sc.name} failed: {e}", flush=True)
        except KeyboardInterrupt:
            print("interrupted: stopping every server", file=sys.stderr)
            return 130
        finally:
            procs.stop_all()
    versions["wrk"] = "wrk " + os.popen("dpkg-query -W -f='${Version}' wrk").read()
    info = {"started": started, "rounds": args.rounds, "duration": args.duration,
            "warmup": args.warmup, "shared": args.shared, "load_start": load_start,
            "load_end": open("/proc/loadavg").read().split()[0]}
    text = report.markdown(info, chosen, rows_by_scenario, versions)
    plots = report.plot(out_dir, rows_by_scenario, args.servers)
    plots += sorted(f for f in os.listdir(out_dir) if f.startswith("failover-") and
                    f.endswith(".png"))  # drawn by the failover scenario itself
    if plots:
        text += "\nPlots: " + ", ".join(plots) + "\n"
    with open(os.path.join(out_dir, "report.md"), "w") as f:
        f.write(text)
    with open(os.path.join(out_dir, "machine.txt"), "w") as f:
        f.write(report.machine_description())
    print(text)
    print(f"written to {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
