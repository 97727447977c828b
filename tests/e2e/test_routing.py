"""Cache behaviors by path pattern, DefaultRootObject, method rules and custom error
responses."""

from __future__ import annotations

import pytest

from fake_origin import Behavior
from harness import RawConn, distribution, edge_config, http_origin, http_request, request_bytes


@pytest.fixture
def routed(cluster):
    """Origins a/b/c answer their own name; patterns in a deliberate order."""
    a = cluster.origin(Behavior(body=b"a"), name="a")
    b = cluster.origin(Behavior(body=b"b"), name="b")
    c = cluster.origin(Behavior(body=b"c"), name="c")
    behaviors = [
        {"path_pattern": "/api/*", "target_origin_id": "b"},
        # never reached for /api/v1/...: "/api/*" comes first
        {"path_pattern": "/api/v1/*", "target_origin_id": "a"},
        {"path_pattern": "*.jpg", "target_origin_id": "b"},
        {"path_pattern": "/img/??.png", "target_origin_id": "a"},
        {"path_pattern": "/Docs/*", "target_origin_id": "a"},
        {"path_pattern": "exact.txt", "target_origin_id": "a"},  # leading '/' optional
        {"path_pattern": "/ro/*", "target_origin_id": "a", "allowed_methods": ["GET", "HEAD"]},
        {"path_pattern": "/rwo/*", "target_origin_id": "a",
         "allowed_methods": ["GET", "HEAD", "OPTIONS"]},
    ]
    cfg = edge_config(distribution(
        [http_origin("a", a.port), http_origin("b", b.port), http_origin("c", c.port)],
        "c", behaviors=behaviors))
    edge = cluster.edge(cfg)
    return edge, a, b, c


@pytest.mark.parametrize("path,expected", [
    ("/api/users", "b"),
    ("/api/v1/users", "b"),          # first match in list order, not the most specific
    ("/api/", "b"),
    ("/api", "c"),                   # "/api/*" needs the slash
    ("/apix/1", "c"),
    ("/photo.jpg", "b"),
    ("/deep/dir/photo.jpg", "b"),    # '*' crosses '/'
    ("/photo.JPG", "c"),             # case-sensitive
    ("/photo.jpg.txt", "c"),
    ("/x.jpg?size=large", "b"),      # the query string is not matched
    ("/x?name=y.jpg", "c"),
    ("/img/ab.png", "a"),            # '?' is exactly one character
    ("/img/a.png", "c"),
    ("/img/abc.png", "c"),
    ("/Docs/readme", "a"),
    ("/docs/readme", "c"),           # case-sensitive
    ("/exact.txt", "a"),
    ("/dir/exact.txt", "c"),
    ("/", "c"),
    ("/anything/else", "c"),
])
def test_path_patterns(routed, path, expected):
    edge, *_ = routed
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", path))
        r = c.read_response()
    assert r.status == 200
    assert r.body.decode() == expected, f"{path} routed to {r.body!r}, expected {expected}"
    assert r.header("X-Edgefront-Origin") == expected


def test_origin_sees_full_path(routed):
    edge, a, b, c = routed
    assert http_request(edge.port, "GET", "/api/v1/users?x=1").body == b"b"
    assert b.requests[0].target == "/api/v1/users?x=1"


# ------------------------------------------------------------------------------ methods


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_method_not_allowed_is_403(routed, method):
    edge, a, *_ = routed
    r = http_request(edge.port, method, "/ro/item", body=b"x" if method != "OPTIONS" else None)
    assert r.status == 403
    assert r.header("Server") == "edgefront"
    assert a.request_count() == 0


def test_options_allowed_when_listed(routed):
    edge, a, *_ = routed
    assert http_request(edge.port, "OPTIONS", "/rwo/item").status == 200
    assert http_request(edge.port, "POST", "/rwo/item", body=b"x").status == 403
    assert [q.method for q in a.requests] == ["OPTIONS"]


def test_allowed_methods_reach_origin(routed):
    edge, _, _, c = routed
    for m in ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]:
        body = b"data" if m in ("PUT", "PATCH", "POST", "DELETE") else None
        r = http_request(edge.port, m, "/any", body=body)
        assert r.status == 200, (m, r)
    assert [q.method for q in c.requests] == ["GET", "HEAD", "OPTIONS", "PUT", "PATCH",
                                              "POST", "DELETE"]


@pytest.mark.parametrize("method", ["PROPFIND", "MKCOL", "PURGE", "LOCK"])
def test_unknown_method_is_405(routed, method):
    edge, a, b, c = routed
    with RawConn(edge.port) as conn:
        conn.send(request_bytes(method, "/anything"))
        r = conn.read_response()
    assert r.status == 405, r
    assert r.header("Server") == "edgefront"
    allow = {m.strip() for m in (r.header("Allow") or "").split(",")}
    assert {"GET", "HEAD"} <= allow, r.header("Allow")
    assert c.request_count() == 0


def test_unregistered_method_token_is_rejected(routed):
    """A method no HTTP spec defines: 405, or 400 from a strict parser; never forwarded."""
    edge, a, b, c = routed
    with RawConn(edge.port) as conn:
        conn.send(request_bytes("FROBNICATE", "/anything"))
        r = conn.read_response()
    assert r.status in (400, 405), r
    assert r.header("Server") == "edgefront"
    assert c.request_count() == 0


def test_get_with_body_is_403(routed):
    edge, _, _, c = routed
    with RawConn(edge.port) as conn:
        conn.send(request_bytes("GET", "/x", body=b"hello"))
        r = conn.read_response()
    assert r.status == 403
    assert r.header("Server") == "edgefront"
    assert c.request_count() == 0


def test_get_with_chunked_body_is_403(routed):
    edge, _, _, c = routed
    with RawConn(edge.port) as conn:
        conn.send(request_bytes("GET", "/x", headers=[("Transfer-Encoding", "chunked")]) +
                  b"5\r\nhello\r\n0\r\n\r\n")
        r = conn.read_response()
    assert r.status == 403
    assert c.request_count() == 0


def test_get_with_empty_body_is_fine(routed):
    edge, _, _, c = routed
    with RawConn(edge.port) as conn:
        conn.send(request_bytes("GET", "/x", headers=[("Content-Length", "0")]))
        assert conn.read_response().status == 200


# ------------------------------------------------------------------------------ DefaultRootObject


@pytest.fixture
def rooted(cluster):
    o = cluster.origin(Behavior(echo=True))
    cfg = edge_config(distribution([http_origin("app", o.port, origin_path="/prod")], "app",
                                   default_root_object="index.html"))
    return cluster.edge(cfg), o


def test_default_root_object(rooted):
    edge, o = rooted
    r = http_request(edge.port, "GET", "/")
    assert r.status == 200
    assert o.requests[-1].target == "/prod/index.html"


@pytest.mark.parametrize("path", ["/dir/", "/index.html", "/dir", "//"])
def test_default_root_object_only_for_root(rooted, path):
    edge, o = rooted
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", path))
        assert c.read_response().status == 200
    assert o.requests[-1].target == "/prod" + path


def test_default_root_object_head(rooted):
    edge, o = rooted
    with RawConn(edge.port) as c:
        c.send(request_bytes("HEAD", "/"))
        assert c.read_response(head_request=True).status == 200
    assert (o.requests[-1].method, o.requests[-1].target) == ("HEAD", "/prod/index.html")


# ------------------------------------------------------------------------------ custom errors


@pytest.fixture
def custom_errors(cluster):
    def app_handler(req):
        if req.path.startswith("/broken"):
            return Behavior(status=503, body=b"origin 503 body")
        if req.path.startswith("/missing"):
            return Behavior(status=404, body=b"origin 404 body")
        if req.path.startswith("/crash"):
            return Behavior(status=500, body=b"origin 500 body")
        return Behavior(body=b"app ok")

    app = cluster.origin(name="app", handler=app_handler)
    pages = cluster.origin(Behavior(echo=True, headers=[("Content-Type", "text/html")]),
                           name="pages")
    cfg = edge_config(distribution(
        [http_origin("app", app.port), http_origin("pages", pages.port)], "app",
        behaviors=[{"path_pattern": "/errors/*", "target_origin_id": "pages"}],
        custom_error_responses=[
            {"error_code": 503, "response_page_path": "/errors/503.html", "response_code": 200},
            {"error_code": 404, "response_page_path": "/errors/404.html", "response_code": 404},
        ]))
    return cluster.edge(cfg), app, pages


def test_custom_error_page_replaces_body_and_status(custom_errors):
    edge, app, pages = custom_errors
    r = http_request(edge.port, "GET", "/broken/thing")
    assert r.status == 200
    assert r.body == b"GET /errors/503.html"
    assert b"origin 503 body" not in r.body
    assert r.header("Content-Type") == "text/html"
    assert [q.path for q in pages.requests] == ["/errors/503.html"]


def test_custom_error_page_keeps_configured_code(custom_errors):
    edge, app, pages = custom_errors
    r = http_request(edge.port, "GET", "/missing/thing")
    assert r.status == 404
    assert r.body == b"GET /errors/404.html"


def test_unlisted_error_passes_through(custom_errors):
    edge, app, pages = custom_errors
    r = http_request(edge.port, "GET", "/crash")
    assert r.status == 500 and r.body == b"origin 500 body"
    assert pages.request_count() == 0


def test_custom_error_page_fetched_with_get(custom_errors):
    edge, app, pages = custom_errors
    r = http_request(edge.port, "POST", "/broken", body=b"data")
    assert r.status == 200
    assert [q.method for q in pages.requests] == ["GET"]


def test_success_untouched(custom_errors):
    edge, app, pages = custom_errors
    r = http_request(edge.port, "GET", "/fine")
    assert r.status == 200 and r.body == b"app ok"
    assert pages.request_count() == 0
