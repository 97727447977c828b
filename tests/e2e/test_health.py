"""Health memory for origin groups: active checks and passive ejection skip a dead primary,
failback once it recovers, CloudFront mode stays stateless."""
import json
import urllib.request

from fake_origin import Behavior, refusing_port
from harness import distribution, edge_config, http_get, http_origin, wait_until


def origins_state(edge) -> dict:
    with urllib.request.urlopen(f"{edge.admin_url}/origins", timeout=5) as r:
        doc = json.loads(r.read())
    return {o["id"]: o for o in doc["distributions"][0]["origins"]}


def group_config(primary, secondary, **group_extra):
    group = {"id": "grp", "members": ["primary", "secondary"],
             "failover_status_codes": [500, 502, 503, 504]}
    group.update(group_extra)
    return edge_config(distribution([primary, secondary], "grp", groups=[group]))


def test_active_check_skips_unhealthy_primary_and_fails_back(cluster):
    state = {"health": 200}
    primary = cluster.origin(Behavior(body=b"primary"), name="primary",
                             handler=lambda req: Behavior(status=state["health"], body=b"h")
                             if req.target == "/health" else None)
    secondary = cluster.origin(Behavior(body=b"secondary"), name="secondary")
    check = {"path": "/health", "interval": "200ms", "timeout": "150ms",
             "healthy_threshold": 2, "unhealthy_threshold": 2}
    edge = cluster.edge(group_config(http_origin("primary", primary.port, health_check=check),
                                     http_origin("secondary", secondary.port)))
    assert http_get(edge.port, "/a").body == b"primary"

    state["health"] = 503
    wait_until(lambda: not origins_state(edge)["primary"]["active_healthy"], timeout=10)
    served_before = len([r for r in primary.requests if r.target != "/health"])
    for i in range(5):
        r = http_get(edge.port, f"/down{i}")
        assert r.status == 200 and r.body == b"secondary"
        assert r.header("X-Edgefront-Attempts") == "primary=skipped-unhealthy, secondary=200"
    # The primary saw only health probes meanwhile: no request paid for its failure.
    assert len([r for r in primary.requests if r.target != "/health"]) == served_before

    state["health"] = 200
    wait_until(lambda: origins_state(edge)["primary"]["active_healthy"], timeout=10)
    r = http_get(edge.port, "/back")
    assert r.body == b"primary" and r.header("X-Edgefront-Origin") == "primary"
    assert edge.metric("edgefront_origin_available", distribution="main", origin="primary") == 1


def test_passive_ejection_stops_paying_for_a_refusing_primary(cluster):
    secondary = cluster.origin(Behavior(body=b"secondary"), name="secondary")
    dead = refusing_port()
    outlier = {"consecutive_failures": 2, "base_ejection": "60s"}
    edge = cluster.edge(group_config(http_origin("primary", dead),
                                     http_origin("secondary", secondary.port),
                                     outlier_detection=outlier))
    for i in range(2):
        r = http_get(edge.port, f"/f{i}")
        assert r.status == 200 and r.header("X-Edgefront-Attempts").startswith("primary=connect")
    wait_until(lambda: origins_state(edge)["primary"]["ejected"], timeout=5)
    for i in range(5):
        r = http_get(edge.port, f"/s{i}")
        assert r.status == 200 and r.body == b"secondary"
        assert r.header("X-Edgefront-Attempts") == "primary=skipped-unhealthy, secondary=200"
    # Exactly the two attempts that led to the ejection reached the dead primary.
    assert edge.metric("edgefront_origin_errors_total", distribution="main", origin="primary",
                       kind="connect") == 2
    assert edge.metric("edgefront_origin_ejections_total", distribution="main",
                       origin="primary") == 1


def test_ejection_of_a_hanging_primary_stops_the_timeouts(cluster):
    primary = cluster.origin(Behavior(hang=True), name="primary")
    secondary = cluster.origin(Behavior(body=b"secondary"), name="secondary")
    edge = cluster.edge(group_config(http_origin("primary", primary.port, read_timeout="500ms"),
                                     http_origin("secondary", secondary.port),
                                     outlier_detection={"consecutive_failures": 1,
                                                        "base_ejection": "60s"}))
    r = http_get(edge.port, "/first")
    assert r.status == 200 and r.header("X-Edgefront-Attempts").startswith("primary=read-timeout")
    for i in range(5):
        assert http_get(edge.port, f"/next{i}").header("X-Edgefront-Origin") == "secondary"
    # Only the first request ever waited on the hanging primary.
    assert primary.request_count() == 1
    primary.release()


def test_failback_after_ejection_expires(cluster):
    primary = cluster.origin(Behavior(status=503), name="primary")
    secondary = cluster.origin(Behavior(body=b"secondary"), name="secondary")
    edge = cluster.edge(group_config(http_origin("primary", primary.port),
                                     http_origin("secondary", secondary.port),
                                     outlier_detection={"consecutive_failures": 1,
                                                        "base_ejection": "300ms"}))
    assert http_get(edge.port, "/x").header("X-Edgefront-Origin") == "secondary"
    assert origins_state(edge)["primary"]["ejected"]
    primary.set(status=200, body=b"primary again")
    wait_until(lambda: http_get(edge.port, "/y").body == b"primary again", timeout=10)


def test_all_members_down_are_still_tried(cluster):
    p, s = refusing_port(), refusing_port()
    edge = cluster.edge(group_config(http_origin("primary", p), http_origin("secondary", s),
                                     outlier_detection={"consecutive_failures": 1,
                                                        "base_ejection": "60s",
                                                        "max_ejected_percent": 100}))
    for i in range(3):
        r = http_get(edge.port, f"/z{i}")
        assert r.status == 502
    # With both ejected, requests still try both rather than failing without trying.
    assert edge.metric("edgefront_origin_errors_total", distribution="main", origin="primary",
                       kind="connect") == 3


def test_cloudfront_selection_is_stateless(cluster):
    secondary = cluster.origin(Behavior(body=b"secondary"), name="secondary")
    dead = refusing_port()
    edge = cluster.edge(group_config(http_origin("primary", dead),
                                     http_origin("secondary", secondary.port),
                                     selection="cloudfront"))
    for i in range(4):
        r = http_get(edge.port, f"/c{i}")
        assert r.status == 200 and r.header("X-Edgefront-Attempts").startswith("primary=connect")
    assert edge.metric("edgefront_origin_errors_total", distribution="main", origin="primary",
                       kind="connect") == 4
    assert not origins_state(edge)["primary"]["ejected"]
