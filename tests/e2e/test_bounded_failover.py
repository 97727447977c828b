"""Bounded failover on origin groups (`failover:` block): the per-request attempt and time
budget, the connect timeout adapted to the measured connect time, the retry budget, and a
listed 429/503 with Retry-After resting the member."""

from __future__ import annotations

import json
import time

from fake_origin import Behavior, refusing_port
from harness import distribution, edge_config, http_get, http_origin, http_request, wait_until

STOPPED = "edgefront_failover_stopped_total"


def group_config(origins, failover=None, codes=(500, 502, 503, 504), **group_extra):
    members = [o["id"] for o in origins]
    g = {"id": "grp", "members": members, "failover_status_codes": list(codes)}
    if failover is not None:
        g["failover"] = failover
    g.update(group_extra)
    return edge_config(distribution(origins, "grp", groups=[g]))


def attempts(r) -> str:
    return r.header("X-Edgefront-Attempts") or ""


def test_attempt_budget_stops_failover(cluster):
    ports = [refusing_port() for _ in range(3)]
    origins = [http_origin(f"o{i}", p, connection_attempts=3) for i, p in enumerate(ports)]
    edge = cluster.edge(group_config(origins, {"max_attempts": 2}, selection="cloudfront"))
    r = http_get(edge.port, "/x")
    assert r.status == 502
    assert attempts(r) == "o0=connect-failed, o0=connect-failed, stopped=attempts"
    assert edge.metric(STOPPED, distribution="main", group="grp", reason="attempts") == 1
    assert edge.metric("edgefront_origin_requests_total", distribution="main", origin="o1") == 0


def test_without_a_budget_every_attempt_is_made(cluster):
    ports = [refusing_port() for _ in range(3)]
    origins = [http_origin(f"o{i}", p, connection_attempts=3) for i, p in enumerate(ports)]
    edge = cluster.edge(group_config(origins, selection="cloudfront"))
    r = http_get(edge.port, "/x")
    assert r.status == 502 and attempts(r).count("connect-failed") == 9


def test_time_budget_cuts_a_hanging_primary(cluster):
    primary = cluster.origin(Behavior(hang=True), name="primary")
    secondary = cluster.origin(Behavior(body=b"secondary"), name="secondary")
    edge = cluster.edge(group_config(
        [http_origin("app", primary.port, read_timeout="20s"),
         http_origin("app2", secondary.port)],
        {"max_time": "300ms"}, selection="cloudfront"))
    started = time.monotonic()
    r = http_get(edge.port, "/hang")
    elapsed = time.monotonic() - started
    assert r.status == 504
    assert attempts(r) == "app=read-timeout, stopped=time"
    assert elapsed < 10, "the request must end at its time budget, not the read timeout"
    assert secondary.request_count() == 0
    assert edge.metric(STOPPED, distribution="main", group="grp", reason="time") == 1
    primary.release()


def test_adaptive_connect_timeout_cuts_a_black_hole_short(cluster):
    primary = cluster.origin(Behavior(body=b"primary", keep_alive=False), name="primary")
    secondary = cluster.origin(Behavior(body=b"secondary"), name="secondary")
    edge = cluster.edge(group_config(
        [http_origin("app", primary.port, connection_timeout="10s"),
         http_origin("app2", secondary.port)],
        {"adaptive_connect_timeout": {"floor": "100ms", "multiplier": 4}},
        selection="cloudfront"))
    for i in range(3):  # loopback connects take microseconds: the timeout adapts to the floor
        assert http_get(edge.port, f"/warm{i}").body == b"primary"
    r = http_request(edge.admin_port, "POST", "/faults",
                     body=json.dumps({"origin": "app", "kind": "blackhole"}).encode())
    assert r.status == 201
    started = time.monotonic()
    r = http_get(edge.port, "/cut")
    elapsed = time.monotonic() - started
    assert r.body == b"secondary" and attempts(r) == "app=connect-timeout, app2=200"
    assert elapsed < 5, "the adapted timeout, not the configured 10 s, must apply"


def test_retry_budget_stops_retries_beyond_the_share(cluster):
    primary = cluster.origin(Behavior(status=503), name="primary")
    secondary = cluster.origin(Behavior(body=b"secondary"), name="secondary")
    edge = cluster.edge(group_config(
        [http_origin("app", primary.port), http_origin("app2", secondary.port)],
        {"retry_budget": {"percent": 10, "min_retries": 2, "window": "60s"}},
        selection="cloudfront"))
    for i in range(2):  # the minimum: these fail over
        r = http_get(edge.port, f"/ok{i}")
        assert r.body == b"secondary" and attempts(r) == "app=503, app2=200"
    r = http_get(edge.port, "/spent")
    assert r.status == 503 and attempts(r) == "app=503, stopped=retry_budget"
    assert edge.metric(STOPPED, distribution="main", group="grp", reason="retry_budget") == 1


def test_listed_429_with_retry_after_rests_the_member(cluster):
    primary = cluster.origin(Behavior(status=429, headers=[("Retry-After", "60")]),
                             name="primary")
    secondary = cluster.origin(Behavior(body=b"secondary"), name="secondary")
    edge = cluster.edge(group_config(
        [http_origin("app", primary.port), http_origin("app2", secondary.port)],
        codes=(429, 503)))
    assert attempts(http_get(edge.port, "/1")) == "app=429, app2=200"
    for i in range(3):
        r = http_get(edge.port, f"/rest{i}")
        assert r.body == b"secondary" and attempts(r) == "app=skipped-unhealthy, app2=200"
    assert primary.request_count() == 1
    # Resting is not an ejection.
    assert edge.metric("edgefront_origin_ejections_total", distribution="main",
                       origin="app") == 0


def test_retry_after_can_be_ignored(cluster):
    primary = cluster.origin(Behavior(status=429, headers=[("Retry-After", "60")]),
                             name="primary")
    secondary = cluster.origin(Behavior(body=b"secondary"), name="secondary")
    edge = cluster.edge(group_config(
        [http_origin("app", primary.port), http_origin("app2", secondary.port)],
        {"honor_retry_after": False}, codes=(429, 503)))
    for i in range(3):
        assert attempts(http_get(edge.port, f"/{i}")) == "app=429, app2=200"
    assert primary.request_count() == 3


def test_post_fails_over_only_when_configured_and_unsent(cluster):
    secondary = cluster.origin(Behavior(echo=True), name="secondary")
    origins = [http_origin("app", refusing_port()), http_origin("app2", secondary.port)]
    off = cluster.edge(group_config(origins, codes=(503,)))
    assert http_request(off.port, "POST", "/w", body=b"payload").status == 502
    assert secondary.request_count() == 0

    on = cluster.edge(group_config(origins, {"retry_non_idempotent": True}, codes=(503,)))
    r = http_request(on.port, "POST", "/w", body=b"payload")
    assert r.status == 200 and attempts(r) == "app=connect-failed, app2=200"
    assert secondary.wait_for_requests(1, complete=True)[0].body == b"payload"


def test_post_that_reached_the_origin_is_never_retried(cluster):
    primary = cluster.origin(Behavior(status=503, body=b"busy"), name="primary")
    secondary = cluster.origin(Behavior(body=b"secondary"), name="secondary")
    edge = cluster.edge(group_config(
        [http_origin("app", primary.port), http_origin("app2", secondary.port)],
        {"retry_non_idempotent": True}, codes=(503,)))
    r = http_request(edge.port, "POST", "/w", body=b"payload")
    assert r.status == 503 and r.body == b"busy"
    assert secondary.request_count() == 0


# ------------------------------------------------------------------------------ hedging


def test_hedged_request_takes_the_faster_member(cluster):
    primary = cluster.origin(Behavior(body=b"primary", hang=True), name="primary")
    secondary = cluster.origin(Behavior(body=b"secondary"), name="secondary")
    edge = cluster.edge(group_config(
        [http_origin("app", primary.port, read_timeout="20s"),
         http_origin("app2", secondary.port)],
        {"hedge_after": "100ms"}, selection="cloudfront"))
    r = http_get(edge.port, "/slow")
    assert r.status == 200 and r.body == b"secondary"
    assert attempts(r) == "app=hedged, app2=200"
    assert edge.metric("edgefront_origin_hedges_total", distribution="main", group="grp") == 1
    # The primary did get the request; its answer, once released, is dropped.
    primary.wait_for_requests(1)
    primary.release()
    # A primary that answers in time is not hedged.
    r = http_get(edge.port, "/fast")
    assert r.body == b"primary" and attempts(r) == "app=200"
    assert edge.metric("edgefront_origin_hedges_total", distribution="main", group="grp") == 1


def test_left_behind_primary_still_counts_for_its_health(cluster):
    # The hedge wins; the primary answers 503 later. Nobody reads that answer, but it is a
    # failure of the primary all the same, and with one failure allowed it gets ejected.
    primary = cluster.origin(Behavior(status=503, body=b"late", hang=True), name="primary")
    secondary = cluster.origin(Behavior(body=b"secondary"), name="secondary")
    edge = cluster.edge(group_config(
        [http_origin("app", primary.port, read_timeout="20s"),
         http_origin("app2", secondary.port)],
        {"hedge_after": "50ms"},
        outlier_detection={"consecutive_failures": 1, "base_ejection": "60s"}))
    r = http_get(edge.port, "/slow")
    assert r.status == 200 and r.body == b"secondary"
    primary.wait_for_requests(1)
    ejections = lambda: edge.metric("edgefront_origin_ejections_total", distribution="main",  # noqa: E731
                                    origin="app")
    assert ejections() == 0
    primary.release()
    wait_until(lambda: ejections() == 1, timeout=5)


def test_hedge_answer_stands_in_when_the_primary_fails(cluster):
    primary = cluster.origin(Behavior(status=503, delay_s=0.5), name="primary")
    secondary = cluster.origin(Behavior(status=503, body=b"also down", delay_s=1.0),
                               name="secondary")
    edge = cluster.edge(group_config(
        [http_origin("app", primary.port), http_origin("app2", secondary.port)],
        {"hedge_after": "50ms"}, selection="cloudfront"))
    r = http_get(edge.port, "/both-down")
    assert r.status == 503
    # One attempt per member: the hedge's answer served as the failover attempt.
    assert attempts(r) == "app=503, app2=503"
    assert secondary.request_count() == 1


def test_post_is_never_hedged(cluster):
    primary = cluster.origin(Behavior(echo=True, delay_s=0.3), name="primary")
    secondary = cluster.origin(Behavior(body=b"secondary"), name="secondary")
    edge = cluster.edge(group_config(
        [http_origin("app", primary.port), http_origin("app2", secondary.port)],
        {"hedge_after": "20ms"}, selection="cloudfront"), )
    r = http_request(edge.port, "POST", "/p", body=b"x")
    assert r.status in (200, 403)
    assert secondary.request_count() == 0


def test_three_members_are_tried_in_priority_order(cluster):
    first = cluster.origin(Behavior(status=503), name="first")
    second = cluster.origin(Behavior(status=503), name="second")
    third = cluster.origin(Behavior(body=b"third"), name="third")
    edge = cluster.edge(group_config(
        [http_origin("a", first.port), http_origin("b", second.port),
         http_origin("c", third.port)]))
    r = http_get(edge.port, "/p")
    assert r.status == 200 and r.body == b"third"
    assert attempts(r) == "a=503, b=503, c=200"
    second.behavior = Behavior(body=b"second")
    r = http_get(edge.port, "/q")
    assert r.body == b"second" and attempts(r).endswith("b=200")
