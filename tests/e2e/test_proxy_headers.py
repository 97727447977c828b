"""What the origin receives (Host, X-Forwarded-For, Via, custom headers, origin path, query
string, hop-by-hop removal) and what the viewer receives (Via, Server)."""

from __future__ import annotations

import pytest

from fake_origin import Behavior, refusing_port
from harness import (RawConn, curl, distribution, edge_config, http_origin, http_request,
                     request_bytes)


@pytest.fixture
def setup(cluster):
    origin = cluster.origin(Behavior(body=b"hello"), name="app")
    cfg = edge_config(distribution(
        [http_origin("app", origin.port, origin_path="/prod",
                     custom_headers={"X-Origin-Secret": "s3cr3t", "X-Team": "edge"})],
        "app"))
    edge = cluster.edge(cfg)
    return edge, origin


def one_request(origin):
    reqs = origin.wait_for_requests(1, complete=True)
    assert len(reqs) == 1, [(r.method, r.target) for r in reqs]
    return reqs[0]


def test_origin_request_rewriting(setup):
    edge, origin = setup
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", "/path/to/page?a=1&b=two", host="viewer.example", headers=[
            ("X-Forwarded-For", "10.0.0.1"),
            ("Via", "1.1 upstream-proxy"),
            ("X-Origin-Secret", "viewer-supplied"),
            ("X-Custom-Keep", "kept"),
            ("Connection", "keep-alive, X-Hop-Listed"),
            ("X-Hop-Listed", "must-go"),
            ("Keep-Alive", "timeout=5"),
            ("TE", "trailers"),
            ("Upgrade-Insecure-Requests", "1"),
        ]))
        r = c.read_response()
    assert r.status == 200 and r.body == b"hello"
    req = one_request(origin)
    assert req.target == "/prod/path/to/page?a=1&b=two"
    assert req.header_all("Host") == ["127.0.0.1"]
    assert ", ".join(req.header_all("X-Forwarded-For")) == "10.0.0.1, 127.0.0.1"
    via = ", ".join(req.header_all("Via"))
    assert via == "1.1 upstream-proxy, 1.1 edgefront", via
    assert req.header_all("X-Origin-Secret") == ["s3cr3t"]
    assert req.header("X-Team") == "edge"
    assert req.header("X-Custom-Keep") == "kept"
    assert req.header("Upgrade-Insecure-Requests") == "1"
    for hop in ("X-Hop-Listed", "Keep-Alive", "TE"):
        assert not req.has_header(hop), f"{hop} forwarded to the origin: {req.headers}"
    for v in req.header_all("Connection"):
        assert "x-hop-listed" not in v.lower()
    assert req.version == "HTTP/1.1"


def test_xff_created_when_absent(setup):
    edge, origin = setup
    assert http_request(edge.port, "GET", "/x").status == 200
    req = one_request(origin)
    assert req.header_all("X-Forwarded-For") == ["127.0.0.1"]
    assert ", ".join(req.header_all("Via")) == "1.1 edgefront"


def test_multiple_xff_headers_combined(setup):
    edge, origin = setup
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", "/x", headers=[("X-Forwarded-For", "1.1.1.1"),
                                                   ("X-Forwarded-For", "2.2.2.2, 3.3.3.3")]))
        assert c.read_response().status == 200
    req = one_request(origin)
    xff = [p.strip() for v in req.header_all("X-Forwarded-For") for p in v.split(",")]
    assert xff == ["1.1.1.1", "2.2.2.2", "3.3.3.3", "127.0.0.1"]


def test_query_string_and_encoding_preserved(setup):
    edge, origin = setup
    target = "/dir%20name/file%2Fpart.txt?x=%2F&y=a+b&z=%E2%9C%93&empty=&flag"
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", target))
        assert c.read_response().status == 200
    assert one_request(origin).target == "/prod" + target


def test_root_without_default_root_object(setup):
    edge, origin = setup
    assert http_request(edge.port, "GET", "/").status == 200
    assert one_request(origin).target == "/prod/"


def test_request_body_and_method_forwarded(setup):
    edge, origin = setup
    r = http_request(edge.port, "PUT", "/items/1", body=b'{"a": 1}',
                     headers={"Content-Type": "application/json"})
    assert r.status == 200
    req = one_request(origin)
    assert req.method == "PUT" and req.body == b'{"a": 1}'
    assert req.header("Content-Type") == "application/json"


def test_expect_not_forwarded(setup):
    edge, origin = setup
    r = curl(f"{edge.url}/up", "-X", "POST", "-H", "Expect: 100-continue",
             "--data-binary", "x" * 2000)
    assert r.exit_code == 0 and r.status == 200, r.stderr
    req = one_request(origin)
    assert not req.has_header("Expect")
    assert req.body == b"x" * 2000


def test_response_headers(cluster):
    origin = cluster.origin(Behavior(body=b"resp", headers=[
        ("Via", "1.1 origin-cache"),
        ("X-Origin-Resp", "yes"),
        ("Cache-Control", "max-age=60"),
        ("Set-Cookie", "a=1; Path=/"),
        ("Set-Cookie", "b=2; Path=/"),
        ("Keep-Alive", "timeout=5, max=100"),
        ("Connection", "X-Resp-Hop"),
        ("X-Resp-Hop", "must-go"),
    ]))
    edge = cluster.edge(edge_config(distribution([http_origin("app", origin.port)], "app")))
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", "/r"))
        r = c.read_response()
    assert r.status == 200 and r.body == b"resp"
    via = r.joined("Via")
    assert via == "1.1 origin-cache, 1.1 edgefront", via
    assert r.header("X-Origin-Resp") == "yes"
    assert r.header("Cache-Control") == "max-age=60"
    assert r.header_all("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/"]
    assert r.header("Server") == "fake-origin"
    assert not r.has_header("Keep-Alive")
    assert not r.has_header("X-Resp-Hop")
    assert r.header("Date") is not None


def test_via_added_to_viewer_response(setup):
    edge, _ = setup
    r = curl(f"{edge.url}/v")
    assert r.exit_code == 0 and r.status == 200
    assert r.header("Via") == "1.1 edgefront"


def test_custom_via_name(cluster):
    origin = cluster.origin()
    edge = cluster.edge(edge_config(distribution([http_origin("app", origin.port)], "app"),
                                    via_name="pop-test-1"))
    r = http_request(edge.port, "GET", "/")
    assert r.header("Via") == "1.1 pop-test-1"
    assert ", ".join(one_request(origin).header_all("Via")) == "1.1 pop-test-1"


def test_served_by_headers_off(cluster):
    origin = cluster.origin()
    edge = cluster.edge(edge_config(distribution([http_origin("app", origin.port)], "app"),
                                    served_by=False))
    r = http_request(edge.port, "GET", "/")
    assert r.status == 200
    assert r.header("X-Edgefront-Origin") is None
    assert r.header("X-Edgefront-Attempts") is None


def test_served_by_headers_on(setup):
    edge, _ = setup
    r = http_request(edge.port, "GET", "/")
    assert r.header("X-Edgefront-Origin") == "app"
    assert r.header("X-Edgefront-Attempts") == "app=200"


def test_server_header_on_edge_errors(cluster):
    edge = cluster.edge(edge_config(distribution(
        [http_origin("app", refusing_port())], "app", methods=["GET", "HEAD"])))
    r = http_request(edge.port, "GET", "/")
    assert r.status == 502 and r.header("Server") == "edgefront"
    assert r.header("Via") is None or "edgefront" in r.header("Via")
    r = http_request(edge.port, "POST", "/", body=b"x")
    assert r.status == 403 and r.header("Server") == "edgefront"
    r = http_request(edge.port, "PROPFIND", "/")
    assert r.status == 405 and r.header("Server") == "edgefront"
    with RawConn(edge.port) as c:
        c.send(b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
        r = c.read_response()
    assert r.status == 400 and r.header("Server") == "edgefront"
    assert (r.header("Content-Type") or "").startswith("text/html")


def test_edge_error_response_is_well_formed(cluster):
    edge = cluster.edge(edge_config(distribution([http_origin("app", refusing_port())], "app")))
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", "/a") + request_bytes("GET", "/b"))
        r1 = c.read_response()
        r2 = c.read_response()
    assert r1.status == 502 and r2.status == 502
    assert r1.header("Content-Length") == str(len(r1.body))
    assert r1.header("Date") is not None
