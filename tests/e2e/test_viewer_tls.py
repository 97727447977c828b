"""Viewer HTTPS: certificates chosen by SNI (exact, wildcard, default), TLS 1.2 and 1.3, a
security policy that refuses TLS 1.1, session resumption by tickets, certificate reload on
SIGHUP while a keep-alive connection stays open, bad certificates refused at load and on
reload, OCSP stapling, the handshake timeout, and the viewer protocol policy over http and
https. Certificates come from tls_certs (openssl CLI, once per module)."""

from __future__ import annotations

import shutil
import signal
import socket
import ssl
import subprocess

import pytest

from fake_origin import Behavior
from harness import (ALL_METHODS, RawConn, curl, distribution, edge_config, http_origin, request_bytes,
                     wait_until, write_config)
from tls_certs import make_test_certs, make_viewer_certs, openssl_available

pytestmark = [
    pytest.mark.skipif(not openssl_available(), reason="no openssl CLI"),
    # The TLS 1.1 client below is the point of its test.
    pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning"),
]


@pytest.fixture(scope="module")
def vc(tmp_path_factory):
    return make_viewer_certs(make_test_certs(tmp_path_factory.mktemp("viewer-certs")))


def pair(p, ocsp=None) -> dict:
    d = {"cert": str(p.cert), "key": str(p.key)}
    if ocsp is not None:
        d["ocsp"] = str(ocsp)
    return d


def tls_listen(vc, policy=None, certificates=None, **extra) -> dict:
    tls = {"certificates": certificates or [pair(vc.default_site), pair(vc.exact),
                                            pair(vc.wildcard)]}
    if policy:
        tls["minimum_protocol"] = policy
    tls.update(extra)
    return {"address": "127.0.0.1:0", "tls": tls}


def tls_config(origin_port: int, listen: list, behaviors=None, default_policy="allow-all",
               **server) -> dict:
    dist = distribution([http_origin("app", origin_port)], "app", behaviors=behaviors)
    dist["default_cache_behavior"]["viewer_protocol_policy"] = default_policy
    return edge_config(dist, listen=listen, **server)


def start(cluster, config) -> object:
    return cluster.edge(config, listen=None)


def port_of(edge, scheme: str, nth: int = 0) -> int:
    ports = [p for (_, p), s in zip(edge.listen_addrs, edge.listen_schemes) if s == scheme]
    return ports[nth]


def der(path) -> bytes:
    return ssl.PEM_cert_to_DER_cert(path.read_text())


def client(vc, **kw) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(vc.ca.cert))
    for k, v in kw.items():
        setattr(ctx, k, v)
    return ctx


def handshake(port: int, ctx: ssl.SSLContext, server_name, session=None):
    """(peer certificate DER, TLS version, session, session_reused) of one handshake plus a
    request, so TLS 1.3 tickets have arrived before the session is taken."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname=server_name, session=session) as s:
            s.sendall(request_bytes("GET", "/t", host=server_name or "127.0.0.1"))
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(4096)
                assert chunk, "connection closed before a response"
                data += chunk
            assert data.startswith(b"HTTP/1.1 200"), data[:200]
            return s.getpeercert(binary_form=True), s.version(), s.session, s.session_reused


def https_get(edge_port: int, vc, host: str, path: str = "/", *args):
    return curl(f"https://{host}:{edge_port}{path}", "--cacert", str(vc.ca.cert), "--resolve",
                f"{host}:{edge_port}:127.0.0.1", *args)


# ------------------------------------------------------------------------------------------


def test_sni_picks_exact_wildcard_and_default_certificates(cluster, vc):
    origin = cluster.origin(Behavior(echo=True))
    edge = start(cluster, tls_config(origin.port, [tls_listen(vc)]))
    assert edge.listen_schemes == ["https"]
    port = edge.port
    ctx = client(vc)
    assert handshake(port, ctx, "www.example.com")[0] == der(vc.exact.cert)
    assert handshake(port, ctx, "example.com")[0] == der(vc.exact.cert)
    assert handshake(port, ctx, "img.example.net")[0] == der(vc.wildcard.cert)
    assert handshake(port, ctx, "default.test")[0] == der(vc.default_site.cert)
    unverified = client(vc, check_hostname=False, verify_mode=ssl.CERT_NONE)
    # An unknown name and no SNI at all (an IP literal) both get the first certificate.
    assert handshake(port, unverified, "unknown.example.org")[0] == der(vc.default_site.cert)
    assert handshake(port, unverified, None)[0] == der(vc.default_site.cert)
    # Two labels are not covered by "*.example.net": default certificate, which curl refuses.
    assert handshake(port, unverified, "a.b.example.net")[0] == der(vc.default_site.cert)
    assert https_get(port, vc, "a.b.example.net").exit_code != 0

    # curl verifies the chain and the name end to end and gets the origin's answer.
    r = https_get(port, vc, "www.example.com", "/hello")
    assert r.exit_code == 0 and r.status == 200 and r.body == b"GET /hello", r.stderr
    r = https_get(port, vc, "img.example.net", "/wild")
    assert r.exit_code == 0 and r.body == b"GET /wild", r.stderr


def test_tls12_and_tls13(cluster, vc):
    origin = cluster.origin(Behavior())
    edge = start(cluster, tls_config(origin.port, [tls_listen(vc)]))
    v12 = client(vc, maximum_version=ssl.TLSVersion.TLSv1_2)
    assert handshake(edge.port, v12, "www.example.com")[1] == "TLSv1.2"
    v13 = client(vc, minimum_version=ssl.TLSVersion.TLSv1_3)
    assert handshake(edge.port, v13, "www.example.com")[1] == "TLSv1.3"
    for flag, version in (("--tlsv1.2", "TLSv1.2"), ("--tlsv1.3", "TLSv1.3")):
        r = https_get(edge.port, vc, "www.example.com", "/", flag, "--tls-max",
                      version[4:], "-v")
        assert r.exit_code == 0 and r.status == 200, r.stderr
        assert f"SSL connection using {version}" in r.stderr


def tls11_client(vc) -> ssl.SSLContext:
    ctx = client(vc, minimum_version=ssl.TLSVersion.TLSv1_1,
                 maximum_version=ssl.TLSVersion.TLSv1_1)
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")  # OpenSSL 3 refuses TLS 1.1 at the default level
    return ctx


def test_security_policy_refuses_tls11_where_the_older_policy_allows_it(cluster, vc):
    origin = cluster.origin(Behavior())
    edge = start(cluster, tls_config(origin.port, [tls_listen(vc, "TLSv1.2_2021"),
                                                   tls_listen(vc, "TLSv1.1_2016")]))
    strict, legacy = port_of(edge, "https", 0), port_of(edge, "https", 1)
    assert handshake(legacy, tls11_client(vc), "www.example.com")[1] == "TLSv1.1"
    with pytest.raises(ssl.SSLError):
        handshake(strict, tls11_client(vc), "www.example.com")
    # The strict policy still serves TLS 1.2 with its ECDHE-GCM suites, not CBC ones.
    v12 = client(vc, maximum_version=ssl.TLSVersion.TLSv1_2)
    v12.set_ciphers("ECDHE-ECDSA-AES128-SHA256")
    with pytest.raises(ssl.SSLError):
        handshake(strict, v12, "www.example.com")
    assert handshake(legacy, v12, "www.example.com")[1] == "TLSv1.2"
    assert edge.alive()


def test_connection_close_ends_with_close_notify(cluster, vc):
    # A clean TLS end, not a bare FIN: OpenSSL clients drop a session whose connection ended
    # without close_notify, so they could not resume it.
    origin = cluster.origin(Behavior(body=b"bye"))
    edge = start(cluster, tls_config(origin.port, [tls_listen(vc)]))
    ctx = client(vc)
    ctx.options &= ~getattr(ssl, "OP_IGNORE_UNEXPECTED_EOF", 0)
    with socket.create_connection(("127.0.0.1", edge.port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname="www.example.com",
                             suppress_ragged_eofs=False) as s:
            s.sendall(request_bytes("GET", "/x", host="www.example.com",
                                    headers=[("Connection", "close")]))
            data = b""
            while True:
                chunk = s.recv(4096)  # raises SSLEOFError on a FIN without close_notify
                if not chunk:
                    break
                data += chunk
    assert data.startswith(b"HTTP/1.1 200") and data.endswith(b"bye")


def test_2025_policies(cluster, vc):
    origin = cluster.origin(Behavior())
    edge = start(cluster, tls_config(origin.port, [tls_listen(vc, "TLSv1.3_2025"),
                                                   tls_listen(vc, "TLSv1.2_2025")]))
    only13, p2025 = port_of(edge, "https", 0), port_of(edge, "https", 1)
    v12 = client(vc, maximum_version=ssl.TLSVersion.TLSv1_2)
    with pytest.raises(ssl.SSLError):
        handshake(only13, v12, "www.example.com")
    assert handshake(only13, client(vc), "www.example.com")[1] == "TLSv1.3"
    assert handshake(p2025, v12, "www.example.com")[1] == "TLSv1.2"
    chacha = client(vc, maximum_version=ssl.TLSVersion.TLSv1_2)
    chacha.set_ciphers("ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305")
    with pytest.raises(ssl.SSLError):
        handshake(p2025, chacha, "www.example.com")


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
def test_session_resumption_with_tickets(cluster, vc, version):
    origin = cluster.origin(Behavior())
    # Two workers: a ticket made on one must resume on the other (shared keys).
    edge = start(cluster, tls_config(origin.port, [tls_listen(vc)], workers=2))
    ctx = client(vc, minimum_version=version, maximum_version=version)
    _, v, session, reused = handshake(edge.port, ctx, "www.example.com")
    assert v == version.name.replace("_", ".") and not reused
    assert session is not None and session.has_ticket
    resumed = [handshake(edge.port, ctx, "www.example.com", session=session)[3]
               for _ in range(4)]
    assert all(resumed)


def test_each_resumed_tls13_connection_gets_a_fresh_ticket(cluster, vc):
    # A TLS 1.3 client uses a ticket once (OpenSSL marks the session unresumable after use;
    # wrk and browsers resume with the session the previous connection ended with), so a
    # resumed handshake must hand out a fresh ticket. Regression: edgefront sent none, so wrk
    # resumed only every other connection.
    origin = cluster.origin(Behavior())
    edge = start(cluster, tls_config(origin.port, [tls_listen(vc)]))
    ctx = client(vc, minimum_version=ssl.TLSVersion.TLSv1_3)
    _, _, session, _ = handshake(edge.port, ctx, "www.example.com")
    for _ in range(4):
        _, _, next_session, reused = handshake(edge.port, ctx, "www.example.com", session=session)
        assert reused
        assert next_session is not None and next_session.has_ticket
        assert next_session.id != session.id, "no new ticket after a resumed handshake"
        session = next_session


def test_certificate_reload_keeps_open_connections(cluster, vc, tmp_path):
    origin = cluster.origin(Behavior(echo=True))
    cert = tmp_path / "site.pem"
    key = tmp_path / "site.key"
    shutil.copy(vc.default_site.cert, cert)
    shutil.copy(vc.default_site.key, key)
    files = [{"cert": str(cert), "key": str(key)}]
    edge = start(cluster, tls_config(origin.port, [tls_listen(vc, certificates=files)]))
    ctx = client(vc)
    assert handshake(edge.port, ctx, "default.test")[0] == der(vc.default_site.cert)

    open_conn = RawConn(edge.port)
    open_conn.sock = ctx.wrap_socket(open_conn.sock, server_hostname="default.test")
    open_conn.send(request_bytes("GET", "/before", host="default.test"))
    assert open_conn.read_response().body == b"GET /before"

    shutil.copy(vc.renewed.cert, cert)
    shutil.copy(vc.renewed.key, key)
    edge.send_signal(signal.SIGHUP)
    wait_until(lambda: handshake(edge.port, ctx, "default.test")[0] == der(vc.renewed.cert),
               timeout=5, desc="the renewed certificate on new connections")
    # The connection made before the reload carries on, same TLS session.
    open_conn.send(request_bytes("GET", "/after", host="default.test"))
    assert open_conn.read_response().body == b"GET /after"
    assert open_conn.sock.getpeercert(binary_form=True) == der(vc.default_site.cert)
    open_conn.close()
    assert edge.alive()


@pytest.mark.parametrize("which,reason", [
    ("mismatched", "does not match certificate"),
    ("garbage", "cannot load certificate"),
])
def test_bad_certificate_refused_at_load(cluster, vc, which, reason):
    origin = cluster.origin(Behavior())
    bad = getattr(vc, which)
    config = tls_config(origin.port, [tls_listen(vc, certificates=[pair(vc.exact), pair(bad)])])
    edge = cluster.new_edge(config, listen=None)
    with pytest.raises(Exception) as err:
        edge.start()
    assert "server.listen[0].tls.certificates[1]" in str(err.value)
    assert reason in str(err.value)
    # `validate` says the same without starting anything.
    p = subprocess.run([str(cluster.binary), "validate", str(edge.config_path)],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode != 0 and reason in p.stdout + p.stderr


def test_bad_certificate_refused_on_reload_keeps_the_old_one(cluster, vc, tmp_path):
    origin = cluster.origin(Behavior())
    cert = tmp_path / "site.pem"
    shutil.copy(vc.default_site.cert, cert)
    files = [{"cert": str(cert), "key": str(vc.default_site.key)}]
    edge = start(cluster, tls_config(origin.port, [tls_listen(vc, certificates=files)]))
    ctx = client(vc)
    # The file is overwritten with garbage, then a key that does not match.
    cert.write_text("not a certificate\n")
    edge.send_signal(signal.SIGHUP)
    wait_until(lambda: edge.stderr_text().count("config refused") == 1, timeout=5)
    assert "cannot load certificate" in edge.stderr_text()
    assert handshake(edge.port, ctx, "default.test")[0] == der(vc.default_site.cert)

    shutil.copy(vc.exact.cert, cert)
    edge.send_signal(signal.SIGHUP)
    wait_until(lambda: edge.stderr_text().count("config refused") == 2, timeout=5)
    assert "does not match certificate" in edge.stderr_text()
    assert handshake(edge.port, ctx, "default.test")[0] == der(vc.default_site.cert)
    assert edge.alive()


def s_client(port: int, server_name: str) -> str:
    p = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername",
                        server_name, "-status"], input="", capture_output=True, text=True,
                       timeout=30)
    return p.stdout


def test_ocsp_stapling_when_a_response_file_is_given(cluster, vc):
    origin = cluster.origin(Behavior())
    certs = [pair(vc.default_site, ocsp=vc.ocsp), pair(vc.exact)]
    edge = start(cluster, tls_config(origin.port, [tls_listen(vc, certificates=certs)]))
    stapled = s_client(edge.port, "default.test")
    assert "OCSP Response Status: successful" in stapled
    assert "Cert Status: good" in stapled
    assert "OCSP response: no response sent" in s_client(edge.port, "www.example.com")


def test_stalled_handshake_is_closed_after_the_header_timeout(cluster, vc):
    origin = cluster.origin(Behavior())
    edge = start(cluster, tls_config(origin.port, [tls_listen(vc)],
                                     limits={"header_timeout": "500ms"}))
    with RawConn(edge.port) as silent:
        assert silent.wait_closed(timeout=5) in ("eof", "reset")
    with RawConn(edge.port) as partial:  # half a ClientHello record, then nothing
        partial.send(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
        assert partial.wait_closed(timeout=5) in ("eof", "reset")
    assert handshake(edge.port, client(vc), "www.example.com")[0] == der(vc.exact.cert)


# The viewer protocol policy over both listeners: CloudFront's 301/307/403 on http, served
# on https.
POLICY_BEHAVIORS = [
    {"path_pattern": "/redirect/*", "target_origin_id": "app",
     "viewer_protocol_policy": "redirect-to-https", "allowed_methods": ALL_METHODS},
    {"path_pattern": "/https-only/*", "target_origin_id": "app",
     "viewer_protocol_policy": "https-only", "allowed_methods": ALL_METHODS},
]


@pytest.mark.parametrize("path,method,http_status", [
    ("/allow/x", "GET", 200),
    ("/redirect/x", "GET", 301),
    ("/redirect/x", "HEAD", 301),
    ("/redirect/x", "POST", 307),
    ("/https-only/x", "GET", 403),
    ("/https-only/x", "POST", 403),
])
def test_viewer_protocol_policy_over_http_and_https(cluster, vc, path, method, http_status):
    origin = cluster.origin(Behavior(echo=True))
    edge = start(cluster, tls_config(origin.port, ["127.0.0.1:0", tls_listen(vc)],
                                     behaviors=POLICY_BEHAVIORS))
    http_port, https_port = port_of(edge, "http"), port_of(edge, "https")
    args = ["-X", method] if method != "HEAD" else ["-I"]
    if method == "POST":
        args += ["--data-binary", "body"]
    r = curl(f"http://www.example.com:{http_port}{path}", "--resolve",
             f"www.example.com:{http_port}:127.0.0.1", *args)
    assert r.exit_code == 0 and r.status == http_status, (r.status, r.stderr)
    if http_status in (301, 307):
        # The viewer is sent to the HTTPS listener, not to the plain port it came in on.
        assert r.header("Location") == f"https://www.example.com:{https_port}{path}"
    r = https_get(https_port, vc, "www.example.com", path, *args)
    assert r.exit_code == 0 and r.status == 200, (r.status, r.stderr)
    if method != "HEAD":
        assert r.body == f"{method} {path}".encode()


@pytest.mark.parametrize("method,http_status", [("GET", 301), ("HEAD", 301), ("POST", 403)])
def test_redirect_to_https_below_http11(cluster, vc, method, http_status):
    # CloudFront: GET/HEAD are redirected whatever the version; other methods below HTTP/1.1
    # get 403, since a 1.0 client may replay a 307 as GET.
    origin = cluster.origin(Behavior(echo=True))
    edge = start(cluster, tls_config(origin.port, ["127.0.0.1:0", tls_listen(vc)],
                                     behaviors=POLICY_BEHAVIORS))
    http_port, https_port = port_of(edge, "http"), port_of(edge, "https")
    args = ["--http1.0", "-X", method] if method != "HEAD" else ["--http1.0", "-I"]
    if method == "POST":
        args += ["--data-binary", "body"]
    r = curl(f"http://www.example.com:{http_port}/redirect/x", "--resolve",
             f"www.example.com:{http_port}:127.0.0.1", *args)
    assert r.exit_code == 0 and r.status == http_status, (r.status, r.stderr)
    if http_status == 301:
        assert r.header("Location") == f"https://www.example.com:{https_port}/redirect/x"
    assert origin.request_count() == 0
