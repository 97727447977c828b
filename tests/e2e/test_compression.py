"""Compression at the edge, as CloudFront does it (cloudfront-spec.md 3.10), end to end: gzip,
brotli and zstd chosen by Accept-Encoding and decoded by real clients to the origin's exact
bytes; compressed once per object (the origin is asked once, later viewers get the stored
compressed variant); identity viewers, HTTP/1.0, small bodies, other types and bodies the
origin encoded itself pass as they are; the ETag turns weak and stays weak across a 304;
HTTP/2 viewers too."""

from __future__ import annotations

import gzip
import brotli
import pytest
import zstandard

from fake_origin import Behavior
from harness import (RawConn, curl, distribution, edge_config, http_origin, http_request,
                     request_bytes)

TEXT = ("<p>edgefront compresses text once per object and serves it from the cache</p>\n"
        * 400).encode()  # ~32 KB of HTML


def page(body: bytes = TEXT, content_type: str = "text/html; charset=utf-8", extra=None):
    headers = [("Content-Type", content_type), ("Cache-Control", "max-age=60"),
               ("ETag", '"v1"')] + (extra or [])
    return Behavior(body=body, headers=headers)


def start(cluster, behavior=None, handler=None, zstd=False, env=None):
    origin = cluster.origin(behavior or page(), handler=handler)
    policy = "CachingOptimized"
    cfg = edge_config(distribution([http_origin("app", origin.port)], "app"),
                      cache={"memory": "64MiB"})
    cfg["distributions"][0]["default_cache_behavior"].update(
        {"cache_policy": "text-zstd" if zstd else policy, "compress": True})
    if zstd:
        cfg["cache_policies"] = [{"name": "text-zstd", "min_ttl": "1s", "default_ttl": "24h",
                                  "accept_encoding_gzip": True, "accept_encoding_brotli": True,
                                  "accept_encoding_zstd": True}]
    edge = cluster.edge(cfg, env=env)
    return edge, origin


def get(edge, path="/p", accept_encoding=None, **kw):
    headers = {"Accept-Encoding": accept_encoding} if accept_encoding is not None else {}
    headers.update(kw.pop("headers", {}))
    return http_request(edge.port, "GET", path, headers=headers, **kw)


DECODERS = {
    "gzip": gzip.decompress,
    "br": brotli.decompress,
    "zstd": lambda b: zstandard.ZstdDecompressor().decompressobj().decompress(b),
}


@pytest.mark.parametrize("accept,coding", [
    ("gzip, deflate, br", "br"),  # both: brotli, as CloudFront
    ("gzip", "gzip"),
    ("br;q=1, gzip;q=0", "br"),
])
def test_compressed_once_and_served_from_the_cache(cluster, accept, coding):
    edge, origin = start(cluster)
    first = get(edge, accept_encoding=accept)
    assert first.status == 200 and first.header("X-Cache") == "Miss from edgefront"
    assert first.header("Content-Encoding") == coding
    assert DECODERS[coding](first.body) == TEXT
    assert len(first.body) < len(TEXT) / 5
    assert first.header("ETag") == 'W/"v1"'
    assert "Accept-Encoding" in first.header("Vary")
    for _ in range(2):
        hit = get(edge, accept_encoding=accept)
        assert hit.header("X-Cache") == "Hit from edgefront"
        assert hit.header("Content-Encoding") == coding and hit.body == first.body
        assert hit.header("Content-Length") == str(len(first.body))
    # One origin fetch, carrying the normalised Accept-Encoding of the key.
    assert origin.request_count() == 1
    assert origin.requests[0].header("Accept-Encoding") in ("br,gzip", "gzip", "br")


def test_zstd_when_the_policy_asks_for_it(cluster):
    edge, origin = start(cluster, zstd=True)
    r = get(edge, accept_encoding="zstd, gzip")
    assert r.header("Content-Encoding") == "zstd" and DECODERS["zstd"](r.body) == TEXT
    assert origin.requests[0].header("Accept-Encoding") == "gzip,zstd"
    both = get(edge, accept_encoding="zstd, br, gzip")
    assert both.header("Content-Encoding") == "br"


def test_each_normalised_accept_encoding_is_its_own_variant(cluster):
    edge, origin = start(cluster)
    assert get(edge, accept_encoding="gzip").header("Content-Encoding") == "gzip"
    plain = get(edge, accept_encoding="identity")
    assert plain.header("Content-Encoding") is None and plain.body == TEXT
    assert plain.header("ETag") == '"v1"'  # the identity variant keeps the strong ETag
    assert get(edge).body == TEXT  # no Accept-Encoding at all: the same identity variant
    assert get(edge, accept_encoding="gzip").header("X-Cache") == "Hit from edgefront"
    assert origin.request_count() == 2
    assert [q.header("Accept-Encoding") for q in origin.requests] == ["gzip", "identity"]


@pytest.mark.parametrize("name,behavior", [
    ("small", page(body=b"x" * 999)),
    ("image", page(content_type="image/jpeg")),
    ("encoded by the origin", page(body=gzip.compress(TEXT), extra=[("Content-Encoding", "gzip")])),
    ("identity from the origin", page(extra=[("Content-Encoding", "identity")])),
    ("a 500", Behavior(status=500, body=TEXT, headers=[("Content-Type", "text/html")])),
])
def test_passed_as_the_origin_sent_it(cluster, name, behavior):
    edge, origin = start(cluster, behavior)
    r = get(edge, accept_encoding="gzip, br")
    assert r.status == behavior.status
    if name.startswith("encoded"):
        assert r.header("Content-Encoding") == "gzip" and gzip.decompress(r.body) == TEXT
    elif name.startswith("identity"):
        assert r.header("Content-Encoding") == "identity" and r.body == TEXT
    else:
        assert r.header("Content-Encoding") is None
        assert r.body == behavior.body


def test_http10_viewer_gets_identity(cluster):
    edge, origin = start(cluster)
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", "/p", headers=[("Accept-Encoding", "gzip, br")],
                             version="HTTP/1.0"))
        r = c.read_response()
    assert r.status == 200 and r.header("Content-Encoding") is None and r.body == TEXT


def test_curl_decodes_over_http1_and_http2(cluster):
    edge, origin = start(cluster)
    for version in ("--http1.1", "--http2-prior-knowledge"):
        r = curl(f"http://127.0.0.1:{edge.port}/p", version, "--compressed")
        assert r.exit_code == 0 and r.status == 200, r.stderr
        assert r.header("content-encoding") == "br" and r.body == TEXT
    assert origin.request_count() == 1


def test_revalidated_compressed_variant_keeps_its_weak_etag(cluster):
    def handler(req):
        if req.header("If-None-Match"):
            return Behavior(status=304, body=b"", headers=[("ETag", '"v1"'),
                                                          ("Cache-Control", "max-age=60")])
        return page()

    edge, origin = start(cluster, handler=handler, env={"EDGEFRONT_TEST_CLOCK": "1"})
    first = get(edge, accept_encoding="gzip")
    assert first.header("ETag") == 'W/"v1"'
    r = http_request(edge.admin_port, "POST", "/test/clock?advance=120")
    assert r.status == 200
    again = get(edge, accept_encoding="gzip")
    assert again.header("X-Cache") == "RefreshHit from edgefront"
    assert origin.requests[1].header("If-None-Match") == 'W/"v1"'
    assert again.header("ETag") == 'W/"v1"' and again.header("Content-Encoding") == "gzip"
    assert gzip.decompress(again.body) == TEXT
    # A viewer revalidating with the weak tag gets a 304 from the cache.
    nm = get(edge, accept_encoding="gzip", headers={"If-None-Match": 'W/"v1"'})
    assert nm.status == 304


def test_range_of_a_compressed_variant_is_cut_from_the_compressed_bytes(cluster):
    edge, origin = start(cluster)
    whole = get(edge, accept_encoding="gzip")
    part = get(edge, accept_encoding="gzip", headers={"Range": "bytes=10-19"})
    assert part.status == 206 and part.body == whole.body[10:20]
    assert part.header("Content-Range") == f"bytes 10-19/{len(whole.body)}"
