"""Response headers policies end to end: HSTS and the security set over HTTPS, custom and
removed headers, override against the origin's values, CORS (simple and preflight), the
policy on cached answers and on the edge's own generated ones, Server-Timing on demand, and
a managed policy named by its CloudFront id."""

from __future__ import annotations

import pytest

from fake_origin import Behavior
from harness import distribution, edge_config, http_origin, http_request
from test_viewer_tls import https_get, port_of, tls_listen, vc  # noqa: F401 (vc: fixture)
from tls_certs import openssl_available

SITE_POLICY = {
    "name": "site",
    "security_headers": {
        "strict_transport_security": {"max_age": 63072000, "include_subdomains": True,
                                      "preload": True, "override": True},
        "content_type_options": {"override": True},
        "frame_options": {"value": "DENY", "override": False},
    },
    "custom_headers": [{"name": "X-Served-By", "value": "edge", "override": True}],
    "remove_headers": ["X-Powered-By"],
    "cors": {"allow_origins": ["https://app.example.com", "https://*.example.org"],
             "allow_methods": ["GET", "POST"], "allow_headers": ["X-Custom"],
             "max_age": 600},
    "server_timing": {"enabled": True, "sampling_rate": 0},
}

ORIGIN_HEADERS = [("Cache-Control", "max-age=60"), ("X-Powered-By", "php"),
                  ("X-Served-By", "origin"), ("X-Frame-Options", "SAMEORIGIN"),
                  ("Server-Timing", "db;dur=7")]


def config(origin_port: int, policy_ref: str, cache: bool = True, listen=None, behaviors=None):
    dist = distribution([http_origin("app", origin_port)], "app", behaviors=behaviors,
                        cache_policy="CachingOptimized" if cache else None)
    dist["default_cache_behavior"]["response_headers_policy"] = policy_ref
    server = {"cache": {"memory": "16MiB"}} if cache else {}
    if listen:
        server["listen"] = listen
    cfg = edge_config(dist, **server)
    cfg["response_headers_policies"] = [SITE_POLICY]
    return cfg


def test_policy_applies_to_misses_and_hits(cluster):
    origin = cluster.origin(Behavior(body=b"page", headers=ORIGIN_HEADERS))
    edge = cluster.edge(config(origin.port, "site"))
    for expected_cache in ("Miss from edgefront", "Hit from edgefront"):
        r = http_request(edge.port, "GET", "/p")
        assert r.status == 200 and r.body == b"page"
        assert r.header("X-Cache") == expected_cache
        assert r.header("Strict-Transport-Security") == \
            "max-age=63072000; includeSubDomains; preload"
        assert r.header("X-Content-Type-Options") == "nosniff"
        assert r.header("X-Frame-Options") == "SAMEORIGIN"  # no override: the origin's stays
        assert r.header_all("X-Served-By") == ["edge"]  # override replaces the origin's
        assert r.header("X-Powered-By") is None
        assert r.header("Server-Timing") == "db;dur=7"  # 0% sampled, not asked for
    assert origin.request_count() == 1


def test_server_timing_on_request(cluster):
    origin = cluster.origin(Behavior(body=b"page", headers=ORIGIN_HEADERS))
    edge = cluster.edge(config(origin.port, "site"))
    miss = http_request(edge.port, "GET", "/t", headers={"Pragma": "server-timing"})
    assert miss.header("Server-Timing").startswith("db;dur=7,cdn-cache-miss,")
    hit = http_request(edge.port, "GET", "/t", headers={"Pragma": "server-timing"})
    timing = hit.header("Server-Timing")
    assert timing.startswith("cdn-cache-hit,") and "db;dur" not in timing
    assert "cdn-downstream-fbl;dur=" in timing


@pytest.mark.parametrize("origin_header,allowed", [
    ("https://app.example.com", "https://app.example.com"),
    ("https://cdn.example.org", "https://cdn.example.org"),
    ("https://evil.test", None),
])
def test_cors_simple_requests(cluster, origin_header, allowed):
    origin = cluster.origin(Behavior(body=b"api"))
    edge = cluster.edge(config(origin.port, "site", cache=False))
    r = http_request(edge.port, "GET", "/api", headers={"Origin": origin_header})
    assert r.status == 200
    assert r.header("Access-Control-Allow-Origin") == allowed
    if allowed:
        assert "Origin" in r.header("Vary")


def test_cors_preflight(cluster):
    origin = cluster.origin(Behavior(status=204, body=b""))
    edge = cluster.edge(config(origin.port, "site", cache=False))
    r = http_request(edge.port, "OPTIONS", "/api",
                     headers={"Origin": "https://app.example.com",
                              "Access-Control-Request-Method": "POST"})
    assert r.header("Access-Control-Allow-Origin") == "https://app.example.com"
    assert r.header("Access-Control-Allow-Methods") == "GET, POST"
    assert r.header("Access-Control-Allow-Headers") == "X-Custom"
    assert r.header("Access-Control-Max-Age") == "600"


def test_policy_applies_to_generated_answers(cluster):
    origin = cluster.origin(Behavior(body=b"x"))
    behaviors = [{"path_pattern": "/secure/*", "target_origin_id": "app",
                  "viewer_protocol_policy": "https-only", "response_headers_policy": "site"}]
    edge = cluster.edge(config(origin.port, "site", cache=False, behaviors=behaviors))
    r = http_request(edge.port, "GET", "/secure/x")
    assert r.status == 403
    assert r.header("X-Content-Type-Options") == "nosniff"
    assert r.header("X-Served-By") == "edge"


def test_managed_policy_by_id(cluster):
    origin = cluster.origin(Behavior(body=b"x", headers=[("Strict-Transport-Security", "max-age=1")]))
    edge = cluster.edge(config(origin.port, "67f7725c-6f97-4210-82d7-5512b31e9d03", cache=False))
    r = http_request(edge.port, "GET", "/")
    assert r.header("X-Content-Type-Options") == "nosniff"
    assert r.header("Strict-Transport-Security") == "max-age=1"  # origin's kept (no override)
    assert r.header("Referrer-Policy") == "strict-origin-when-cross-origin"


@pytest.mark.skipif(not openssl_available(), reason="no openssl CLI")
def test_hsts_over_https_with_redirect(cluster, vc):  # noqa: F811
    origin = cluster.origin(Behavior(body=b"secure page"))
    cfg = config(origin.port, "site", cache=False,
                 listen=["127.0.0.1:0", tls_listen(vc)])
    cfg["distributions"][0]["default_cache_behavior"]["viewer_protocol_policy"] = \
        "redirect-to-https"
    edge = cluster.edge(cfg, listen=None)
    http_port, https_port = port_of(edge, "http"), port_of(edge, "https")
    plain = http_request(http_port, "GET", "/page", headers={"Host": "www.example.com"})
    assert plain.status == 301
    assert plain.header("Location") == f"https://www.example.com:{https_port}/page"
    r = https_get(https_port, vc, "www.example.com", "/page", "--http2")
    assert r.exit_code == 0 and r.status == 200 and r.body == b"secure page", r.stderr
    assert r.header("Strict-Transport-Security") == "max-age=63072000; includeSubDomains; preload"
