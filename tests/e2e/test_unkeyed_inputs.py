"""Unkeyed inputs (issue 13 item 7): on a behavior that caches, the headers an origin uses to
build its URLs or pick its method (X-Forwarded-Host, X-Original-URL, Forwarded, ...) do not
reach it unless a policy names them, so a viewer cannot poison a cached object with them;
`validate` and `serve` warn when a policy forwards a header the cache key does not hold; a Host
that names no distribution is refused (403, or 421 on a TLS connection opened for another
name) instead of being served by the first distribution."""

from __future__ import annotations

import socket
import ssl
import subprocess

import pytest

from fake_origin import Behavior
from harness import (RawConn, distribution, edge_config, http_origin, parse_response,
                     request_bytes, write_config)
from tls_certs import make_test_certs, make_viewer_certs, openssl_available

POISON = [
    ("X-Forwarded-Host", "evil.example"),
    ("X-Host", "evil.example"),
    ("Forwarded", "host=evil.example;proto=http"),
    ("X-Forwarded-Scheme", "http"),
    ("X-Original-URL", "/admin"),
    ("X-Rewrite-URL", "/admin"),
    ("X-HTTP-Method", "DELETE"),
]


def vulnerable_app(req):
    """An origin that trusts what proxies usually set: links built from X-Forwarded-Host, the
    page chosen by X-Original-URL, cached for ten minutes."""
    host = req.header("X-Forwarded-Host") or "www.example.com"
    page = req.header("X-Original-URL") or req.target
    body = f'<script src="https://{host}/app.js"></script> page={page}'.encode()
    return Behavior(body=body, headers=[("Cache-Control", "max-age=600")])


def start(cluster, cache_policy: str, orp: dict | None = None):
    origin = cluster.origin(Behavior(), handler=vulnerable_app, name="app")
    dist = distribution([http_origin("app", origin.port)], "app", cache_policy=cache_policy)
    cfg = edge_config(dist, cache={"memory": "16MiB"})
    if orp is not None:
        cfg["origin_request_policies"] = [orp]
        dist["default_cache_behavior"]["origin_request_policy"] = orp["name"]
    return cluster.edge(cfg), origin


def get(edge, path: str, headers=None, host: str = "www.example.com"):
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", path, host=host, headers=headers))
        return c.read_response()


CLEAN = b'<script src="https://www.example.com/app.js"></script> page=/page'


def test_poisoning_headers_do_not_reach_origin_nor_the_cached_object(cluster):
    edge, origin = start(cluster, "CachingOptimized")
    attack = get(edge, "/page", headers=POISON + [("X-Custom", "kept")])
    assert attack.status == 200
    assert attack.header("X-Cache") == "Miss from edgefront"
    assert attack.body == CLEAN, attack.body
    reqs = origin.wait_for_requests(1, complete=True)
    assert len(reqs) == 1
    for name, _ in POISON:
        assert not reqs[0].has_header(name), f"{name} reached the origin: {reqs[0].headers}"
    assert reqs[0].header("X-Custom") == "kept"  # other custom headers go, as in CloudFront
    assert reqs[0].method == "GET"
    # The next viewer gets the stored object: the clean one.
    victim = get(edge, "/page")
    assert victim.header("X-Cache") == "Hit from edgefront"
    assert victim.body == CLEAN, victim.body


def test_not_caching_behavior_forwards_them_as_cloudfront(cluster):
    edge, origin = start(cluster, "CachingDisabled")
    r = get(edge, "/page", headers=[("X-Forwarded-Host", "proxy.example")])
    assert r.status == 200
    assert b"https://proxy.example/app.js" in r.body
    assert origin.wait_for_requests(1)[0].header("X-Forwarded-Host") == "proxy.example"


def test_listed_header_is_forwarded_and_warned(cluster):
    orp = {"name": "fwd-host", "headers": {"whitelist": ["X-Forwarded-Host"]}}
    edge, origin = start(cluster, "CachingOptimized", orp=orp)
    r = get(edge, "/page", headers=[("X-Forwarded-Host", "proxy.example")])
    assert b"https://proxy.example/app.js" in r.body
    assert origin.wait_for_requests(1)[0].header("X-Forwarded-Host") == "proxy.example"
    # serve's load log names the field.
    assert ("distributions[0].default_cache_behavior.origin_request_policy: sends "
            "X-Forwarded-Host to the origin on a behavior that caches") in edge.stderr_text()


def test_validate_warns_with_field_path(edge_bin, tmp_path):
    dist = distribution([http_origin("app", 8080)], "app", cache_policy="CachingOptimized")
    dist["default_cache_behavior"]["origin_request_policy"] = "AllViewerExceptHostHeader"
    dist["cache_behaviors"] = [{"path_pattern": "/api/*", "target_origin_id": "app",
                                "cache_policy": "CachingDisabled",
                                "origin_request_policy": "AllViewer"}]
    path = write_config(tmp_path / "edge.yaml", edge_config(dist))
    r = subprocess.run([str(edge_bin), "validate", str(path)], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"
    warnings = [line for line in r.stderr.splitlines() if "outside the cache key" in line]
    assert warnings == [
        "warning: distributions[0].default_cache_behavior.origin_request_policy: sends every "
        "viewer header (X-Forwarded-Host included) to the origin on a behavior that caches, "
        "outside the cache key (the cache key holds no header); one viewer's value then decides "
        "the object every viewer gets (cache poisoning): key on what the origin reads, or "
        "forward less"], r.stderr  # the CachingDisabled behavior stores nothing: no warning


# ------------------------------------------------------------------------------------------
# Host that names no distribution


def two_distributions(cluster, catch_all: bool = False) -> tuple:
    a = cluster.origin(Behavior(body=b"a"), name="a")
    b = cluster.origin(Behavior(body=b"b"), name="b")
    cfg = edge_config(distribution([http_origin("a", a.port)], "a", dist_id="a",
                                   aliases=["www.example.com"]))
    cfg["distributions"].append(distribution([http_origin("b", b.port)], "b", dist_id="b",
                                             aliases=["*.example.net"]))
    if catch_all:
        c = cluster.origin(Behavior(body=b"c"), name="c")
        cfg["distributions"].append(distribution([http_origin("c", c.port)], "c", dist_id="c"))
    return cfg, a, b


def test_unknown_host_is_refused_not_served_by_first_distribution(cluster):
    cfg, a, b = two_distributions(cluster)
    edge = cluster.edge(cfg)
    assert get(edge, "/x", host="www.example.com").body == b"a"
    assert get(edge, "/x", host="img.example.net:8080").body == b"b"
    for host in ("evil.example", "127.0.0.1", "example.net"):
        r = get(edge, "/x", host=host)
        assert r.status == 403, (host, r.status)
        assert b"Bad request" in r.body
    r = get(edge, "/x", host=None)  # HTTP/1.1 without Host: no alias can match
    assert r.status in (400, 403)
    assert len(a.requests) == 1 and len(b.requests) == 1


def test_distribution_without_aliases_catches_unknown_hosts(cluster):
    cfg, _, _ = two_distributions(cluster, catch_all=True)
    edge = cluster.edge(cfg)
    assert get(edge, "/x", host="evil.example").body == b"c"
    assert get(edge, "/x", host="www.example.com").body == b"a"


@pytest.mark.skipif(not openssl_available(), reason="no openssl CLI")
def test_tls_host_other_than_sni_is_421(cluster, tmp_path):
    vc = make_viewer_certs(make_test_certs(tmp_path / "certs"))
    cfg, _, _ = two_distributions(cluster)
    cfg["server"]["listen"] = [{"address": "127.0.0.1:0", "tls": {"certificates": [
        {"cert": str(vc.exact.cert), "key": str(vc.exact.key)}]}}]
    edge = cluster.edge(cfg, listen=None)
    ctx = ssl.create_default_context(cafile=str(vc.ca.cert))

    def status(host):
        with socket.create_connection(("127.0.0.1", edge.port), timeout=5) as raw:
            with ctx.wrap_socket(raw, server_hostname="www.example.com") as s:
                s.sendall(request_bytes("GET", "/x", host=host))
                data = b""
                while True:
                    chunk = s.recv(65536)
                    data += chunk
                    parsed = parse_response(data, eof=not chunk)
                    if parsed is not None:
                        return parsed[0].status
                    assert chunk, data

    assert status("www.example.com") == 200
    assert status("img.example.net") == 200  # another distribution of this edge: served
    assert status("evil.example") == 421     # fronted to a name no distribution has
