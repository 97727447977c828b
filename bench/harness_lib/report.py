"""The results folder: a Markdown report, the machine description, versions and PNG plots."""
import os
import platform
import shutil
import subprocess


def machine_description():
    def run(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout
        except OSError:
            return ""
    return "\n".join([
        "$ uname -a", run(["uname", "-a"]).strip(),
        "$ lscpu", run(["lscpu"]).strip(),
        "$ free -m", run(["free", "-m"]).strip(),
        "$ cat /proc/loadavg", open("/proc/loadavg").read().strip(),
    ]) + "\n"


def _ratio(edge, other):
    if edge is None or other is None or other.rps <= 0 or other is edge:
        return ""
    return f"{edge.rps / other.rps:.2f}"


def markdown(run_info, scenarios, rows_by_scenario, versions):
    lines = [f"# edgefront side-by-side benchmarks, {run_info['started']}", "",
             f"Machine: {platform.node()}, {os.cpu_count()} CPUs, kernel {platform.release()}. "
             f"Load average at start {run_info['load_start']}, at end {run_info['load_end']}."
             + (" The machine was shared with other work (builds) during the run."
                if run_info.get("shared") else ""),
             f"Servers pinned to CPU 1 with one worker/thread where they allow it; wrk "
             f"(`-t1`) and the origin (nginx) on CPU 0. {run_info['rounds']} round(s) x "
             f"{run_info['duration']} s per server after a {run_info['warmup']} s warm-up, rounds "
             f"alternating between servers; medians. Ratios are edgefront req/s divided by the "
             f"row's req/s, measured in the same run.", "", "Versions:", ""]
    lines += [f"- {name}: {v}" for name, v in sorted(versions.items())]
    lines.append("")
    for sc in scenarios:
        rows = rows_by_scenario.get(sc.name, [])
        if not rows:
            continue
        lines += [f"## {sc.name}: {sc.title}", ""]
        if sc.name == "memory":
            lines += ["| server | objects | RSS before MiB | RSS after MiB | bytes/object | "
                      "fill req/s | note |", "|---|---:|---:|---:|---:|---:|---|"]
            for r in rows:
                e = r.extra
                lines.append(f"| {r.server} | {e['objects']} | {e['rss_before_mib']:.0f} | "
                             f"{e['rss_after_mib']:.0f} | {e['bytes_per_object']:.0f} | "
                             f"{r.rps:.0f} | {r.note} |")
            lines += ["", "Objects have 100-byte bodies; bytes/object includes the body, the "
                      "stored headers and the index.", ""]
            continue
        if all("columns" in r.extra for r in rows):
            # Scenarios that measure something other than throughput bring their own columns.
            names = list(rows[0].extra["columns"])
            lines += ["| server | " + " | ".join(names) + " | note |",
                      "|---|" + "---:|" * len(names) + "---|"]
            for r in rows:
                lines.append(f"| {r.server} | " + " | ".join(
                    r.extra["columns"].get(n, "") for n in names) + f" | {r.note} |")
            lines.append("")
            continue
        edge = next((r for r in rows if r.server == "edgefront"), None)
        cache = any(r.hit_ratio is not None for r in rows)
        head = "| server | req/s | p50 ms | p99 ms |" + (" hit ratio |" if cache else "") + \
            " edgefront/this | server CPU µs/req | non-2xx | rounds req/s | note |"
        lines += [head, "|---|---:|---:|---:|" + ("---:|" if cache else "") +
                  "---:|---:|---:|---|---|"]
        for r in rows:
            hit = (f" {r.hit_ratio:.3f} |" if r.hit_ratio is not None else " |") if cache else ""
            rounds = " / ".join(f"{x:.0f}" for x in r.rounds)
            cpu = f"{r.cpu_us_per_request:.1f}" if r.cpu_us_per_request is not None else ""
            lines.append(f"| {r.server} | {r.rps:.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} |{hit} "
                         f"{_ratio(edge, r)} | {cpu} | {r.errors} | {rounds} | {r.note} |")
        lines.append("")
    if rows_by_scenario.get("loopback") and rows_by_scenario.get("proxy"):
        ceiling = rows_by_scenario["loopback"][0].rps
        lines += ["Share of the loopback limit (req/s / fixed-reply req/s): " + ", ".join(
            f"{r.scenario} {r.server} {r.rps / ceiling:.2f}"
            for sc in ("proxy", "hit-1k") for r in rows_by_scenario.get(sc, [])) + ".", ""]
    return "\n".join(lines)


def plot(out_dir, rows_by_scenario, servers):
    """req/s per scenario and server (log scale) and p99 latency, as PNGs via gnuplot."""
    if shutil.which("gnuplot") is None:
        return []
    scenarios = [s for s, rows in rows_by_scenario.items()
                 if s not in ("memory", "idle-connections", "cache-rss") and rows]
    if not scenarios:
        return []
    present = {r.server for s in scenarios for r in rows_by_scenario[s]}
    cols = [c for c in list(servers) + ["fixed-reply (nginx return 200)"] if c in present]
    data = os.path.join(out_dir, "throughput.dat")
    with open(data, "w") as f:
        f.write("scenario " + " ".join(f'"{c}"' for c in cols) + "\n")
        for s in scenarios:
            by = {r.server: r for r in rows_by_scenario[s]}
            f.write(s + " " + " ".join(f"{by[c].rps:.0f}" if c in by else "NaN" for c in cols) +
                    " " + " ".join(f"{by[c].p99_ms:.3f}" if c in by else "NaN" for c in cols) +
                    "\n")
    n = len(cols)
    made = []
    for name, title, first, logscale in (("throughput.png", "req/s (log scale)", 2, True),
                                         ("latency_p99.png", "p99 latency, ms", 2 + n, False)):
        script = "\n".join([
            "set terminal png size 1000,500",
            f"set output '{os.path.join(out_dir, name)}'",
            f"set title '{title}'",
            "set style data histograms", "set style histogram clustered gap 1",
            "set style fill solid 0.8 border -1", "set key top right", "set grid ytics",
            "set logscale y" if logscale else "set yrange [0:*]",
            "plot " + ", ".join(
                f"'{data}' using {first + i}:xtic(1) title columnhead({2 + i})" for i in range(n)),
        ])
        p = subprocess.run(["gnuplot"], input=script, capture_output=True, text=True)
        if p.returncode == 0:
            made.append(name)
        else:
            print(f"gnuplot failed for {name}: {p.stderr.strip()}")
    return made


def plot_timeline(out_dir, name, title, series, markers=()):
    """One PNG of a value over time: `series` maps a label to [(second, value)], `markers`
    is [(second, label)] drawn as vertical lines (e.g. when a fault starts and ends)."""
    if shutil.which("gnuplot") is None or not series:
        return None
    data = os.path.join(out_dir, name.replace(".png", ".dat"))
    labels = list(series)
    with open(data, "w") as f:
        for i, label in enumerate(labels):
            if i:
                f.write("\n\n")  # gnuplot data blocks, addressed by index
            f.write(f"# {label}\n")
            for second, value in series[label]:
                f.write(f"{second} {value:.3f}\n")
    lines = [
        "set terminal png size 1000,500",
        f"set output '{os.path.join(out_dir, name)}'",
        f"set title '{title}'",
        "set xlabel 'seconds'", "set ylabel 'ms (log scale)'", "set logscale y",
        "set grid", "set key outside bottom center horizontal",
    ]
    for second, label in markers:
        lines.append(f"set arrow from {second}, graph 0 to {second}, graph 1 nohead dt 2")
        lines.append(f"set label '{label}' at {second}, graph 0.95 offset 0.5,0")
    lines.append("plot " + ", ".join(
        f"'{data}' index {i} using 1:2 with linespoints title '{label}'"
        for i, label in enumerate(labels)))
    p = subprocess.run(["gnuplot"], input="\n".join(lines), capture_output=True, text=True)
    if p.returncode != 0:
        print(f"gnuplot failed for {name}: {p.stderr.strip()}")
        return None
    return name
