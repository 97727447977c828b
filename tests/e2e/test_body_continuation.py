"""A body the origin breaks off after its head is an origin failure (the `body` error counter,
passive health, ejection) and, for a GET whose answer can be named across servers (a strong
ETag, or a Content-Length and Last-Modified), is continued from the next member with
`Range: bytes=N-` + `If-Range` and spliced into the same viewer response and cache fill:
the viewer sees one whole body. A continuation that does not carry the same bytes aborts the
viewer's connection as before, and nothing truncated is cached."""

from __future__ import annotations

import http.client
import re
from concurrent.futures import ThreadPoolExecutor

from fake_origin import Behavior, pattern_bytes
from harness import distribution, edge_config, http_get, http_origin, wait_until

SIZE = 200_000
CUT = 70_000  # the primary resets after this many body bytes


def obj(etag: str = '"v1"', **kw) -> Behavior:
    headers = [("ETag", etag), ("Cache-Control", "max-age=600")] + kw.pop("headers", [])
    return Behavior(body_size=SIZE, ranges=True, headers=headers, chunk_size=16_384, **kw)


def group_edge(cluster, primary, secondary, cache=True, outlier=None):
    group = {"id": "grp", "members": ["primary", "secondary"],
             "failover_status_codes": [500, 502, 503, 504]}
    if outlier:
        group["outlier_detection"] = outlier
    dist = distribution([http_origin("primary", primary.port), http_origin("secondary", secondary.port)],
                        "grp", groups=[group], cache_policy="honour-origin" if cache else None)
    return cluster.edge(edge_config(dist, cache={"memory": "64MiB"} if cache else {"memory": 0}))


def errors(edge, origin: str, kind: str) -> float:
    return edge.metric("edgefront_origin_errors_total", distribution="main", origin=origin,
                       kind=kind)


def fetch(port: int, path: str):
    """(status, body, complete): complete is False when the edge cut the response short."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        try:
            return resp.status, resp.read(), resp.getheader("X-Cache"), True
        except http.client.IncompleteRead as e:
            return resp.status, e.partial, resp.getheader("X-Cache"), False
    finally:
        conn.close()


def test_a_reset_primary_under_load_costs_viewers_nothing(cluster):
    primary = cluster.origin(obj(reset_after_bytes=CUT), name="primary")
    secondary = cluster.origin(obj(), name="secondary")
    edge = group_edge(cluster, primary, secondary)
    paths = [f"/obj/{i}" for i in range(60)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda p: fetch(edge.port, p), paths))
    expected = pattern_bytes(0, SIZE)
    failed = [(p, r[0], len(r[1]), r[3]) for p, r in zip(paths, results)
              if r[0] != 200 or not r[3] or r[1] != expected]
    assert failed == [], f"viewers saw failures or wrong bytes: {failed[:5]}"
    # The cuts were counted against the primary, which was ejected (5 in a row by default)
    # and then skipped; the secondary continued the bodies it broke off.
    assert errors(edge, "primary", "body") >= 5
    assert edge.metric("edgefront_origin_ejections_total", distribution="main",
                       origin="primary") >= 1
    continued = edge.metric("edgefront_origin_body_continuations_total", distribution="main",
                            origin="secondary")
    assert continued == errors(edge, "primary", "body")
    assert secondary.ranges_served == continued
    # Every object is whole in the cache: served as hits, byte for byte, no origin asked.
    asked = primary.request_count() + secondary.request_count()
    for p in paths:
        status, body, x_cache, complete = fetch(edge.port, p)
        assert (status, complete, x_cache) == (200, True, "Hit from edgefront") and body == expected
    assert primary.request_count() + secondary.request_count() == asked


def test_a_continuation_with_another_validator_aborts_and_caches_nothing(cluster):
    primary = cluster.origin(obj(reset_after_bytes=CUT), name="primary")
    secondary = cluster.origin(obj(etag='"v2"'), name="secondary")  # If-Range fails: a 200
    edge = group_edge(cluster, primary, secondary)
    status, body, _, complete = fetch(edge.port, "/changed")
    assert status == 200 and not complete and len(body) < SIZE
    assert errors(edge, "primary", "body") == 1
    assert edge.metric("edgefront_origin_body_continuations_total", distribution="main",
                       origin="secondary") == 0
    assert secondary.ranges_served == 0
    # Nothing truncated was kept: the next request is a miss that the origin answers again.
    wait_until(lambda: primary.request_count() == 1)
    fetch(edge.port, "/changed")
    assert primary.request_count() == 2


def test_a_single_origin_continues_itself_within_connection_attempts(cluster):
    def handler(req):  # the first answer breaks off; the continuation is served
        if req.header("Range") is None:
            return obj(reset_after_bytes=CUT, headers=[("Last-Modified",
                                                        "Tue, 14 Nov 2023 22:00:00 GMT")])
        return None

    origin = cluster.origin(obj(headers=[("Last-Modified", "Tue, 14 Nov 2023 22:00:00 GMT")]),
                            name="app", handler=handler)
    dist = distribution([http_origin("app", origin.port, connection_attempts=2)], "app")
    edge = cluster.edge(edge_config(dist))
    status, body, _, complete = fetch(edge.port, "/single")
    assert (status, complete) == (200, True) and body == pattern_bytes(0, SIZE)
    ranged = [r for r in origin.requests if r.header("Range")]
    assert len(ranged) == 1
    # From the first byte the edge did not get (a reset may drop bytes still in flight).
    offset = re.fullmatch(r"bytes=(\d+)-", ranged[0].header("Range"))
    assert offset and int(offset.group(1)) <= CUT
    assert ranged[0].header("If-Range") == '"v1"'  # the strong ETag wins over the date
    assert errors(edge, "app", "body") == 1


def test_a_body_cut_without_a_validator_counts_for_ejection(cluster):
    primary = cluster.origin(Behavior(body_size=SIZE, reset_after_bytes=CUT), name="primary")
    secondary = cluster.origin(Behavior(body=b"secondary"), name="secondary")
    edge = group_edge(cluster, primary, secondary, cache=False,
                      outlier={"consecutive_failures": 3})
    for i in range(3):  # cannot be continued: each viewer's connection is aborted
        status, body, _, complete = fetch(edge.port, f"/cut{i}")
        assert status == 200 and not complete
    assert errors(edge, "primary", "body") == 3
    assert edge.metric("edgefront_origin_ejections_total", distribution="main",
                       origin="primary") == 1
    r = http_get(edge.port, "/after")
    assert r.body == b"secondary"
    assert r.header("X-Edgefront-Attempts") == "primary=skipped-unhealthy, secondary=200"
