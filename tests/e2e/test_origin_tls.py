"""HTTPS to origins: certificate verification against the test CA (SSL_CERT_FILE), SNI,
keep-alive reuse of TLS connections, verification failures (502 / failover / metrics / log),
match-viewer, and the CloudFront seed with its https-only origins.

Certificates come from tls_certs (openssl CLI, once per session). TLS fake origins are
FakeOrigin(tls=...) registered with the cluster so its finalizer stops them."""

from __future__ import annotations

import copy
import json
import re
import socket
import ssl
import subprocess
import time
import urllib.request
import warnings

import pytest

import harness
from fake_origin import Behavior, FakeOrigin, pattern_bytes, refusing_port, server_tls_context
from harness import (RawConn, distribution, edge_config, http_origin, http_request,
                     request_bytes, wait_until, write_config)
from tls_certs import make_test_certs, openssl_available

ERRORS = "edgefront_origin_errors_total"
FAILOVERS = "edgefront_origin_failovers_total"
ORIGIN_REQUESTS = "edgefront_origin_requests_total"
CODES = [500, 502, 503, 504]


@pytest.fixture(scope="session")
def certs(tmp_path_factory):
    if not openssl_available():
        pytest.skip("no openssl CLI")
    return make_test_certs(tmp_path_factory.mktemp("tls-certs"))


def tls_origin(cluster, pair, behavior: Behavior | None = None, name: str | None = None,
               **kw) -> FakeOrigin:
    """A TLS fake origin owned by the cluster (stopped by its finalizer)."""
    o = FakeOrigin(behavior, name=name or f"origin{len(cluster.origins)}", tls=tuple(pair), **kw)
    cluster.origins.append(o)
    return o.start()


def https_origin(origin_id: str, https_port: int, domain: str = "127.0.0.1",
                 **overrides) -> dict:
    """A native https-only origin. Its http_port refuses connections, so a request that
    wrongly went over plain HTTP could not succeed."""
    o = http_origin(origin_id, refusing_port(), domain_name=domain, https_port=https_port,
                    protocol_policy="https-only")
    o.update(overrides)
    return o


def single_config(origin: dict, **server) -> dict:
    return edge_config(distribution([origin], origin["id"]), **server)


def group_config(primary: dict, secondary: dict, codes=CODES) -> dict:
    groups = [{"id": "grp", "members": [primary["id"], secondary["id"]],
               "failover_status_codes": list(codes)}]
    return edge_config(distribution([primary, secondary], "grp", groups=groups))


def wait_stderr(edge, needle: str, timeout: float = 5.0) -> str:
    return wait_until(lambda: needle in edge.stderr_text() and edge.stderr_text(),
                      timeout=timeout, desc=f"edge stderr containing {needle!r}")


def client_context(certs) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certs.ca.cert))


def tls_conn(port: int, ctx: ssl.SSLContext, server_hostname: str | None = "localhost",
             timeout: float = 5.0) -> RawConn:
    """A RawConn whose socket is a TLS client socket (response parsing unchanged)."""
    c = RawConn(port, timeout=timeout)
    c.sock = ctx.wrap_socket(c.sock, server_hostname=server_hostname)
    return c


# ------------------------------------------------------------------------------------------
# The fake origin over TLS (no edgefront needed)


@pytest.fixture
def tls_origins(certs):
    started: list = []

    def make(behavior: Behavior | None = None, pair=None, **kw) -> FakeOrigin:
        o = FakeOrigin(behavior, name=f"tls{len(started)}", tls=tuple(pair or certs.server),
                       **kw)
        started.append(o)
        return o.start()

    try:
        yield make
    finally:
        for o in started:
            o.stop()
        for o in started:
            assert not o.errors, f"fake origin {o.name} errors: {o.errors}"


def test_fake_origin_tls_basics(tls_origins, certs):
    o = tls_origins(Behavior(echo=True, headers=[("X-T", "1")]))
    assert o.url == f"https://127.0.0.1:{o.port}"
    ctx = client_context(certs)
    with tls_conn(o.port, ctx, "localhost") as c:
        for i in range(3):
            c.send(request_bytes("GET", f"/k{i}", host="o"))
            r = c.read_response()
            assert r.status == 200 and r.body == f"GET /k{i}".encode() and r.header("X-T") == "1"
        c.send(request_bytes("POST", "/up", body=b"payload", host="o"))
        assert c.read_response().body == b"POST /up"
    reqs = o.wait_for_requests(4, complete=True)
    assert o.connections == 1 and o.tls_handshakes == 1 and o.tls_handshake_failures == 0
    assert all(q.tls and q.sni == "localhost" and q.tls_version in ("TLSv1.2", "TLSv1.3")
               for q in reqs)
    assert reqs[3].body == b"payload"
    assert o.sni_seen() == ["localhost"]
    # No SNI for an IP literal.
    with tls_conn(o.port, ctx, "127.0.0.1") as c:
        c.send(request_bytes("GET", "/ip", host="o"))
        assert c.read_response().status == 200
    assert o.sni_seen() == ["localhost", None]


def test_fake_origin_tls_behaviours(tls_origins, certs):
    ctx = client_context(certs)
    o = tls_origins(Behavior(body=b"abcdefghij", chunked=True, chunk_size=3))
    with tls_conn(o.port, ctx) as c:
        c.send(request_bytes("GET", "/", host="o"))
        r = c.read_response()
        assert r.chunked and r.body == b"abcdefghij"
        c.send(request_bytes("GET", "/_fo/status=503,chunked=0,body=down/", host="o"))
        r = c.read_response()
        assert r.status == 503 and r.body == b"down"
    # close-delimited: the body ends at the close (preceded by close_notify)
    o.set(chunked=False, content_length=False, body=b"until-close")
    with tls_conn(o.port, ctx) as c:
        c.send(request_bytes("GET", "/", host="o"))
        data, how = c.read_until_close(timeout=5)
    assert how == "eof"
    r, _ = harness.parse_response(data, eof=True)
    assert r.body == b"until-close"
    # keep_alive off: Connection: close, then the connection ends
    o.set(content_length=True, keep_alive=False, body=b"bye")
    with tls_conn(o.port, ctx) as c:
        c.send(request_bytes("GET", "/", host="o"))
        assert c.read_response().header("Connection") == "close"
        c.wait_closed()
    # hang until release
    o.set(keep_alive=True, hang=True, body=b"late")
    with tls_conn(o.port, ctx) as c:
        c.send(request_bytes("GET", "/h", host="o"))
        wait_until(lambda: "/h" in o.paths(), desc="hung request recorded")
        with pytest.raises(TimeoutError):
            c.read_response(timeout=0.2)
        o.release()
        assert c.read_response().body == b"late"
    # a generated body, then a reset mid-body
    o.set(hang=False, body_size=1 << 20, chunk_size=64 * 1024, reset_after_bytes=1000)
    with tls_conn(o.port, ctx) as c:
        c.send(request_bytes("GET", "/", host="o"))
        data, how = c.read_until_close(timeout=5)
    assert b"Content-Length: 1048576" in data and len(data) < (1 << 20)
    o.set(reset_after_bytes=None)
    with tls_conn(o.port, ctx) as c:
        c.send(request_bytes("GET", "/", host="o"))
        assert c.read_response().body == pattern_bytes(0, 1 << 20)


def test_fake_origin_tls_delay(tls_origins, certs):
    o = tls_origins(Behavior(delay_s=0.2))
    with tls_conn(o.port, client_context(certs)) as c:
        t0 = time.monotonic()
        c.send(request_bytes("GET", "/", host="o"))
        assert c.read_response().status == 200
        assert time.monotonic() - t0 >= 0.15


def test_fake_origin_tls_handshake_failures_counted(tls_origins, certs):
    o = tls_origins(Behavior(), pair=certs.self_signed, tls_handshake_timeout=0.5)
    # a client that rejects the certificate
    with pytest.raises(ssl.SSLCertVerificationError):
        tls_conn(o.port, client_context(certs))
    o.wait_for_handshake_failures(1)
    # plain HTTP to a TLS port
    with RawConn(o.port) as c:
        c.send(request_bytes("GET", "/", host="o"))
        c.read_until_close(timeout=5)
    o.wait_for_handshake_failures(2)
    # a client that never starts the handshake: cut at the handshake timeout
    s = socket.create_connection(("127.0.0.1", o.port))
    try:
        o.wait_for_handshake_failures(3, timeout=5)
    finally:
        s.close()
    assert o.requests == [] and o.tls_handshakes == 0 and not o.errors


def test_fake_origin_tls_stop_is_prompt(certs):
    o = FakeOrigin(Behavior(hang=True), tls=tuple(certs.server)).start()
    idle = socket.create_connection(("127.0.0.1", o.port))  # stuck before its handshake
    c = tls_conn(o.port, client_context(certs))
    c.send(request_bytes("GET", "/", host="o"))
    o.wait_for_requests(1)
    t0 = time.monotonic()
    o.stop()
    assert time.monotonic() - t0 < 3
    data, how = c.read_until_close(timeout=5)
    assert how in ("eof", "reset") and data == b""
    c.close()
    idle.close()
    assert not o.errors


# ------------------------------------------------------------------------------------------
# https-only origins through the edge


def test_https_only_valid_cert_and_keepalive(cluster, certs):
    o = tls_origin(cluster, certs.server, Behavior(echo=True))
    edge = cluster.edge(single_config(https_origin("app", o.port)), workers=1,
                        env=certs.trust_env())
    with RawConn(edge.port) as c:
        for i in range(5):
            c.send(request_bytes("GET", f"/r{i}?q={i}"))
            r = c.read_response()
            assert r.status == 200, r
            assert r.body == f"GET /r{i}?q={i}".encode()
            assert r.header("Server") == "fake-origin"
    for i in range(3):  # new viewer connections, same (single) worker and pool
        r = http_request(edge.port, "GET", f"/n{i}")
        assert r.status == 200 and r.body == f"GET /n{i}".encode()
    reqs = o.wait_for_requests(8, complete=True)
    assert all(q.tls and q.tls_version in ("TLSv1.2", "TLSv1.3") for q in reqs), reqs
    assert all(q.sni is None for q in reqs)  # no SNI for an IP literal
    assert o.connections == 1, f"{o.connections} TLS connections for 8 sequential requests"
    assert o.tls_handshakes == 1 and o.tls_handshake_failures == 0
    assert {q.conn_id for q in reqs} == {reqs[0].conn_id}
    m = edge.wait_metric(ORIGIN_REQUESTS, 8, distribution="main", origin="app")
    assert harness.metric_sum(m, ERRORS, origin="app") == 0
    assert "TLS handshake" not in edge.stderr_text()


@pytest.mark.parametrize("version", ["TLSv1.2", "TLSv1.3"])
def test_new_origin_connections_resume_the_tls_session(cluster, certs, version):
    # The origin closes after every answer, so every request needs a new TLS connection: only
    # the first pays for a full handshake, the others resume (ticket or session id).
    ctx = server_tls_context(*certs.server)
    ctx.maximum_version = ctx.minimum_version = getattr(ssl.TLSVersion, version.replace(".", "_"))
    o = FakeOrigin(Behavior(echo=True, keep_alive=False), name="resumable", tls=ctx)
    cluster.origins.append(o)
    o.start()
    edge = cluster.edge(single_config(https_origin("app", o.port)), workers=1,
                        env=certs.trust_env())
    for i in range(4):
        r = http_request(edge.port, "GET", f"/s{i}")
        assert r.status == 200 and r.body == f"GET /s{i}".encode()
    o.wait_for_requests(4, complete=True)
    assert o.tls_handshakes == 4
    assert [s.version for s in o.tls_sessions] == [version] * 4
    assert [s.reused for s in o.tls_sessions] == [False, True, True, True]


def test_https_only_post_body_over_tls(cluster, certs):
    o = tls_origin(cluster, certs.server, Behavior(echo=True))
    edge = cluster.edge(single_config(https_origin("app", o.port)), env=certs.trust_env())
    body = bytes(range(256)) * 400
    r = http_request(edge.port, "POST", "/upload", body=body)
    assert r.status == 200 and r.body == b"POST /upload"
    (q,) = o.wait_for_requests(1, complete=True)
    assert q.tls and q.body == body


def test_https_only_by_name_sends_sni(cluster, certs):
    o = tls_origin(cluster, certs.server, Behavior(body=b"named"))
    edge = cluster.edge(single_config(https_origin("app", o.port, domain="localhost")),
                        workers=1, env=certs.trust_env())
    for _ in range(2):
        r = http_request(edge.port, "GET", "/sni")
        assert r.status == 200 and r.body == b"named", r
    reqs = o.wait_for_requests(2, complete=True)
    assert o.sni_seen() == ["localhost"]
    assert all(q.tls and q.sni == "localhost" for q in reqs)


BAD_CERTS = [
    # (id, server cert, trusted CA (None: the test CA), domain_name, reason in the log)
    ("self-signed", "self_signed", None, "127.0.0.1", "self-signed certificate"),
    ("other-ca", "untrusted", None, "127.0.0.1", "unable to get local issuer certificate"),
    ("ca-not-in-store", "server", "other_ca", "127.0.0.1",
     "unable to get local issuer certificate"),
    ("wrong-ip", "wrong_name", None, "127.0.0.1", "IP address mismatch"),
    ("wrong-name", "wrong_name", None, "localhost", "hostname mismatch"),
    ("expired", "expired", None, "127.0.0.1", "certificate has expired"),
]


@pytest.mark.parametrize("cert,trusted,domain,reason", [b[1:] for b in BAD_CERTS],
                         ids=[b[0] for b in BAD_CERTS])
def test_bad_certificate_lone_origin_502(cluster, certs, cert, trusted, domain, reason):
    o = tls_origin(cluster, getattr(certs, cert), Behavior(body=b"must-not-be-served"))
    cafile = getattr(certs, trusted).cert if trusted else None
    edge = cluster.edge(single_config(https_origin("app", o.port, domain=domain)),
                        env=certs.trust_env(cafile))
    r = http_request(edge.port, "GET", "/x")
    assert r.status == 502, r
    assert r.header("Server") == "edgefront"
    assert b"must-not-be-served" not in r.body
    assert o.requests == []
    o.wait_for_handshake_failures(1)  # the edge aborted the handshake
    edge.wait_metric(ERRORS, 1, distribution="main", origin="app", kind="connect")
    text = wait_stderr(edge, f"TLS handshake with {domain}:{o.port} failed")
    line = next(ln for ln in text.splitlines()
                if f"TLS handshake with {domain}:{o.port} failed" in ln)
    assert reason in line, line
    # Still failing on the next request (nothing was cached or pooled).
    assert http_request(edge.port, "GET", "/y").status == 502
    edge.wait_metric(ERRORS, 2, distribution="main", origin="app", kind="connect")
    assert o.requests == [] and o.tls_handshakes == 0


def old_tls_origin(cluster, certs) -> FakeOrigin:
    """An origin that speaks TLS 1.0/1.1 only, answering "old-tls"."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(*certs.server)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    o = FakeOrigin(Behavior(body=b"old-tls"), name="old", tls=ctx)
    cluster.origins.append(o)
    return o.start()


def test_tls_below_1_2_is_refused(cluster, certs):
    o = old_tls_origin(cluster, certs)
    edge = cluster.edge(single_config(https_origin("app", o.port)), env=certs.trust_env())
    r = http_request(edge.port, "GET", "/x")
    assert r.status == 502, r
    assert o.requests == [] and o.tls_handshakes == 0
    edge.wait_metric(ERRORS, 1, distribution="main", origin="app", kind="connect")
    text = wait_stderr(edge, f"TLS handshake with 127.0.0.1:{o.port} failed")
    # The edge offers TLS 1.2+ only: the TLS 1.1 server answers with a protocol_version alert.
    assert re.search(r"TLS handshake with 127\.0\.0\.1:\d+ failed: .*"
                     r"(protocol version|unsupported protocol)", text), text


def test_origin_ssl_protocols_allow_an_old_origin(cluster, certs):
    # OriginSslProtocols naming TLSv1.1 lets the edge speak it to an origin that knows no better.
    o = old_tls_origin(cluster, certs)
    origin = https_origin("app", o.port, ssl_protocols=["TLSv1.1", "TLSv1.2"])
    edge = cluster.edge(single_config(origin), env=certs.trust_env())
    r = http_request(edge.port, "GET", "/x")
    assert r.status == 200 and r.body == b"old-tls", r
    assert [s.version for s in o.tls_sessions] == ["TLSv1.1"]


def test_origin_ssl_protocols_cap_the_version(cluster, certs):
    # Only TLSv1 listed: a TLS 1.2+ origin cannot be reached.
    o = tls_origin(cluster, certs.server, Behavior(body=b"modern"))
    edge = cluster.edge(single_config(https_origin("app", o.port, ssl_protocols=["TLSv1"])),
                        env=certs.trust_env())
    assert http_request(edge.port, "GET", "/x").status == 502
    assert o.requests == []


def test_ca_file_instead_of_the_system_store(cluster, certs):
    o = tls_origin(cluster, certs.server, Behavior(body=b"trusted by file"))
    # Without the test CA in the system store, verification fails ...
    plain = cluster.edge(single_config(https_origin("app", o.port)))
    assert http_request(plain.port, "GET", "/x").status == 502
    # ... and a ca_file on the origin is enough.
    edge = cluster.edge(single_config(https_origin("app", o.port, ca_file=str(certs.ca.cert))))
    r = http_request(edge.port, "GET", "/x")
    assert r.status == 200 and r.body == b"trusted by file", r


def test_health_probes_trust_the_origins_ca_file(cluster, certs):
    # Probes use the origin's TLS settings as requests do: with the CA file they verify, and
    # without it (system store only) they fail.
    trusted = tls_origin(cluster, certs.server, Behavior(body=b"ok"), name="trusted")
    untrusted = tls_origin(cluster, certs.server, Behavior(body=b"ok"), name="untrusted")
    check = {"path": "/health", "interval": "200ms", "timeout": "150ms",
             "healthy_threshold": 1, "unhealthy_threshold": 1}
    origins = [https_origin("trusted", trusted.port, ca_file=str(certs.ca.cert),
                            health_check=check),
               https_origin("untrusted", untrusted.port, health_check=check)]
    edge = cluster.edge(edge_config(distribution(origins, "trusted")))

    def state(origin_id):
        with urllib.request.urlopen(f"{edge.admin_url}/origins", timeout=5) as r:
            doc = json.loads(r.read())
        return next(o for o in doc["distributions"][0]["origins"] if o["id"] == origin_id)

    wait_until(lambda: not state("untrusted")["active_healthy"], timeout=10,
               desc="the probe of an origin its CA does not vouch for fails")
    wait_until(lambda: sum(r.target == "/health" for r in trusted.requests) >= 3, timeout=10,
               desc="three probes of the trusted origin")
    assert state("trusted")["active_healthy"]


def test_bad_ca_file_is_refused_with_its_field(cluster, certs, tmp_path):
    bad = tmp_path / "not-a-ca.pem"
    bad.write_text("hello")
    cfg = single_config(https_origin("app", 443, ca_file=str(bad)))
    path = write_config(tmp_path / "bad-ca.yaml", cfg)
    r = subprocess.run([str(harness.edge_binary()), "validate", str(path)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert "distributions[0].origins[0].ca_file" in r.stderr + r.stdout
    assert "holds no PEM certificate" in r.stderr + r.stdout


def test_group_fails_over_from_bad_cert_to_good(cluster, certs):
    primary = tls_origin(cluster, certs.self_signed, Behavior(body=b"from-primary"),
                         name="primary")
    secondary = tls_origin(cluster, certs.server, Behavior(body=b"from-secondary"),
                           name="secondary")
    edge = cluster.edge(group_config(https_origin("app", primary.port),
                                     https_origin("app2", secondary.port)),
                        env=certs.trust_env())
    r = http_request(edge.port, "GET", "/page")
    assert r.status == 200, r
    assert r.body == b"from-secondary"
    assert r.header("X-Edgefront-Origin") == "app2"
    a = r.header("X-Edgefront-Attempts") or ""
    assert re.fullmatch(r"app=[a-z][a-z_-]*, app2=200", a), a
    with RawConn(edge.port) as c:
        c.send(request_bytes("HEAD", "/h"))
        rh = c.read_response(head_request=True)
        assert rh.status == 200 and rh.header("X-Edgefront-Origin") == "app2"
        c.send(request_bytes("OPTIONS", "/o"))
        ro = c.read_response()
        assert ro.status == 200 and ro.header("X-Edgefront-Origin") == "app2"
    assert primary.requests == []
    assert [q.method for q in secondary.wait_for_requests(3)] == ["GET", "HEAD", "OPTIONS"]
    assert all(q.tls for q in secondary.requests)
    m = edge.wait_metric(FAILOVERS, 3, distribution="main", group="grp", **{"from": "app"})
    assert harness.metric_value(m, ERRORS, distribution="main", origin="app",
                                kind="connect") == 3
    wait_stderr(edge, f"TLS handshake with 127.0.0.1:{primary.port} failed")
    # An unsafe method is not failed over: 502 from the edge, the secondary is not asked.
    r = http_request(edge.port, "POST", "/write", body=b"payload")
    assert r.status == 502 and r.header("Server") == "edgefront"
    assert secondary.request_count() == 3


def test_match_viewer_plain_viewer_uses_http_port(cluster, certs):
    plain = cluster.origin(Behavior(body=b"over-http"), name="plain")
    secure = tls_origin(cluster, certs.server, Behavior(body=b"over-https"), name="secure")
    origin = http_origin("app", plain.port, https_port=secure.port,
                         protocol_policy="match-viewer")
    edge = cluster.edge(single_config(origin), env=certs.trust_env())
    for path in ("/a", "/b"):
        r = http_request(edge.port, "GET", path)
        assert r.status == 200 and r.body == b"over-http", r
    assert plain.paths() == ["/a", "/b"]
    assert not any(q.tls for q in plain.requests)
    assert secure.connections == 0 and secure.requests == []


# ------------------------------------------------------------------------------------------
# The CloudFront seed with its https-only origins


@pytest.fixture
def seed(source_dir) -> dict:
    path = source_dir / "examples" / "cloudfront-seed.json"
    if not path.exists():
        pytest.skip("examples/cloudfront-seed.json not written yet")
    return json.loads(path.read_text())


@pytest.fixture
def seeded_tls(cluster, seed, certs, tmp_path):
    """make(viewer_policy=None) -> (edge, primary, secondary): the seed with both origins'
    HTTPSPort pointed at TLS fake origins (DomainName 127.0.0.1, https-only kept)."""
    group = seed["OriginGroups"]["Items"][0]
    members = [m["OriginId"] for m in group["Members"]["Items"]]
    assert {o["Id"] for o in seed["Origins"]["Items"]} == set(members)
    primary = tls_origin(cluster, certs.server,
                         Behavior(echo=True, headers=[("X-Served-By", "primary")]),
                         name="primary")
    secondary = tls_origin(cluster, certs.server,
                           Behavior(echo=True, headers=[("X-Served-By", "secondary")]),
                           name="secondary")
    ports = {members[0]: primary.port, members[1]: secondary.port}

    def make(viewer_policy=None):
        cfg = copy.deepcopy(seed)
        for o in cfg["Origins"]["Items"]:
            o["DomainName"] = "127.0.0.1"
            coc = o["CustomOriginConfig"]
            assert coc["OriginProtocolPolicy"] == "https-only"
            coc["HTTPSPort"] = ports[o["Id"]]
        if viewer_policy is not None:
            cfg["DefaultCacheBehavior"]["ViewerProtocolPolicy"] = viewer_policy
        path = write_config(tmp_path / f"seed-tls-{viewer_policy or 'asis'}.json", cfg)
        edge = cluster.edge(path, expect_admin=True, extra_args=["--admin", "127.0.0.1:0"],
                            env=certs.trust_env())
        return edge, primary, secondary

    return make


def test_seed_tls_redirects_plain_viewer(seeded_tls, seed):
    assert seed["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    edge, primary, secondary = seeded_tls()
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", "/path/page?x=1", host="www.example.com"))
        r = c.read_response()
    assert r.status == 301, r
    assert r.header("Location") == "https://www.example.com/path/page?x=1"
    r = http_request(edge.port, "GET", "/other")
    assert r.status == 301 and (r.header("Location") or "").startswith("https://"), r
    assert primary.connections == 0 and secondary.connections == 0


def test_seed_tls_allow_all_serves_and_fails_over(seeded_tls, seed):
    codes = seed["OriginGroups"]["Items"][0]["FailoverCriteria"]["StatusCodes"]["Items"]
    assert 503 in codes
    edge, primary, secondary = seeded_tls("allow-all")
    r = http_request(edge.port, "GET", "/hello?x=1")
    assert r.status == 200, r
    assert r.header("X-Served-By") == "primary"
    assert r.body == b"GET /hello?x=1"
    (q,) = primary.wait_for_requests(1)
    assert q.tls and q.sni is None and q.target == "/hello?x=1"
    assert secondary.request_count() == 0
    for code in codes:
        r = http_request(edge.port, "GET", f"/_fo@primary/status={code}/page")
        assert r.status == 200, (code, r)
        assert r.header("X-Served-By") == "secondary", (code, r)
    assert secondary.request_count() == len(codes)
    assert all(q.tls for q in primary.requests + secondary.requests)
    assert primary.tls_handshake_failures == 0 and secondary.tls_handshake_failures == 0
    assert "TLS handshake" not in edge.stderr_text()
