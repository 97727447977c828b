"""Observability of failover: attempts per request and time to failover, as Prometheus
histograms on /metrics and summarised per group in GET /origins."""

from __future__ import annotations

import json
import urllib.request

from fake_origin import Behavior
from harness import distribution, edge_config, http_get, http_origin, http_request, wait_until

ATTEMPTS = "edgefront_origin_attempts_per_request"
TTF = "edgefront_time_to_failover_seconds"


def group_summary(edge) -> dict:
    with urllib.request.urlopen(f"{edge.admin_url}/origins", timeout=5) as r:
        doc = json.loads(r.read())
    return doc["distributions"][0]["groups"][0]


def config(primary_port, secondary_port, primary=None):
    origins = [http_origin("app", primary_port, **(primary or {})),
               http_origin("app2", secondary_port)]
    g = {"id": "grp", "members": ["app", "app2"], "failover_status_codes": [503],
         "selection": "cloudfront"}
    return edge_config(distribution(origins, "grp", groups=[g]))


def test_attempts_and_time_to_failover(cluster):
    primary = cluster.origin(Behavior(body=b"primary"), name="primary")
    secondary = cluster.origin(Behavior(body=b"secondary"), name="secondary")
    edge = cluster.edge(config(primary.port, secondary.port,
                               primary={"connection_timeout": "200ms"}))
    for i in range(3):
        assert http_get(edge.port, f"/ok{i}").body == b"primary"
    summary = group_summary(edge)
    assert summary["requests"] == 3 and summary["failed_over"] == 0
    assert summary["attempts_per_request"] == {"mean": 1.0, "p99_le": 1}

    r = http_request(edge.admin_port, "POST", "/faults",
                     body=json.dumps({"origin": "app", "kind": "blackhole"}).encode())
    assert r.status == 201
    assert http_get(edge.port, "/hole").body == b"secondary"
    r = http_request(edge.admin_port, "POST", "/faults",
                     body=json.dumps({"origin": "app", "kind": "status", "status": 503}).encode())
    assert r.status == 201
    assert http_get(edge.port, "/503").body == b"secondary"

    m = edge.metrics()
    labels = {"distribution": "main", "target": "grp"}
    bucket = lambda le: m.get((f"{ATTEMPTS}_bucket",
                               tuple(sorted({**labels, "le": le}.items()))), 0)
    assert bucket("1") == 3 and bucket("2") == 5 and bucket("+Inf") == 5
    assert m[(f"{ATTEMPTS}_count", tuple(sorted(labels.items())))] == 5
    glabels = {"distribution": "main", "group": "grp"}
    ttf = lambda le: m.get((f"{TTF}_bucket", tuple(sorted({**glabels, "le": le}.items()))), 0)
    assert m[(f"{TTF}_count", tuple(sorted(glabels.items())))] == 2
    # The black hole cost its 200 ms connect timeout; the synthetic 503 nearly nothing.
    assert ttf("0.1") == 1 and ttf("60") == 2
    assert m[(f"{TTF}_sum", tuple(sorted(glabels.items())))] >= 0.2

    summary = group_summary(edge)
    assert summary["requests"] == 5 and summary["failed_over"] == 2
    assert summary["attempts_per_request"]["p99_le"] == 2
    assert summary["time_to_failover_ms"]["p99_le"] >= 200
    assert summary["time_to_failover_ms"]["mean"] >= 100
    assert summary["members"][0] == {"origin": "app", "failovers_from": 2}


def test_single_origin_attempts_are_counted(cluster):
    origin = cluster.origin(Behavior(body=b"x"), name="single")
    edge = cluster.edge(edge_config(distribution([http_origin("app", origin.port)], "app")))
    http_get(edge.port, "/a")
    assert edge.metric(f"{ATTEMPTS}_count", distribution="main", target="app") == 1


def test_origins_show_in_flight_and_smoothed_times(cluster):
    slow = cluster.origin(Behavior(hang=True), name="slow")
    edge = cluster.edge(edge_config(distribution([http_origin("app", slow.port)], "app")))

    def origin():
        with urllib.request.urlopen(f"{edge.admin_url}/origins", timeout=5) as r:
            return json.loads(r.read())["distributions"][0]["origins"][0]

    assert origin()["in_flight"] == 0 and origin()["connect_time_us"] == 0
    import threading
    t = threading.Thread(target=lambda: http_get(edge.port, "/held", timeout=30))
    t.start()
    slow.wait_for_requests(1)
    o = origin()
    assert o["in_flight"] == 1  # the connect time is recorded when the attempt ends
    slow.set(hang=False)
    slow.release()
    t.join(30)
    # The viewer may have its answer a moment before the attempt gives its slot back.
    o = wait_until(lambda: (x := origin())["in_flight"] == 0 and x, timeout=5,
                   desc="in-flight count back to 0")
    assert o["response_time_us"] > 0 and o["connect_time_us"] > 0
    assert o["errors"]["at_limit"] == 0
