"""The edge cache end to end: hits and misses, Age and X-Cache / Cache-Status, revalidation,
stale-while-revalidate and stale-if-error (on a clock moved through the admin API, never by
sleeping), request collapsing, truncated bodies, ranges, HEAD and conditionals from the cache,
Vary, size limits, eviction and invalidations."""

from __future__ import annotations

import itertools
import json
import socket
import threading
import urllib.request

import pytest

from fake_origin import Behavior, pattern_bytes
from harness import (RawConn, curl, distribution, edge_config, http_origin, http_request,
                     request_bytes, wait_until)


def cached(max_age: int = 60, **kw) -> Behavior:
    headers = [("Cache-Control", f"max-age={max_age}")] + kw.pop("headers", [])
    return Behavior(headers=headers, **kw)


def start(cluster, behavior: Behavior, policy: str = "honour-origin", memory: str = "64MiB",
          handler=None, cache_extra=None, **dist_kw):
    origin = cluster.origin(behavior, handler=handler)
    cache = {"memory": memory}
    cache.update(cache_extra or {})
    cfg = edge_config(distribution([http_origin("app", origin.port)], "app", cache_policy=policy,
                                   **dist_kw),
                      cache=cache)
    edge = cluster.edge(cfg, env={"EDGEFRONT_TEST_CLOCK": "1"})
    return edge, origin


def admin(edge, method: str, path: str, body=None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    r = http_request(edge.admin_port, method, path, body=data,
                     headers={"Content-Type": "application/json"} if data else None)
    return r.status, (json.loads(r.body) if r.body else {})


def advance(edge, seconds: float) -> None:
    status, _ = admin(edge, "POST", f"/test/clock?advance={seconds}")
    assert status == 200


def get(edge, path: str, headers=None, method: str = "GET"):
    return http_request(edge.port, method, path, headers=headers)


# ------------------------------------------------------------------------------------------
# Hits, misses, headers


def test_miss_then_hit_with_age_and_cache_status(cluster):
    edge, origin = start(cluster, cached(60, body=b"hello cache"))
    first = get(edge, "/a")
    assert first.status == 200 and first.body == b"hello cache"
    assert first.header("X-Cache") == "Miss from edgefront"
    assert "fwd=miss" in first.header("Cache-Status") and "stored" in first.header("Cache-Status")
    second = get(edge, "/a")
    assert second.body == b"hello cache"
    assert second.header("X-Cache") == "Hit from edgefront"
    assert second.header("Cache-Status").startswith("edgefront; hit; ttl=")
    assert origin.request_count() == 1
    advance(edge, 7)
    third = get(edge, "/a")
    assert third.header("X-Cache") == "Hit from edgefront"
    assert int(third.header("Age")) >= 7
    assert origin.request_count() == 1


def test_query_strings_and_paths_are_separate_objects(cluster):
    edge, origin = start(cluster, cached(60, echo=True), policy="CachingOptimized")
    assert get(edge, "/p").body == b"GET /p"
    assert get(edge, "/q").body == b"GET /q"
    # CachingOptimized keeps query strings out of the key (and away from the origin).
    assert get(edge, "/p?x=1").header("X-Cache") == "Hit from edgefront"
    assert origin.request_count() == 2


@pytest.mark.parametrize("cc", ["no-store", "private", "no-cache, no-store"])
def test_origin_forbids_storing(cluster, cc):
    edge, origin = start(cluster, Behavior(headers=[("Cache-Control", cc)]))
    for _ in range(2):
        r = get(edge, "/x")
        assert r.status == 200 and r.header("X-Cache") == "Miss from edgefront"
    assert origin.request_count() == 2


def test_head_and_conditionals_answered_from_cache(cluster):
    edge, origin = start(cluster, cached(60, body=b"x" * 500, headers=[("ETag", '"v1"')]))
    assert get(edge, "/doc").status == 200
    head = get(edge, "/doc", method="HEAD")
    assert head.status == 200 and head.body == b"" and head.header("Content-Length") == "500"
    assert head.header("X-Cache") == "Hit from edgefront"
    nm = get(edge, "/doc", headers={"If-None-Match": '"v1"'})
    assert nm.status == 304 and nm.body == b"" and nm.header("ETag") == '"v1"'
    other = get(edge, "/doc", headers={"If-None-Match": '"v0"'})
    assert other.status == 200 and len(other.body) == 500
    assert origin.request_count() == 1


def test_head_miss_fills_the_cache_for_get(cluster):
    edge, origin = start(cluster, cached(60, body=b"filled by head"))
    head = get(edge, "/h", method="HEAD")
    assert head.status == 200 and head.body == b""
    assert origin.requests[0].method == "GET"
    r = get(edge, "/h")
    assert r.body == b"filled by head" and r.header("X-Cache") == "Hit from edgefront"
    assert origin.request_count() == 1


# ------------------------------------------------------------------------------------------
# Hits answered at once (src/proxy/hit_at_once.cc) must be the full pipeline's answers


def test_hits_beyond_what_the_socket_takes_are_finished_in_order(cluster):
    size = 60 * 1024  # one stored block, under the at-once limit
    edge, origin = start(cluster, cached(60, body_size=size))
    assert len(get(edge, "/big").body) == size  # stored
    # 128 pipelined hits (7.5 MiB) to a viewer that reads nothing until all are sent: more
    # than any send buffer (tcp_wmem allows 4 MiB), so some answers go out only in part at
    # once, the rest later, and each later answer must wait for the one before.
    count = 128
    with RawConn(edge.port, rcvbuf=4096, timeout=30) as c:
        c.send(request_bytes("GET", "/big") * count)
        for _ in range(count):
            r = c.read_response()
            assert r.status == 200 and r.header("X-Cache") == "Hit from edgefront"
            assert r.body == pattern_bytes(0, size)
    assert origin.request_count() == 1


def test_hits_answered_at_once_are_counted(cluster):
    edge, _ = start(cluster, cached(60, body=b"counted"))
    get(edge, "/c")
    for _ in range(3):
        assert get(edge, "/c").header("X-Cache") == "Hit from edgefront"
    edge.wait_metric("edgefront_cache_lookups_total", 3, result="hit")
    edge.wait_metric("edgefront_requests_total", 4, status="2xx")


def test_hits_over_http1_and_http2_carry_the_same_fields(cluster):
    """Both protocols answer fresh hits at once from the same serialized head; HTTP/2 turns
    its lines back into fields (tests/e2e/test_http2.py covers its flow control)."""
    edge, _ = start(cluster, cached(60, body=b"same answer",
                                    headers=[("ETag", '"e1"'), ("Content-Type", "text/plain")]))
    get(edge, "/same")
    url = f"http://127.0.0.1:{edge.port}/same"
    h1 = curl(url, "--http1.1")
    h2 = curl(url, "--http2-prior-knowledge")
    assert h1.status == h2.status == 200 and h1.body == h2.body == b"same answer"
    ignore = {"date", "connection", "keep-alive"}
    fields = lambda r: sorted((k.lower(), v) for k, v in r.headers if k.lower() not in ignore)
    assert fields(h1) == fields(h2)


# ------------------------------------------------------------------------------------------
# Revalidation and stale content


def test_expired_object_revalidates_with_etag_and_304_refreshes(cluster):
    def handler(req):
        if req.header("If-None-Match") == '"e1"':
            return Behavior(status=304, body=b"", headers=[("Cache-Control", "max-age=30"),
                                                           ("ETag", '"e1"')])
        return Behavior(body=b"version one", headers=[("Cache-Control", "max-age=10"),
                                                      ("ETag", '"e1"')])

    edge, origin = start(cluster, Behavior(), handler=handler)
    assert get(edge, "/r").body == b"version one"
    advance(edge, 11)
    r = get(edge, "/r")
    assert r.status == 200 and r.body == b"version one"
    assert r.header("X-Cache") == "RefreshHit from edgefront"
    assert origin.requests[1].header("If-None-Match") == '"e1"'
    # The 304's max-age=30 now governs.
    advance(edge, 20)
    assert get(edge, "/r").header("X-Cache") == "Hit from edgefront"
    assert origin.request_count() == 2


def test_stale_while_revalidate_serves_at_once_and_refreshes_once(cluster):
    n = {"v": 0}

    def handler(req):
        n["v"] += 1
        return Behavior(body=f"v{n['v']}".encode(),
                        headers=[("Cache-Control", "max-age=10, stale-while-revalidate=100")])

    edge, origin = start(cluster, Behavior(), handler=handler)
    assert get(edge, "/s").body == b"v1"
    advance(edge, 15)
    r = get(edge, "/s")
    assert r.body == b"v1" and r.header("X-Cache") == "Hit from edgefront"
    assert "stale-while-revalidate" in r.header("Cache-Status")
    origin.wait_for_requests(2)
    wait_until(lambda: get(edge, "/s").body == b"v2", desc="background refresh stored")
    assert origin.request_count() == 2


def test_stale_if_error_serves_the_stale_copy(cluster):
    edge, origin = start(cluster, Behavior(body=b"good", headers=[
        ("Cache-Control", "max-age=10, stale-if-error=600")]))
    assert get(edge, "/e").body == b"good"
    advance(edge, 20)
    origin.behavior = Behavior(status=503, body=b"down")
    r = get(edge, "/e")
    assert r.status == 200 and r.body == b"good"
    assert "fwd=stale" in r.header("Cache-Status") and "fwd-status=503" in r.header("Cache-Status")


def test_stale_if_error_also_when_the_origin_is_gone(cluster):
    edge, origin = start(cluster, Behavior(body=b"kept", headers=[
        ("Cache-Control", "max-age=10, stale-if-error=600")]))
    assert get(edge, "/g").body == b"kept"
    advance(edge, 20)
    origin.stop()
    r = get(edge, "/g")
    assert r.status == 200 and r.body == b"kept"


def test_must_revalidate_is_never_served_stale_on_error(cluster):
    edge, origin = start(cluster, Behavior(body=b"strict", headers=[
        ("Cache-Control", "max-age=10, must-revalidate")]))
    assert get(edge, "/m").body == b"strict"
    advance(edge, 20)
    origin.behavior = Behavior(status=503, body=b"down")
    assert get(edge, "/m").status == 503


def test_slow_origin_gets_the_stale_copy_after_the_deadline(cluster):
    edge, origin = start(cluster, Behavior(body=b"old", headers=[("Cache-Control", "max-age=10")]),
                         cache_extra={"serve_stale_after": "200ms"})
    assert get(edge, "/slow").body == b"old"
    advance(edge, 20)
    origin.behavior = Behavior(body=b"new", headers=[("Cache-Control", "max-age=10")], hang=True)
    r = get(edge, "/slow")
    assert r.status == 200 and r.body == b"old"
    assert "origin-slow" in r.header("Cache-Status")
    # The fetch went on in the background: once the origin answers, the new copy is stored.
    origin.release()
    wait_until(lambda: get(edge, "/slow").body == b"new", desc="background fetch stored")


# ------------------------------------------------------------------------------------------
# Collapsing, truncation


def parallel_gets(port: int, path: str, n: int) -> list:
    out: list = [None] * n

    def one(i):
        out[i] = http_request(port, "GET", path, timeout=20)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    return threads, out


def test_concurrent_misses_make_one_origin_fetch(cluster):
    edge, origin = start(cluster, cached(60, body_size=300_000, hang=True))
    threads, out = parallel_gets(edge.port, "/big", 12)
    origin.wait_for_requests(1)
    # Every viewer is now waiting on the one fetch; let it answer.
    wait_until(lambda: edge.metrics_text() is not None, desc="edge up")
    origin.release()
    for t in threads:
        t.join(30)
    assert all(r is not None and r.status == 200 for r in out), out
    assert all(r.body == pattern_bytes(0, 300_000) for r in out)
    assert origin.request_count() == 1


def test_waiters_stream_while_the_body_arrives(cluster):
    # The origin sends 100 KB and stalls: a waiter must see those bytes before the end.
    edge, origin = start(cluster, cached(60, body_size=400_000, stall_after_bytes=100_000))
    leader = socket.create_connection(("127.0.0.1", edge.port))
    leader.sendall(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
    origin.wait_for_requests(1)
    waiter = socket.create_connection(("127.0.0.1", edge.port))
    waiter.sendall(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
    waiter.settimeout(10)
    got = b""
    while b"\r\n\r\n" not in got or len(got.split(b"\r\n\r\n", 1)[1]) < 100_000:
        chunk = waiter.recv(65536)
        assert chunk, "waiter connection closed early"
        got += chunk
    head, body = got.split(b"\r\n\r\n", 1)
    assert b"Hit from edgefront" in head
    assert body[:100_000] == pattern_bytes(0, 100_000)
    origin.release()
    leader.close()
    waiter.close()
    assert origin.request_count() == 1


def test_truncated_origin_body_is_never_cached(cluster):
    edge, origin = start(cluster, cached(60, body_size=200_000, reset_after_bytes=50_000))
    with pytest.raises(Exception):
        r = http_request(edge.port, "GET", "/t")
        assert len(r.body) == 200_000  # must not happen: the viewer sees the abort
        raise AssertionError("unreachable")
    origin.behavior = cached(60, body_size=200_000)
    r = get(edge, "/t")
    assert r.status == 200 and r.body == pattern_bytes(0, 200_000)
    assert r.header("X-Cache") == "Miss from edgefront"
    assert origin.request_count() == 2


def test_origin_failure_releases_every_waiter(cluster):
    edge, origin = start(cluster, cached(60, hang=True))
    threads, out = parallel_gets(edge.port, "/f", 5)
    origin.wait_for_requests(1)
    origin.behavior = cached(60, close_without_response=True)
    origin.stop()  # the hung request dies with the origin
    for t in threads:
        t.join(30)
    assert all(r is not None and r.status >= 500 for r in out), out


# ------------------------------------------------------------------------------------------
# Ranges


def test_ranges_served_from_the_cached_object(cluster):
    edge, origin = start(cluster, cached(60, body_size=1 << 20))
    one = get(edge, "/v", headers={"Range": "bytes=100-199"})
    assert one.status == 206 and one.body == pattern_bytes(100, 100)
    assert one.header("Content-Range") == f"bytes 100-199/{1 << 20}"
    assert origin.requests[0].header("Range") is None  # the whole object was fetched once
    tail = get(edge, "/v", headers={"Range": "bytes=-10"})
    assert tail.status == 206 and tail.body == pattern_bytes((1 << 20) - 10, 10)
    multi = get(edge, "/v", headers={"Range": "bytes=0-9,1000-1009"})
    assert multi.status == 206
    assert multi.header("Content-Type").startswith("multipart/byteranges; boundary=")
    assert pattern_bytes(0, 10) in multi.body and pattern_bytes(1000, 10) in multi.body
    bad = get(edge, "/v", headers={"Range": f"bytes={2 << 20}-"})
    assert bad.status == 416 and bad.header("Content-Range") == f"bytes */{1 << 20}"
    assert origin.request_count() == 1


# ------------------------------------------------------------------------------------------
# Vary, sizes, eviction


def test_vary_keeps_one_variant_per_header_value(cluster):
    def handler(req):
        return Behavior(body=(req.header("X-Lang") or "none").encode(),
                        headers=[("Cache-Control", "max-age=60"), ("Vary", "X-Lang")])

    edge, origin = start(cluster, Behavior(), handler=handler, policy="honour-origin")
    assert get(edge, "/l", headers={"X-Lang": "fr"}).body == b"fr"
    assert get(edge, "/l", headers={"X-Lang": "de"}).body == b"de"
    fr = get(edge, "/l", headers={"X-Lang": "fr"})
    assert fr.body == b"fr" and fr.header("X-Cache") == "Hit from edgefront"
    assert origin.request_count() == 2


def test_vary_values_select_alike_without_list_whitespace_or_case(cluster):
    """RFC 9111 4.1 (cache-tests vary-normalise-space, -lang-case, -lang-space)."""
    def handler(req):
        return Behavior(body=b"v", headers=[("Cache-Control", "max-age=60"),
                                            ("Vary", "Foo, Accept-Language")])

    edge, origin = start(cluster, Behavior(), handler=handler)
    get(edge, "/v", headers={"Foo": "1,2", "Accept-Language": "en, de"})
    hit = get(edge, "/v", headers={"Foo": " 1, 2 ", "Accept-Language": " eN ,   De"})
    assert hit.header("X-Cache") == "Hit from edgefront"
    miss = get(edge, "/v", headers={"Foo": "1,2", "Accept-Language": "de, en"})
    assert miss.header("X-Cache") != "Hit from edgefront"
    assert origin.request_count() == 2


def test_expires_without_date_counts_from_receipt(cluster):
    """RFC 9111 4.2.1: no Date means the time the response was received (cache-tests
    freshness-expires-invalid-date)."""
    from email.utils import formatdate
    import time
    for date in (None, "foo"):
        headers = [("Expires", formatdate(time.time() + 600, usegmt=True))]
        if date:
            headers.append(("Date", date))
        edge, origin = start(cluster, Behavior(headers=headers))
        get(edge, "/e")
        assert get(edge, "/e").header("X-Cache") == "Hit from edgefront", date
        advance(edge, 1200)
        assert get(edge, "/e").header("X-Cache") != "Hit from edgefront", date
        assert origin.request_count() == 2
        edge.stop()


def test_public_gives_heuristic_freshness_to_any_status(cluster):
    """RFC 9111 5.2.2.9 (cache-tests heuristic-599-cached): 10% of a day since
    Last-Modified."""
    from email.utils import formatdate
    import time
    lm = formatdate(time.time() - 86400, usegmt=True)
    edge, origin = start(cluster, Behavior(status=299, reason="Unusual", headers=[
        ("Last-Modified", lm), ("Cache-Control", "public")]))
    assert get(edge, "/p").status == 299
    second = get(edge, "/p")
    assert second.status == 299 and second.header("X-Cache") == "Hit from edgefront"
    advance(edge, 9000)
    assert get(edge, "/p").header("X-Cache") != "Hit from edgefront"


def test_objects_too_large_stream_through_uncached(cluster):
    # 1 MiB of memory in 8 shards: objects over 64 KiB are not kept.
    edge, origin = start(cluster, cached(60, body_size=300_000), memory="1MiB")
    for _ in range(2):
        r = get(edge, "/huge")
        assert r.status == 200 and r.body == pattern_bytes(0, 300_000)
        assert "too-large" in r.header("Cache-Status")
    assert origin.request_count() == 2


def test_range_of_an_object_too_large_to_keep_is_asked_of_the_origin(cluster):
    size = 300_000

    def handler(req):
        rng = req.header("Range")
        if rng:
            first, last = (int(x) for x in rng.split("=")[1].split("-"))
            return Behavior(status=206, body=pattern_bytes(first, last - first + 1), headers=[
                ("Cache-Control", "max-age=60"), ("Content-Range", f"bytes {first}-{last}/{size}")])
        return Behavior(body_size=size, headers=[("Cache-Control", "max-age=60")])

    edge, origin = start(cluster, Behavior(), handler=handler, memory="1MiB")
    r = get(edge, "/huge", headers={"Range": "bytes=1000-1099"})
    assert r.status == 206 and r.body == pattern_bytes(1000, 100)
    assert r.header("Content-Range") == f"bytes 1000-1099/{size}"
    assert "detail=too-large-range" in r.header("Cache-Status")
    # The cache's whole-object GET was dropped unread; the range went to the origin as asked.
    assert [q.header("Range") for q in origin.requests] == [None, "bytes=1000-1099"]


def test_unknown_length_body_beyond_the_limit_is_served_whole(cluster):
    edge, origin = start(cluster, cached(60, body_size=500_000, chunked=True), memory="1MiB")
    for _ in range(2):
        r = get(edge, "/chunked")
        assert r.status == 200 and r.body == pattern_bytes(0, 500_000)
    assert origin.request_count() == 2


def test_memory_budget_is_respected(cluster):
    edge, origin = start(cluster, cached(60, body_size=20_000), memory="1MiB")
    for i in range(200):
        assert get(edge, f"/obj{i}").status == 200
    status, stats = admin(edge, "GET", "/cache")
    assert status == 200
    mem = stats["memory"]
    assert mem["bytes"] <= mem["capacity_bytes"]
    assert mem["evictions"] > 0 and 0 < mem["objects"] < 200


# ------------------------------------------------------------------------------------------
# CloudFront error caching and unsafe methods


def test_cloudfront_error_caching(cluster):
    edge, origin = start(cluster, Behavior(status=404, body=b"nope"), policy="CachingOptimized")
    first = get(edge, "/missing")
    assert first.status == 404 and first.header("X-Cache") == "Error from edgefront"
    r = get(edge, "/missing")
    assert r.status == 404 and r.header("X-Cache") == "Hit from edgefront"
    assert origin.request_count() == 1
    advance(edge, 11)  # ErrorCachingMinTTL defaults to 10 s
    assert get(edge, "/missing").status == 404
    assert origin.request_count() == 2


def test_unsafe_method_invalidates_the_uri(cluster):
    edge, origin = start(cluster, cached(60, echo=True))
    assert get(edge, "/item").header("X-Cache") == "Miss from edgefront"
    assert get(edge, "/item").header("X-Cache") == "Hit from edgefront"
    assert http_request(edge.port, "POST", "/item", body=b"x").status == 200
    assert get(edge, "/item").header("X-Cache") == "Miss from edgefront"


# ------------------------------------------------------------------------------------------
# Invalidations


def invalidate(edge, paths, ref=None, **extra):
    batch = {"Paths": {"Quantity": len(paths), "Items": paths}}
    if ref:
        batch["CallerReference"] = ref
    batch.update(extra)
    return admin(edge, "POST", "/invalidations", {"InvalidationBatch": batch})


def test_invalidation_by_path_and_wildcard(cluster):
    edge, origin = start(cluster, cached(60, echo=True))
    for p in ["/img/a.png", "/img/b.png", "/css/site.css"]:
        get(edge, p)
    status, body = invalidate(edge, ["/img/a.png"], ref="one")
    assert status == 201 and body["Invalidation"]["Status"] == "Completed"
    assert get(edge, "/img/a.png").header("X-Cache") == "Miss from edgefront"
    assert get(edge, "/img/b.png").header("X-Cache") == "Hit from edgefront"
    status, _ = invalidate(edge, ["/img/*"])
    assert status == 201
    assert get(edge, "/img/b.png").header("X-Cache") == "Miss from edgefront"
    assert get(edge, "/css/site.css").header("X-Cache") == "Hit from edgefront"
    inv_id = body["Invalidation"]["Id"]
    status, got = admin(edge, "GET", f"/invalidations/{inv_id}")
    assert status == 200 and got["Invalidation"]["InvalidationBatch"]["Paths"]["Items"] == [
        "/img/a.png"]


def test_invalidation_by_tag(cluster):
    def handler(req):
        tag = "product-1" if "p1" in req.target else "product-2"
        return Behavior(body=req.target.encode(), headers=[("Cache-Control", "max-age=60"),
                                                           ("Surrogate-Key", f"{tag} all")])

    edge, origin = start(cluster, Behavior(), handler=handler)
    get(edge, "/p1/a")
    get(edge, "/p2/a")
    status, _ = invalidate(edge, ["#Product-1"])
    assert status == 201
    assert get(edge, "/p1/a").header("X-Cache") == "Miss from edgefront"
    assert get(edge, "/p2/a").header("X-Cache") == "Hit from edgefront"
    status, _ = admin(edge, "POST", "/invalidations", {"Tags": ["all"]})
    assert status == 201
    assert get(edge, "/p2/a").header("X-Cache") == "Miss from edgefront"


def test_invalidation_by_tag_from_the_configured_cache_tag_header(cluster):
    # CloudFront's CacheTagConfig.HeaderName: tags split on commas, case-insensitive.
    def handler(req):
        tag = "Product:TV" if "tv" in req.target else "product:radio"
        return Behavior(body=req.target.encode(), headers=[
            ("Cache-Control", "max-age=60"), ("x-amz-meta-cache-tag", f" {tag} , shop")])

    edge, origin = start(cluster, Behavior(), handler=handler,
                         cache_tag_header="x-amz-meta-cache-tag")
    get(edge, "/tv/a")
    get(edge, "/radio/a")
    status, _ = invalidate(edge, ["#product:tv"])
    assert status == 201
    assert get(edge, "/tv/a").header("X-Cache") == "Miss from edgefront"
    assert get(edge, "/radio/a").header("X-Cache") == "Hit from edgefront"
    status, _ = invalidate(edge, ["#SHOP"])
    assert get(edge, "/radio/a").header("X-Cache") == "Miss from edgefront"


def test_invalidation_caller_reference_and_bad_paths(cluster):
    edge, origin = start(cluster, cached(60))
    s1, b1 = invalidate(edge, ["/a"], ref="same")
    s2, b2 = invalidate(edge, ["/a"], ref="same")
    assert s1 == 201 and s2 == 201 and b1["Invalidation"]["Id"] == b2["Invalidation"]["Id"]
    s3, b3 = invalidate(edge, ["/b"], ref="same")
    assert s3 == 409 and b3["Error"]["Code"] == "InvalidationBatchAlreadyExists"
    for bad in (["no-slash"], ["/a*b"], []):
        status, err = invalidate(edge, bad)
        assert status == 400, (bad, err)
    status, _ = admin(edge, "POST", "/invalidations", None)
    assert status == 400
    assert admin(edge, "GET", "/invalidations/nope")[0] == 404


def test_invalidation_needs_the_admin_token_and_reaches_every_worker(cluster):
    fetches = itertools.count(1)

    def handler(req):
        return Behavior(body=f"{req.target} v{next(fetches)}".encode(),
                        headers=[("Cache-Control", "max-age=60")])

    origin = cluster.origin(Behavior(), handler=handler)
    cfg = edge_config(distribution([http_origin("app", origin.port)], "app",
                                   cache_policy="honour-origin"),
                      cache={"memory": "64MiB"}, admin_token="s3cret")
    edge = cluster.edge(cfg)  # two workers
    paths = [f"/w{i}" for i in range(8)]
    old = {p: get(edge, p).body for p in paths}

    def post(body, token=None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return http_request(edge.admin_port, "POST", "/invalidations", headers=headers,
                            body=json.dumps(body).encode()).status

    batch = {"InvalidationBatch": {"Paths": {"Quantity": 1, "Items": ["/w*"]}}}
    assert post(batch) == 401 and post(batch, token="wrong") == 401
    assert get(edge, "/w0").header("X-Cache") == "Hit from edgefront"  # nothing purged
    assert post(batch, token="s3cret") == 201
    # A new connection per request: SO_REUSEPORT spreads them over both workers, and none
    # may meet a copy from before the invalidation.
    for i in range(40):
        p = paths[i % len(paths)]
        assert get(edge, p).body != old[p]
    assert origin.request_count() == 2 * len(paths)
    # The native prefix purge, next to CloudFront's trailing-* paths.
    assert post({"Prefixes": ["/w1"]}, token="s3cret") == 201
    assert get(edge, "/w1").header("X-Cache") == "Miss from edgefront"
    assert get(edge, "/w2").header("X-Cache") == "Hit from edgefront"


def test_stale_copy_served_when_every_member_of_a_group_fails(cluster):
    primary = cluster.origin(Behavior(body=b"cached", headers=[
        ("Cache-Control", "max-age=10, stale-if-error=600")]), name="primary")
    secondary = cluster.origin(Behavior(status=503, body=b"down"), name="secondary")
    group = {"id": "grp", "members": ["p", "s"], "failover_status_codes": [500, 502, 503, 504]}
    cfg = edge_config(distribution([http_origin("p", primary.port), http_origin("s", secondary.port)],
                                   "grp", groups=[group], cache_policy="honour-origin"),
                      cache={"memory": "64MiB"})
    edge = cluster.edge(cfg, env={"EDGEFRONT_TEST_CLOCK": "1"})
    assert get(edge, "/x").body == b"cached"
    advance(edge, 20)
    primary.behavior = Behavior(status=503, body=b"down")
    r = get(edge, "/x")
    assert r.status == 200 and r.body == b"cached"
    assert "fwd=stale" in r.header("Cache-Status")
    assert primary.request_count() == 2 and secondary.request_count() == 1
