"""Fault injection on the admin API (POST/GET/DELETE /faults): each kind fails an origin the
way the real failure would, so failover, ejection and counters react alike; faults are
reversible, logged and counted."""

from __future__ import annotations

import json
import time

import pytest

import harness
from fake_origin import Behavior
from harness import (RawConn, curl, dir_origin, distribution, edge_config, http_get,
                     http_origin, http_request, request_bytes, wait_until)

CODES = [500, 502, 503, 504]
ERRORS = "edgefront_origin_errors_total"
APPLIED = "edgefront_fault_applied_total"
EVENTS = "edgefront_faults_total"


def group_config(primary_port, secondary_port, primary=None, group=None, **server):
    origins = [http_origin("app", primary_port, **(primary or {})),
               http_origin("app2", secondary_port)]
    g = {"id": "grp", "members": ["app", "app2"], "failover_status_codes": CODES}
    g.update(group or {})
    return edge_config(distribution(origins, "grp", groups=[g]), **server)


def admin(edge, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    r = http_request(edge.admin_port, method, path, headers=headers, body=data)
    return r.status, (json.loads(r.body) if r.body.startswith(b"{") else r.body)


def inject(edge, **fault):
    status, doc = admin(edge, "POST", "/faults", fault)
    assert status == 201, doc
    return doc


def attempts(r) -> str:
    return r.header("X-Edgefront-Attempts") or ""


@pytest.fixture
def pair(cluster):
    primary = cluster.origin(Behavior(body=b"from-primary"), name="primary")
    secondary = cluster.origin(Behavior(body=b"from-secondary"), name="secondary")
    return primary, secondary


# ------------------------------------------------------------------------------ the API


def test_inject_list_remove_and_count(cluster, pair):
    primary, secondary = pair
    edge = cluster.edge(group_config(primary.port, secondary.port))
    assert admin(edge, "GET", "/faults") == (200, {"faults": []})

    a = inject(edge, origin="app", kind="delay", delay_ms=10)
    assert a["id"] == 1 and a["kind"] == "delay" and a["delay_ms"] == 10
    assert a["origin"] == "app" and a["distribution"] is None and a["applied"] == 0
    b = inject(edge, origin="app2", kind="status", status=503, distribution="main")
    status, doc = admin(edge, "GET", "/faults")
    assert status == 200 and [f["id"] for f in doc["faults"]] == [1, 2]
    assert doc["faults"][1] == {"id": 2, "distribution": "main", "origin": "app2",
                                "kind": "status", "status": 503, "applied": 0}

    # A second fault for the same origin replaces the first.
    c = inject(edge, origin="app", kind="refuse")
    assert c["id"] == 3
    assert [f["id"] for f in admin(edge, "GET", "/faults")[1]["faults"]] == [2, 3]

    assert admin(edge, "DELETE", f"/faults/{b['id']}")[0] == 200
    assert admin(edge, "DELETE", f"/faults/{b['id']}")[0] == 404
    status, doc = admin(edge, "DELETE", "/faults")
    assert status == 200 and doc == {"removed": 1}
    assert admin(edge, "GET", "/faults")[1] == {"faults": []}

    m = edge.metrics()
    assert harness.metric_value(m, EVENTS, event="injected") == 3
    assert harness.metric_value(m, EVENTS, event="removed") == 3  # replaced, one, all
    log = edge.stderr_text()
    assert "fault injected: #1 app delay 10 ms" in log
    assert "fault injected: #2 main/app2 status 503" in log
    assert "fault removed (replaced): #1" in log
    assert "fault removed: #2" in log and "fault removed: #3 app refuse" in log
    # Back to normal once removed.
    assert http_get(edge.port, "/x").body == b"from-primary"


@pytest.mark.parametrize("body,status", [
    (b"not json", 400),
    ({"origin": "app"}, 400),
    ({"origin": "app", "kind": "explode"}, 400),
    ({"origin": "app", "kind": "delay"}, 400),
    ({"origin": "app", "kind": "status", "status": 42}, 400),
    ({"origin": "app", "kind": "refuse", "status": 503}, 400),
    ({"origin": "app", "kind": "refuse", "extra": 1}, 400),
    ({"origin": "nope", "kind": "refuse"}, 404),
    ({"origin": "app", "kind": "refuse", "distribution": "nope"}, 404),
])
def test_bad_faults_are_refused(cluster, pair, body, status):
    primary, secondary = pair
    edge = cluster.edge(group_config(primary.port, secondary.port))
    got, doc = admin(edge, "POST", "/faults", body)
    assert got == status, doc
    assert isinstance(doc, dict) and doc["error"]
    assert admin(edge, "GET", "/faults")[1] == {"faults": []}
    assert edge.metric(EVENTS, event="injected") == 0


def test_method_and_path_errors(cluster, pair):
    primary, secondary = pair
    edge = cluster.edge(group_config(primary.port, secondary.port))
    assert admin(edge, "PUT", "/faults", {})[0] == 405
    assert admin(edge, "GET", "/faults/1")[0] == 405
    assert admin(edge, "DELETE", "/faults/abc")[0] == 400
    assert admin(edge, "DELETE", "/faults/99")[0] == 404


def test_directory_origins_cannot_take_faults(cluster, tmp_path):
    (tmp_path / "site").mkdir()
    edge = cluster.edge(edge_config(distribution([dir_origin("files", tmp_path / "site")],
                                                 "files")))
    status, doc = admin(edge, "POST", "/faults", {"origin": "files", "kind": "refuse"})
    assert status == 400 and "directory" in doc["error"]


def test_admin_token_guards_faults(cluster, pair):
    primary, secondary = pair
    edge = cluster.edge(group_config(primary.port, secondary.port, admin_token="s3cret"))
    assert admin(edge, "POST", "/faults", {"origin": "app", "kind": "refuse"})[0] == 401
    assert admin(edge, "POST", "/faults", {"origin": "app", "kind": "refuse"},
                 token="wrong")[0] == 401
    assert admin(edge, "DELETE", "/faults")[0] == 401
    assert admin(edge, "POST", "/faults", {"origin": "app", "kind": "refuse"},
                 token="s3cret")[0] == 201
    assert admin(edge, "GET", "/faults", token="s3cret")[1]["faults"][0]["kind"] == "refuse"


# ------------------------------------------------------------------------------ each kind


def test_refuse_fails_over_and_is_reversible(cluster, pair):
    primary, secondary = pair
    edge = cluster.edge(group_config(primary.port, secondary.port,
                                     group={"selection": "cloudfront"}))
    inject(edge, origin="app", kind="refuse")
    for i in range(3):
        r = http_get(edge.port, f"/r{i}")
        assert r.status == 200 and r.body == b"from-secondary"
        assert attempts(r) == "app=connect-failed, app2=200"
    assert primary.request_count() == 0  # not even over a pooled connection
    assert edge.metric(ERRORS, distribution="main", origin="app", kind="connect") == 3
    assert edge.metric(APPLIED, distribution="*", origin="app", kind="refuse") == 3
    assert admin(edge, "GET", "/faults")[1]["faults"][0]["applied"] == 3
    admin(edge, "DELETE", "/faults")
    r = http_get(edge.port, "/back")
    assert r.body == b"from-primary" and attempts(r) == "app=200"


def test_refuse_on_single_origin_is_502(cluster, pair):
    primary, _ = pair
    edge = cluster.edge(edge_config(distribution([http_origin("app", primary.port)], "app")))
    inject(edge, origin="app", kind="refuse")
    assert http_get(edge.port, "/x").status == 502


def test_blackhole_costs_connection_timeout_then_fails_over(cluster, pair):
    primary, secondary = pair
    edge = cluster.edge(group_config(primary.port, secondary.port,
                                     primary={"connection_timeout": "300ms"},
                                     group={"selection": "cloudfront"}))
    http_get(edge.port, "/warm")  # a pooled connection must not bypass the black hole
    inject(edge, origin="app", kind="blackhole")
    started = time.monotonic()
    r = http_get(edge.port, "/b")
    elapsed = time.monotonic() - started
    assert r.status == 200 and r.body == b"from-secondary"
    assert attempts(r) == "app=connect-timeout, app2=200"
    assert elapsed >= 0.3, "the black hole must cost the connection timeout"
    assert primary.request_count() == 1  # only /warm
    assert edge.metric(ERRORS, distribution="main", origin="app", kind="timeout") == 1


def test_blackhole_ejects_then_skips(cluster, pair):
    primary, secondary = pair
    edge = cluster.edge(group_config(primary.port, secondary.port,
                                     primary={"connection_timeout": "200ms"},
                                     group={"outlier_detection": {"consecutive_failures": 1,
                                                                  "base_ejection": "60s"}}))
    inject(edge, origin="app", kind="blackhole")
    assert attempts(http_get(edge.port, "/1")) == "app=connect-timeout, app2=200"
    r = http_get(edge.port, "/2")
    assert attempts(r) == "app=skipped-unhealthy, app2=200"
    assert edge.metric("edgefront_origin_ejections_total", distribution="main", origin="app") == 1


def test_delay_below_read_timeout_is_served_late(cluster, pair):
    primary, secondary = pair
    edge = cluster.edge(group_config(primary.port, secondary.port))
    inject(edge, origin="app", kind="delay", delay_ms=300)
    started = time.monotonic()
    r = http_get(edge.port, "/slow")
    assert r.status == 200 and r.body == b"from-primary"
    assert time.monotonic() - started >= 0.3
    assert secondary.request_count() == 0


def test_delay_beyond_read_timeout_is_a_read_timeout(cluster, pair):
    primary, secondary = pair
    edge = cluster.edge(group_config(primary.port, secondary.port,
                                     primary={"read_timeout": "300ms"}))
    inject(edge, origin="app", kind="delay", delay_ms=60000)
    started = time.monotonic()
    r = http_get(edge.port, "/slow")
    assert r.status == 200 and r.body == b"from-secondary"
    assert attempts(r) == "app=read-timeout, app2=200"
    assert time.monotonic() - started < 30, "the delay must be cut at the read timeout"
    assert edge.metric(ERRORS, distribution="main", origin="app", kind="timeout") == 1


def test_status_fails_over_when_listed(cluster, pair):
    primary, secondary = pair
    edge = cluster.edge(group_config(primary.port, secondary.port,
                                     group={"selection": "cloudfront"}))
    inject(edge, origin="app", kind="status", status=503)
    r = http_get(edge.port, "/s")
    assert r.body == b"from-secondary" and attempts(r) == "app=503, app2=200"
    assert primary.request_count() == 0
    assert edge.metric(ERRORS, distribution="main", origin="app", kind="status") == 1
    assert edge.metric(FAILOVERS := "edgefront_origin_failovers_total", distribution="main",
                       group="grp", **{"from": "app"}) == 1


def test_status_reaches_the_viewer_when_not_listed(cluster, pair):
    primary, secondary = pair
    edge = cluster.edge(group_config(primary.port, secondary.port))
    inject(edge, origin="app", kind="status", status=429)
    r = http_get(edge.port, "/s")
    assert r.status == 429 and b"injected fault" in r.body
    assert secondary.request_count() == 0


def test_status_ejects_after_consecutive_failures(cluster, pair):
    primary, secondary = pair
    edge = cluster.edge(group_config(primary.port, secondary.port,
                                     group={"outlier_detection": {"consecutive_failures": 2,
                                                                  "base_ejection": "60s"}}))
    inject(edge, origin="app", kind="status", status=503)
    for i in range(2):
        assert attempts(http_get(edge.port, f"/{i}")) == "app=503, app2=200"
    assert attempts(http_get(edge.port, "/3")) == "app=skipped-unhealthy, app2=200"


def test_reset_mid_body_aborts_the_viewer(cluster, pair):
    primary, secondary = pair
    size = 1 << 20
    primary.set(body_size=size)
    edge = cluster.edge(group_config(primary.port, secondary.port))
    inject(edge, origin="app", kind="reset_mid_body", after_bytes=1000)
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", "/big"))
        data, how = c.read_until_close(timeout=10)
    assert how in ("eof", "reset")
    assert data.startswith(b"HTTP/1.1 200")
    head_len = data.find(b"\r\n\r\n") + 4
    assert len(data) - head_len == 1000, "exactly after_bytes of the body get through"
    with pytest.raises(harness.Incomplete):
        harness.parse_response(data, eof=True)
    assert secondary.request_count() == 0
    # curl sees a transfer that ended early, never a complete response.
    r = curl(f"{edge.url}/big2", timeout=20)
    assert r.exit_code in (18, 56), (r.exit_code, r.stderr)
    assert len(r.body) == 1000
    assert edge.metric(APPLIED, distribution="*", origin="app", kind="reset_mid_body") == 2


def test_reset_mid_body_chunked_is_not_terminated(cluster, pair):
    primary, secondary = pair
    primary.set(body_size=1 << 20, chunked=True, chunk_size=4096)
    edge = cluster.edge(group_config(primary.port, secondary.port))
    inject(edge, origin="app", kind="reset_mid_body", after_bytes=10000)
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", "/chunky"))
        data, how = c.read_until_close(timeout=10)
    assert how in ("eof", "reset")
    assert not data.endswith(b"0\r\n\r\n"), "a cut chunked body must not be terminated"


def test_reset_mid_body_spares_short_bodies(cluster, pair):
    primary, secondary = pair
    primary.set(body=b"x" * 500)
    edge = cluster.edge(group_config(primary.port, secondary.port))
    inject(edge, origin="app", kind="reset_mid_body", after_bytes=500)
    for i in range(3):  # and the connection stays reusable
        r = http_get(edge.port, f"/short{i}")
        assert r.status == 200 and r.body == b"x" * 500


def test_faults_survive_reload(cluster, pair):
    import signal
    primary, secondary = pair
    edge = cluster.edge(group_config(primary.port, secondary.port))
    inject(edge, origin="app", kind="status", status=503)
    edge.send_signal(signal.SIGHUP)
    wait_until(lambda: "reload: new config in service" in edge.stderr_text(), timeout=10)
    assert http_get(edge.port, "/after").body == b"from-secondary"


def test_status_answers_head_without_a_body(cluster, pair):
    primary, secondary = pair
    edge = cluster.edge(edge_config(distribution([http_origin("app", primary.port)], "app")))
    inject(edge, origin="app", kind="status", status=503)
    with RawConn(edge.port) as c:
        c.send(request_bytes("HEAD", "/h"))
        r = c.read_response(head_request=True)
        assert r.status == 503 and r.body == b""
        c.send(request_bytes("GET", "/g"))  # the connection is still in step
        assert c.read_response().status == 503


def test_active_checks_see_injected_faults(cluster, pair):
    """A drill looks like an outage to the active health checks too: the primary turns
    unhealthy and is skipped, and turns healthy again once the fault is removed."""
    primary, secondary = pair
    check = {"path": "/health", "interval": "100ms", "timeout": "80ms",
             "healthy_threshold": 1, "unhealthy_threshold": 1}
    edge = cluster.edge(group_config(primary.port, secondary.port,
                                     primary={"health_check": check}))

    def primary_state():
        r = http_request(edge.admin_port, "GET", "/origins")
        return json.loads(r.body)["distributions"][0]["origins"][0]

    inject(edge, origin="app", kind="status", status=503)
    wait_until(lambda: not primary_state()["active_healthy"], timeout=10,
               desc="the check to see the injected 503")
    r = http_get(edge.port, "/drill")
    assert r.body == b"from-secondary" and attempts(r) == "app=skipped-unhealthy, app2=200"
    admin(edge, "DELETE", "/faults")
    wait_until(lambda: primary_state()["active_healthy"], timeout=10,
               desc="the check to recover")
    assert http_get(edge.port, "/after").body == b"from-primary"
