"""CloudFront's per-distribution metrics on /metrics, checked against a known request mix
(what the client saw: statuses and body bytes), and the shipped Grafana dashboard and alert
rules (examples/monitoring) referring only to metrics the binary exposes."""

from __future__ import annotations

import json
import re

from fake_origin import Behavior
from harness import (distribution, edge_config, http_origin, http_request, metric_value,
                     source_dir)

BODY = b"0123456789" * 10
MONITORING = source_dir() / "examples" / "monitoring"


def dist_metric(m: dict, name: str, **labels) -> float:
    return metric_value(m, name, distribution="main", **labels)


def test_known_request_mix(cluster):
    origin = cluster.origin(Behavior(body=BODY, headers=[("Cache-Control", "max-age=60")]))
    cfg = edge_config(distribution([http_origin("app", origin.port)], "app",
                                   cache_policy="honour-origin"),
                      cache={"memory": "16MiB"})
    edge = cluster.edge(cfg)
    seen = []  # (status, body bytes the client received)

    def go(method, path, body=None):
        r = http_request(edge.port, method, path, body=body)
        seen.append((r.status, len(r.body)))
        return r

    assert go("GET", "/a").header("X-Cache") == "Miss from edgefront"
    assert go("GET", "/a").header("X-Cache") == "Hit from edgefront"
    assert go("GET", "/a").header("X-Cache") == "Hit from edgefront"
    assert go("HEAD", "/a").header("X-Cache") == "Hit from edgefront"
    for code in (401, 403, 404, 503):
        assert go("GET", f"/_fo/status={code}/e{code}").status == code
    assert go("PUT", "/upload", body=b"u" * 1000).status == 200
    requests = len(seen)  # 9

    m = edge.wait_metric("edgefront_distribution_requests_total", requests, distribution="main")
    assert dist_metric(m, "edgefront_distribution_bytes_downloaded_total") == sum(
        n for _, n in seen) == 8 * len(BODY)
    assert dist_metric(m, "edgefront_distribution_bytes_uploaded_total") == 1000
    for cls in ("1xx", "2xx", "3xx", "4xx", "5xx"):
        want = sum(1 for s, _ in seen if f"{s // 100}xx" == cls)
        assert dist_metric(m, "edgefront_distribution_responses_total", **{"class": cls}) == want
    for code in (401, 403, 404, 502, 503, 504):
        want = sum(1 for s, _ in seen if s == code)
        assert dist_metric(m, "edgefront_distribution_error_responses_total", code=code) == want
    # Cacheable: GET and HEAD (8); answered from the cache: two GETs and the HEAD.
    assert dist_metric(m, "edgefront_distribution_cache_lookups_total") == 8
    assert dist_metric(m, "edgefront_distribution_cache_hits_total") == 3
    # OriginLatency: one per origin response (the miss, four errors, the PUT).
    assert metric_value(m, "edgefront_origin_latency_seconds_count", distribution="main",
                        origin="app") == 6 == len(origin.requests)
    assert metric_value(m, "edgefront_origin_latency_seconds_bucket", distribution="main",
                        origin="app", le="+Inf") == 6
    assert dist_metric(m, "edgefront_distribution_request_duration_seconds_count") == requests
    assert dist_metric(m, "edgefront_distribution_request_duration_seconds_sum") > 0


def test_http2_request_counts_its_bytes(cluster):
    """The HTTP/2 sink counts what it sends as the HTTP/1.1 one does."""
    import subprocess
    origin = cluster.origin(Behavior(body=BODY))
    edge = cluster.edge(edge_config(distribution([http_origin("app", origin.port)], "app")))
    out = subprocess.run(["curl", "-s", "--http2-prior-knowledge", "-o", "-",
                          f"http://127.0.0.1:{edge.port}/h2"], capture_output=True, timeout=30)
    assert out.returncode == 0 and out.stdout == BODY
    m = edge.wait_metric("edgefront_distribution_requests_total", 1, distribution="main")
    assert dist_metric(m, "edgefront_distribution_bytes_downloaded_total") == len(BODY)


# ------------------------------------------------------------------------------ examples

_NAME = re.compile(r"\bedgefront_[a-z0-9_]+")


def exposed_names(metrics_text: str) -> set:
    return {line.split("{")[0].split(" ")[0] for line in metrics_text.splitlines()
            if line and not line.startswith("#")}


def dashboard_exprs(node) -> list:
    if isinstance(node, dict):
        out = [node["expr"]] if isinstance(node.get("expr"), str) else []
        for v in node.values():
            out += dashboard_exprs(v)
        return out
    if isinstance(node, list):
        return [e for v in node for e in dashboard_exprs(v)]
    return []


def test_dashboard_and_alert_rules_use_exposed_metrics(cluster):
    primary = cluster.origin(Behavior())
    secondary = cluster.origin(Behavior())
    origins = [http_origin("app", primary.port), http_origin("app2", secondary.port)]
    group = {"id": "grp", "members": ["app", "app2"], "failover_status_codes": [503]}
    edge = cluster.edge(edge_config(distribution(origins, "grp", groups=[group])))
    exposed = exposed_names(edge.metrics_text())

    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    exprs = dashboard_exprs(dashboard["panels"])
    assert len(exprs) >= len(dashboard["panels"]) >= 8
    used = {n for e in exprs for n in _NAME.findall(e)}
    used |= set(_NAME.findall(json.dumps(dashboard["templating"])))
    rules = (MONITORING / "alerts.yml").read_text()
    rule_names = set(_NAME.findall(rules))
    assert {"edgefront_origin_available", "edgefront_origin_failovers_total",
            "edgefront_distribution_responses_total",
            "edgefront_distribution_cache_hits_total"} <= rule_names
    missing = sorted((used | rule_names) - exposed)
    assert not missing, f"not on /metrics: {missing}"
