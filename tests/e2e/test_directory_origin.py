"""Directory origins: content types, validators (ETag / Last-Modified / 304), and no way out
of the root (traversal, encoded traversal, NUL, symlinks)."""

from __future__ import annotations

import os

import pytest

from harness import RawConn, curl, dir_origin, distribution, edge_config, http_request, \
    request_bytes

SECRET = b"TOPSECRET-do-not-serve"
FILES = {
    "index.html": b"<!doctype html><title>home</title><p>home page</p>\n",
    "style.css": b"body { color: #333; }\n",
    "app.js": b"console.log('hi');\n",
    "data.json": b'{"a": 1}\n',
    "image.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    "notes.txt": b"plain notes\n",
    "sub/page.html": b"<p>sub page</p>\n",
    "space name.txt": b"spaced\n",
    "big.bin": bytes(range(256)) * 4096,  # 1 MiB
}


@pytest.fixture
def site(cluster, tmp_path):
    root = tmp_path / "root"
    for name, data in FILES.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(SECRET)
    (tmp_path / "secret.txt").write_bytes(SECRET)
    os.symlink(outside / "secret.txt", root / "escape.txt")          # absolute target
    os.symlink("../outside/secret.txt", root / "escape-rel.txt")      # relative target
    os.symlink(outside, root / "escdir")                              # directory
    os.symlink("/etc/passwd", root / "passwd")
    os.symlink("index.html", root / "inner-link.html")                # stays inside
    cfg = edge_config(distribution([dir_origin("bucket", root)], "bucket",
                                   methods=["GET", "HEAD"], default_root_object="index.html"))
    edge = cluster.edge(cfg)
    return edge, root


@pytest.mark.parametrize("name,ctype", [
    ("index.html", "text/html"),
    ("style.css", "text/css"),
    ("app.js", ("application/javascript", "text/javascript")),
    ("data.json", "application/json"),
    ("image.png", "image/png"),
    ("notes.txt", "text/plain"),
    ("sub/page.html", "text/html"),
])
def test_content_types_and_bodies(site, name, ctype):
    edge, _ = site
    r = http_request(edge.port, "GET", "/" + name)
    assert r.status == 200
    assert r.body == FILES[name]
    assert r.header("Content-Length") == str(len(FILES[name]))
    got = (r.header("Content-Type") or "").split(";")[0].strip()
    assert got in (ctype if isinstance(ctype, tuple) else (ctype,)), got
    assert r.header("X-Edgefront-Origin") == "bucket"


def test_large_file(site):
    edge, _ = site
    r = curl(f"{edge.url}/big.bin")
    assert r.exit_code == 0 and r.status == 200
    assert r.body == FILES["big.bin"]


def test_root_serves_default_root_object(site):
    edge, _ = site
    r = http_request(edge.port, "GET", "/")
    assert r.status == 200 and r.body == FILES["index.html"]


def test_subdirectory_slash_not_rewritten(site):
    edge, _ = site
    r = http_request(edge.port, "GET", "/sub/")
    assert r.status in (403, 404), r
    assert FILES["sub/page.html"] not in r.body


def test_percent_encoded_name(site):
    edge, _ = site
    r = http_request(edge.port, "GET", "/space%20name.txt")
    assert r.status == 200 and r.body == FILES["space name.txt"]


def test_missing_file_404(site):
    edge, _ = site
    r = http_request(edge.port, "GET", "/nope.html")
    assert r.status == 404


def test_query_string_ignored_for_files(site):
    edge, _ = site
    r = http_request(edge.port, "GET", "/notes.txt?v=123")
    assert r.status == 200 and r.body == FILES["notes.txt"]


def test_head(site):
    edge, _ = site
    with RawConn(edge.port) as c:
        c.send(request_bytes("HEAD", "/style.css") + request_bytes("GET", "/notes.txt"))
        h = c.read_response(head_request=True)
        g = c.read_response()
    assert h.status == 200 and h.body == b""
    assert h.header("Content-Length") == str(len(FILES["style.css"]))
    assert g.body == FILES["notes.txt"]


def test_etag_and_last_modified(site):
    edge, root = site
    r = http_request(edge.port, "GET", "/notes.txt")
    etag = r.header("ETag")
    lm = r.header("Last-Modified")
    assert etag and etag.startswith('"') and etag.endswith('"'), etag
    assert lm and lm.endswith("GMT"), lm
    # stable
    assert http_request(edge.port, "GET", "/notes.txt").header("ETag") == etag

    r = http_request(edge.port, "GET", "/notes.txt", headers={"If-None-Match": etag})
    assert r.status == 304 and r.body == b""
    assert r.header("ETag") == etag

    r = http_request(edge.port, "GET", "/notes.txt", headers={"If-None-Match": f'"x", {etag}'})
    assert r.status == 304

    r = http_request(edge.port, "GET", "/notes.txt", headers={"If-None-Match": '"other"'})
    assert r.status == 200 and r.body == FILES["notes.txt"]

    r = http_request(edge.port, "GET", "/notes.txt", headers={"If-Modified-Since": lm})
    assert r.status == 304 and r.body == b""

    r = http_request(edge.port, "GET", "/notes.txt",
                     headers={"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"})
    assert r.status == 200


def test_etag_changes_with_content(site):
    edge, root = site
    etag1 = http_request(edge.port, "GET", "/notes.txt").header("ETag")
    (root / "notes.txt").write_bytes(b"new content, new size\n")
    os.utime(root / "notes.txt", (1_000_000_000, 1_000_000_000))
    r = http_request(edge.port, "GET", "/notes.txt")
    assert r.body == b"new content, new size\n"
    assert r.header("ETag") != etag1
    r = http_request(edge.port, "GET", "/notes.txt", headers={"If-None-Match": etag1})
    assert r.status == 200


def test_symlink_inside_root_works(site):
    edge, _ = site
    r = http_request(edge.port, "GET", "/inner-link.html")
    assert r.status == 200 and r.body == FILES["index.html"]


TRAVERSALS = [
    "/../etc/passwd",
    "/../../../../../../../../../../../../etc/passwd",
    "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/%2E%2E/%2E%2E/%2E%2E/%2E%2E/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
    "/..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2Fetc/passwd",
    "/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/..%5c..%5c..%5c..%5c..%5c..%5c..%5cetc%5cpasswd",
    "/%252e%252e/%252e%252e/%252e%252e/etc/passwd",
    "/sub/../../secret.txt",
    "/sub/..%2f..%2fsecret.txt",
    "/../secret.txt",
    "/%2e%2e/secret.txt",
    "/.%2e/secret.txt",
    "/%2e./secret.txt",
    "/../outside/secret.txt",
    "//etc/passwd",
    "/%2fetc%2fpasswd",
    "/%2Fetc/passwd",
    "/index.html%00.txt",
    "/notes.txt%00",
    "/%00",
    "/escape.txt",
    "/escape-rel.txt",
    "/escdir/secret.txt",
    "/passwd",
    "/sub/%2e%2e/%2e%2e/secret.txt",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_no_escape_from_root(site, target):
    edge, _ = site
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", target))
        r = c.read_response()
    assert r.status in (400, 403, 404), (target, r)
    assert SECRET not in r.body
    assert b"root:" not in r.body
    assert FILES["index.html"] not in r.body


def test_backslash_traversal_raw(site):
    edge, _ = site
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", "/..\\..\\..\\..\\etc\\passwd"))
        r = c.read_response()
    assert r.status in (400, 403, 404)
    assert b"root:" not in r.body


def test_write_methods_refused(site):
    edge, root = site
    r = http_request(edge.port, "PUT", "/new.txt", body=b"x")
    assert r.status == 403
    assert not (root / "new.txt").exists()


def test_directory_origin_allows_get_head_only(cluster, tmp_path):
    """With all methods allowed on the behavior, a directory origin still never writes."""
    root = tmp_path / "r"
    root.mkdir()
    (root / "f.txt").write_bytes(b"f")
    edge = cluster.edge(edge_config(distribution([dir_origin("bucket", root)], "bucket")))
    for method in ("PUT", "POST", "DELETE", "PATCH"):
        r = http_request(edge.port, method, "/f.txt", body=b"changed")
        assert r.status >= 400, (method, r)
    assert (root / "f.txt").read_bytes() == b"f"
    assert sorted(os.listdir(root)) == ["f.txt"]
