"""Origin groups: what fails over, what does not, and the errors of single origins."""

from __future__ import annotations

import re
import time

import pytest

import harness
from fake_origin import Behavior, refusing_port
from harness import (RawConn, curl, curl_popen, distribution, edge_config, http_origin,
                     http_request, request_bytes, wait_until)

CODES = [500, 502, 503, 504]
FAILOVERS = "edgefront_origin_failovers_total"
ERRORS = "edgefront_origin_errors_total"
ORIGIN_REQUESTS = "edgefront_origin_requests_total"


def group_config(primary_port, secondary_port, codes=CODES, primary=None, secondary=None,
                 **server):
    origins = [http_origin("app", primary_port, **(primary or {})),
               http_origin("app2", secondary_port, **(secondary or {}))]
    groups = [{"id": "grp", "members": ["app", "app2"], "failover_status_codes": list(codes)}]
    return edge_config(distribution(origins, "grp", groups=groups), **server)


@pytest.fixture
def pair(cluster):
    """primary and secondary fake origins; secondary answers 200 'from-secondary'."""
    primary = cluster.origin(Behavior(body=b"from-primary"), name="primary")
    secondary = cluster.origin(Behavior(body=b"from-secondary"), name="secondary")
    return primary, secondary


def attempts(r) -> str:
    return r.header("X-Edgefront-Attempts") or ""


# ------------------------------------------------------------------------------ status codes


@pytest.mark.parametrize("code", CODES)
def test_listed_status_fails_over(cluster, pair, code):
    primary, secondary = pair
    primary.set(status=code, body=b"primary-error")
    edge = cluster.edge(group_config(primary.port, secondary.port))
    r = http_request(edge.port, "GET", "/page")
    assert r.status == 200, r
    assert r.body == b"from-secondary"
    assert r.header("X-Edgefront-Origin") == "app2"
    assert attempts(r) == f"app={code}, app2=200"
    assert [q.path for q in primary.requests] == ["/page"]
    assert [q.path for q in secondary.requests] == ["/page"]


@pytest.mark.parametrize("code", [403, 404])
def test_unlisted_status_is_not_failed_over(cluster, pair, code):
    primary, secondary = pair
    primary.set(status=code, body=b"primary-says-no")
    edge = cluster.edge(group_config(primary.port, secondary.port))
    r = http_request(edge.port, "GET", "/x")
    assert r.status == code
    assert r.body == b"primary-says-no"
    assert r.header("X-Edgefront-Origin") == "app"
    assert secondary.request_count() == 0


@pytest.mark.parametrize("code", [403, 404])
def test_status_fails_over_when_listed(cluster, pair, code):
    primary, secondary = pair
    primary.set(status=code)
    edge = cluster.edge(group_config(primary.port, secondary.port, codes=[code, 500]))
    r = http_request(edge.port, "GET", "/x")
    assert r.status == 200 and r.body == b"from-secondary"
    assert r.header("X-Edgefront-Origin") == "app2"


def test_500_not_failed_over_when_only_others_listed(cluster, pair):
    primary, secondary = pair
    primary.set(status=500)
    edge = cluster.edge(group_config(primary.port, secondary.port, codes=[502, 503]))
    r = http_request(edge.port, "GET", "/x")
    assert r.status == 500
    assert secondary.request_count() == 0


def test_both_members_fail_last_answer_delivered(cluster, pair):
    primary, secondary = pair
    primary.set(status=503, body=b"p-down")
    secondary.set(status=502, body=b"s-down")
    edge = cluster.edge(group_config(primary.port, secondary.port))
    r = http_request(edge.port, "GET", "/x")
    assert r.status == 502
    assert r.body == b"s-down"
    assert r.header("X-Edgefront-Origin") == "app2"
    assert attempts(r) == "app=503, app2=502"


def test_secondary_status_listed_but_last_member(cluster, pair):
    primary, secondary = pair
    secondary.set(status=504)
    primary.set(status=500)
    edge = cluster.edge(group_config(primary.port, secondary.port))
    r = http_request(edge.port, "GET", "/x")
    assert r.status == 504
    assert primary.request_count() == 1 and secondary.request_count() == 1


# ------------------------------------------------------------------------------ methods


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_unsafe_methods_are_not_failed_over(cluster, pair, method):
    primary, secondary = pair
    primary.set(status=503, body=b"primary-503")
    edge = cluster.edge(group_config(primary.port, secondary.port))
    r = http_request(edge.port, method, "/write", body=b"payload")
    assert r.status == 503
    assert r.body == b"primary-503"
    assert r.header("X-Edgefront-Origin") == "app"
    assert primary.completed()[0].body == b"payload"
    assert secondary.request_count() == 0


def test_post_to_refused_primary_is_not_failed_over(cluster, pair):
    _, secondary = pair
    edge = cluster.edge(group_config(refusing_port(), secondary.port))
    r = http_request(edge.port, "POST", "/write", body=b"payload")
    assert r.status == 502
    assert r.header("Server") == "edgefront"
    assert secondary.request_count() == 0


def test_options_fails_over_with_its_body(cluster, pair):
    primary, secondary = pair
    primary.set(status=503)
    edge = cluster.edge(group_config(primary.port, secondary.port))
    r = http_request(edge.port, "OPTIONS", "/x", body=b"ping")
    assert r.status == 200 and r.body == b"from-secondary"
    assert r.header("X-Edgefront-Origin") == "app2"
    assert [q.method for q in secondary.requests] == ["OPTIONS"]
    # The body was replayed to the secondary.
    assert primary.completed()[0].body == b"ping"
    assert secondary.completed()[0].body == b"ping"


def test_options_without_body_fails_over(cluster, pair):
    primary, secondary = pair
    primary.set(status=500)
    edge = cluster.edge(group_config(primary.port, secondary.port))
    with RawConn(edge.port) as c:
        c.send(request_bytes("OPTIONS", "/x"))
        r = c.read_response()
    assert r.status == 200 and r.header("X-Edgefront-Origin") == "app2"


def test_head_fails_over(cluster, pair):
    primary, secondary = pair
    primary.set(status=502)
    edge = cluster.edge(group_config(primary.port, secondary.port))
    with RawConn(edge.port) as c:
        c.send(request_bytes("HEAD", "/h"))
        r = c.read_response(head_request=True)
        assert r.status == 200
        assert r.header("X-Edgefront-Origin") == "app2"
        assert r.header("Content-Length") == str(len(b"from-secondary"))
        # No body bytes follow a HEAD response: the next response parses cleanly.
        c.send(request_bytes("GET", "/after"))
        r2 = c.read_response()
        assert r2.status == 200 and r2.body == b"from-secondary"
    assert [q.method for q in secondary.requests] == ["HEAD", "GET"]


# ------------------------------------------------------------------------------ connect / timeout


def test_refused_primary_fails_over(cluster, pair):
    _, secondary = pair
    edge = cluster.edge(group_config(refusing_port(), secondary.port))
    r = http_request(edge.port, "GET", "/x")
    assert r.status == 200 and r.body == b"from-secondary"
    assert r.header("X-Edgefront-Origin") == "app2"
    a = attempts(r)
    assert re.fullmatch(r"app=[a-z][a-z_-]*, app2=200", a), a
    edge.wait_metric(ERRORS, 1, distribution="main", origin="app", kind="connect")
    edge.wait_metric(FAILOVERS, 1, distribution="main", group="grp", **{"from": "app"})


def test_refused_primary_uses_all_connection_attempts(cluster, pair):
    _, secondary = pair
    edge = cluster.edge(group_config(refusing_port(), secondary.port,
                                     primary={"connection_attempts": 3}))
    r = http_request(edge.port, "GET", "/x")
    assert r.status == 200 and r.header("X-Edgefront-Origin") == "app2"
    edge.wait_metric(ORIGIN_REQUESTS, 3, distribution="main", origin="app")
    edge.wait_metric(ERRORS, 3, distribution="main", origin="app", kind="connect")
    edge.wait_metric(FAILOVERS, 1, distribution="main", group="grp", **{"from": "app"})


def test_hanging_primary_read_timeout_fails_over(cluster, pair):
    primary, secondary = pair
    primary.set(hang=True)
    edge = cluster.edge(group_config(primary.port, secondary.port,
                                     primary={"read_timeout": "1s", "connection_attempts": 1}))
    t0 = time.monotonic()
    r = http_request(edge.port, "GET", "/slow", timeout=15)
    elapsed = time.monotonic() - t0
    assert r.status == 200 and r.body == b"from-secondary"
    assert r.header("X-Edgefront-Origin") == "app2"
    assert 0.8 <= elapsed < 5, elapsed
    assert primary.request_count() == 1  # connection_attempts 1: no retry
    edge.wait_metric(ERRORS, 1, distribution="main", origin="app", kind="timeout")


def test_get_read_timeout_retried_connection_attempts_times(cluster, pair):
    primary, secondary = pair
    primary.set(hang=True)
    edge = cluster.edge(group_config(primary.port, secondary.port,
                                     primary={"read_timeout": "1s", "connection_attempts": 2}))
    r = http_request(edge.port, "GET", "/slow", timeout=15)
    assert r.status == 200 and r.header("X-Edgefront-Origin") == "app2"
    assert primary.request_count() == 2
    edge.wait_metric(ERRORS, 2, distribution="main", origin="app", kind="timeout")


def test_primary_closing_without_response_fails_over(cluster, pair):
    primary, secondary = pair
    primary.set(close_without_response=True)
    edge = cluster.edge(group_config(primary.port, secondary.port))
    r = http_request(edge.port, "GET", "/x")
    assert r.status == 200 and r.header("X-Edgefront-Origin") == "app2"
    edge.wait_metric(ERRORS, 1, distribution="main", origin="app", kind="closed")


def test_primary_garbage_response_fails_over(cluster, pair):
    primary, secondary = pair
    primary.set(raw_response=b"this is not HTTP\r\n\r\n")
    edge = cluster.edge(group_config(primary.port, secondary.port))
    r = http_request(edge.port, "GET", "/x")
    assert r.status == 200 and r.header("X-Edgefront-Origin") == "app2"
    edge.wait_metric(ERRORS, 1, distribution="main", origin="app", kind="bad_response")


# ------------------------------------------------------------------------------ stateless


def test_failback_is_immediate(cluster, pair):
    primary, secondary = pair
    primary.set(status=503)
    edge = cluster.edge(group_config(primary.port, secondary.port))
    assert http_request(edge.port, "GET", "/a").header("X-Edgefront-Origin") == "app2"
    assert http_request(edge.port, "GET", "/b").header("X-Edgefront-Origin") == "app2"
    primary.set(status=200)
    r = http_request(edge.port, "GET", "/c")
    assert r.status == 200 and r.body == b"from-primary"
    assert r.header("X-Edgefront-Origin") == "app"
    assert attempts(r) == "app=200"
    assert secondary.paths() == ["/a", "/b"]


def test_per_request_decision(cluster, pair):
    """Each request starts at the primary: one failing path does not move others."""
    primary, secondary = pair
    edge = cluster.edge(group_config(primary.port, secondary.port))
    for path, origin in [("/_fo@primary/status=503/a", "app2"), ("/ok", "app"),
                         ("/_fo@primary/status=503/b", "app2"), ("/ok2", "app")]:
        r = http_request(edge.port, "GET", path)
        assert r.status == 200, (path, r)
        assert r.header("X-Edgefront-Origin") == origin, (path, r)


# ------------------------------------------------------------------------------ metrics


def test_failover_metrics(cluster, pair):
    primary, secondary = pair
    primary.set(status=503)
    edge = cluster.edge(group_config(primary.port, secondary.port))
    for _ in range(2):
        assert http_request(edge.port, "GET", "/m").status == 200
    m = edge.wait_metric(FAILOVERS, 2, distribution="main", group="grp", **{"from": "app"})
    v = harness.metric_value
    assert v(m, ERRORS, distribution="main", origin="app", kind="status") == 2
    assert v(m, ORIGIN_REQUESTS, distribution="main", origin="app") == 2
    assert v(m, ORIGIN_REQUESTS, distribution="main", origin="app2") == 2
    assert v(m, FAILOVERS, distribution="main", group="grp", **{"from": "app2"}) == 0
    assert v(m, ERRORS, distribution="main", origin="app2", kind="status") == 0
    edge.wait_metric("edgefront_requests_total", 2, status="2xx")
    # the admin answers in Prometheus text format
    text = edge.metrics_text()
    assert 'edgefront_origin_failovers_total{distribution="main",group="grp",from="app"} 2' in text


def test_5xx_metric_for_edge_errors(cluster):
    edge = cluster.edge(edge_config(distribution([http_origin("app", refusing_port())], "app")))
    for _ in range(2):
        assert http_request(edge.port, "GET", "/x").status == 502
    edge.wait_metric("edgefront_requests_total", 2, status="5xx")
    edge.wait_metric(ERRORS, 2, distribution="main", origin="app", kind="connect")


# ------------------------------------------------------------------------------ single origins


def test_single_origin_refused_is_502(cluster):
    edge = cluster.edge(edge_config(distribution([http_origin("app", refusing_port())], "app")))
    r = http_request(edge.port, "GET", "/x")
    assert r.status == 502
    assert r.header("Server") == "edgefront"
    assert r.header("X-Edgefront-Origin") is None


def test_single_origin_hang_is_504(cluster):
    o = cluster.origin(Behavior(hang=True))
    edge = cluster.edge(edge_config(distribution(
        [http_origin("app", o.port, read_timeout="1s", connection_attempts=1)], "app")))
    t0 = time.monotonic()
    r = http_request(edge.port, "GET", "/x", timeout=15)
    assert r.status == 504
    assert r.header("Server") == "edgefront"
    assert time.monotonic() - t0 < 5


def test_single_origin_error_status_passes_through(cluster):
    o = cluster.origin(Behavior(status=503, body=b"maintenance"))
    edge = cluster.edge(edge_config(distribution([http_origin("app", o.port)], "app")))
    r = http_request(edge.port, "GET", "/x")
    assert r.status == 503 and r.body == b"maintenance"
    assert r.header("Server") == "fake-origin"


# ------------------------------------------------------------------------------ mid-body failure


def test_reset_mid_body_aborts_viewer_not_failover(cluster, pair):
    """Headers and some body reached the viewer, then the primary resets: the viewer sees a
    truncated (aborted) response, and the secondary is never asked."""
    primary, secondary = pair
    size = 4 << 20
    primary.set(body_size=size, reset_after_bytes=64 * 1024, gate=True)
    edge = cluster.edge(group_config(primary.port, secondary.port))
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", "/big"))
        assert c.read_until(lambda b: b"\r\n\r\n" in b, timeout=10), "no response head"
        head, _, _ = c.buf.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200")
        assert b"x-edgefront-origin: app\r\n" in head.lower() + b"\r\n"
        primary.release()  # now the primary resets its connection
        data, how = c.read_until_close(timeout=10)  # includes what was buffered
        assert how in ("eof", "reset"), "edge kept the viewer connection open"
    head_len = data.find(b"\r\n\r\n") + 4
    assert len(data) - head_len < size, "a truncated body was presented as complete"
    with pytest.raises(harness.Incomplete):
        harness.parse_response(data, eof=True)
    assert secondary.request_count() == 0


def test_reset_mid_body_curl_exit_code(cluster, pair, tmp_path):
    primary, secondary = pair
    size = 4 << 20
    primary.set(body_size=size, reset_after_bytes=256 * 1024, gate=True)
    edge = cluster.edge(group_config(primary.port, secondary.port))
    out = tmp_path / "body"
    p = curl_popen(f"{edge.url}/big", out)
    try:
        wait_until(lambda: out.exists() and out.stat().st_size > 0, timeout=10,
                   desc="curl receiving body bytes")
        primary.release()
        _, err = p.communicate(timeout=20)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode in (18, 56), (p.returncode, err)
    assert out.stat().st_size < size
    assert secondary.request_count() == 0


def test_stall_mid_body_aborts_after_read_timeout(cluster, pair):
    """A body that stops mid-way (origin read timeout) aborts the viewer: curl exit 18/56."""
    primary, secondary = pair
    primary.set(body_size=1 << 20, stall_after_bytes=1000)
    edge = cluster.edge(group_config(primary.port, secondary.port,
                                     primary={"read_timeout": "1s"}))
    r = curl(f"{edge.url}/stall", timeout=20)
    assert r.exit_code in (18, 56), (r.exit_code, r.stderr)
    assert len(r.body) < (1 << 20)
    assert secondary.request_count() == 0


def test_chunked_reset_mid_body_is_not_terminated(cluster, pair):
    """A chunked response cut by the origin must not get a terminating 0-chunk."""
    primary, secondary = pair
    primary.set(body_size=1 << 20, chunked=True, chunk_size=4096, reset_after_bytes=8192,
                gate=True)
    edge = cluster.edge(group_config(primary.port, secondary.port))
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", "/chunky"))
        assert c.read_until(lambda b: b"\r\n\r\n" in b, timeout=10)
        primary.release()
        raw, how = c.read_until_close(timeout=10)
    assert how in ("eof", "reset")
    with pytest.raises((harness.Incomplete, ValueError)):
        harness.parse_response(raw, eof=True)
    assert secondary.request_count() == 0
