"""Active-active origin groups (load_balancing) and circuit breaking
(max_concurrent_requests): load spreads across two fake origins, fails over when one is
down, and an origin at its limit is passed over or answered with a clear 503."""

from __future__ import annotations

import threading

import pytest

from fake_origin import Behavior, refusing_port
from harness import distribution, edge_config, http_get, http_origin, wait_until


def lb_config(ports, mode, weights=None, origin_extra=None, **group_extra):
    origins = [http_origin(f"o{i}", p, **(origin_extra or {})) for i, p in enumerate(ports)]
    g = {"id": "grp", "members": [o["id"] for o in origins], "failover_status_codes": [502, 503],
         "load_balancing": mode}
    if weights:
        g["weights"] = weights
    g.update(group_extra)
    return edge_config(distribution(origins, "grp", groups=[g]))


def served_by(edge, n, path=lambda i: f"/r{i}"):
    counts: dict = {}
    for i in range(n):
        r = http_get(edge.port, path(i))
        assert r.status == 200, r.status
        o = r.header("X-Edgefront-Origin")
        counts[o] = counts.get(o, 0) + 1
    return counts


@pytest.fixture
def two(cluster):
    return (cluster.origin(Behavior(body=b"a"), name="a"),
            cluster.origin(Behavior(body=b"b"), name="b"))


def test_weighted_round_robin_spreads_by_weight(cluster, two):
    a, b = two
    edge = cluster.edge(lb_config([a.port, b.port], "weighted_round_robin",
                                  weights={"o0": 3, "o1": 1}))
    counts = served_by(edge, 200)
    # One ticket per request from a shared counter: exactly 3:1 over whole cycles.
    assert counts == {"o0": 150, "o1": 50}
    assert a.request_count() == 150 and b.request_count() == 50


@pytest.mark.parametrize("mode", ["least_request", "ewma"])
def test_random_choice_modes_use_both_origins(cluster, two, mode):
    a, b = two
    edge = cluster.edge(lb_config([a.port, b.port], mode))
    counts = served_by(edge, 200)
    assert counts.get("o0", 0) + counts.get("o1", 0) == 200
    if mode == "least_request":
        # Sequential requests leave nothing in flight: two random choices tie, first wins,
        # which is either origin with equal odds.
        assert 60 <= counts.get("o0", 0) <= 140, counts
    else:
        assert counts.get("o0", 0) > 0 and counts.get("o1", 0) > 0, counts


def test_consistent_hash_pins_paths(cluster, two):
    a, b = two
    edge = cluster.edge(lb_config([a.port, b.port], "consistent_hash"))
    first = {}
    for i in range(60):
        first[i] = http_get(edge.port, f"/obj{i}").header("X-Edgefront-Origin")
    for i in range(60):
        assert http_get(edge.port, f"/obj{i}").header("X-Edgefront-Origin") == first[i]
    shares = list(first.values())
    assert 10 <= shares.count("o0") <= 50, shares


def test_active_active_fails_over_when_a_member_is_down(cluster):
    alive = cluster.origin(Behavior(body=b"alive"), name="alive")
    edge = cluster.edge(lb_config([refusing_port(), alive.port], "weighted_round_robin",
                                  outlier_detection={"consecutive_failures": 1,
                                                     "base_ejection": "60s"}))
    counts = served_by(edge, 20)
    assert counts == {"o1": 20}  # never a failed request
    # After the first failure the dead member is ejected and no longer chosen.
    assert edge.metric("edgefront_origin_requests_total", distribution="main", origin="o0") == 1


def test_circuit_breaker_passes_a_full_origin_over(cluster):
    slow = cluster.origin(Behavior(hang=True), name="slow")
    spare = cluster.origin(Behavior(body=b"spare"), name="spare")
    origins = [http_origin("o0", slow.port, max_concurrent_requests=1),
               http_origin("o1", spare.port)]
    g = {"id": "grp", "members": ["o0", "o1"], "failover_status_codes": [503]}
    edge = cluster.edge(edge_config(distribution(origins, "grp", groups=[g])))
    results = []
    t = threading.Thread(target=lambda: results.append(http_get(edge.port, "/held", timeout=30)))
    t.start()
    slow.wait_for_requests(1)
    r = http_get(edge.port, "/second")
    assert r.status == 200 and r.body == b"spare"
    assert r.header("X-Edgefront-Attempts") == "o0=at-limit, o1=200"
    assert edge.metric("edgefront_origin_errors_total", distribution="main", origin="o0",
                       kind="at_limit") == 1
    slow.set(hang=False, body=b"slow")
    slow.release()
    t.join(30)
    assert results and results[0].status == 200
    # The slot was given back: o0 takes requests again.
    wait_until(lambda: http_get(edge.port, "/third").body == b"slow", timeout=5)


def test_circuit_breaker_503_when_every_origin_is_full(cluster):
    slow = cluster.origin(Behavior(hang=True), name="slow")
    edge = cluster.edge(edge_config(distribution(
        [http_origin("o0", slow.port, max_concurrent_requests=1)], "o0")))
    results = []
    t = threading.Thread(target=lambda: results.append(http_get(edge.port, "/held", timeout=30)))
    t.start()
    slow.wait_for_requests(1)
    r = http_get(edge.port, "/rejected")
    assert r.status == 503
    assert b"at its limit of 1 concurrent requests" in r.body
    assert slow.request_count() == 1  # the rejected request never reached the origin
    slow.release()
    t.join(30)
