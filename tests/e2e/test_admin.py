"""The admin API: who may write without a token, the token rule after --admin and reloads, and
a reload that moves the admin listener (rebound, or refused whole). The non-loopback cases run
inside network namespaces (test_admin_netns.py)."""

from __future__ import annotations

import signal
import socket

import pytest

from harness import (EdgeStartError, RawConn, dir_origin, distribution, edge_config, http_get, http_request,
                     port_refuses, request_bytes, wait_until, write_config)


def config(tmp_path, **server) -> dict:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "index.html").write_text("hi\n")
    return edge_config(distribution([dir_origin("site", site)], "site"), **server)


def admin_raw(port: int, method: str, path: str, headers=(), host: str = "127.0.0.1",
              connect_host: str = "127.0.0.1"):
    with RawConn(port, host=connect_host) as c:
        c.send(request_bytes(method, path, headers=list(headers), host=host))
        return c.read_response()


def test_writes_without_token_need_a_loopback_host_and_no_origin(cluster, tmp_path):
    edge = cluster.edge(config(tmp_path))
    port = edge.admin_port
    # A web page's request (Origin) or a rebound public name (Host): refused, nothing done.
    for host, headers in [(f"127.0.0.1:{port}", [("Origin", f"http://127.0.0.1:{port}")]),
                          ("localhost", [("Origin", "null")]),
                          (f"attacker.example:{port}", []),
                          ("127.0.0.1.attacker.example", [])]:
        r = admin_raw(port, "DELETE", "/faults", headers, host=host)
        assert r.status == 403, (host, headers, r)
        assert b"loopback Host" in r.body
    # Reads stay open to any Host (the metrics scrape of a local agent).
    assert admin_raw(port, "GET", "/healthz", host="attacker.example").status == 200
    # Loopback names, with or without a port: allowed.
    for host in (f"127.0.0.1:{port}", "localhost", f"LOCALHOST:{port}", f"[::1]:{port}"):
        r = admin_raw(port, "DELETE", "/faults", host=host)
        assert r.status == 200, (host, r)


def test_token_is_required_and_compared_exactly(cluster, tmp_path):
    edge = cluster.edge(config(tmp_path, admin_token="s3cret"))
    port = edge.admin_port
    assert http_get(port, "/metrics").status == 401
    for wrong in ("Bearer s3cre", "Bearer s3cretX", "Bearer S3CRET", "s3cret"):
        assert http_get(port, "/metrics", headers={"Authorization": wrong}).status == 401, wrong
    assert http_get(port, "/metrics", headers={"Authorization": "Bearer s3cret"}).status == 200
    # With a token, a write from any Host is the token's business.
    r = admin_raw(port, "DELETE", "/faults", [("Authorization", "Bearer s3cret")],
                  host="admin.example")
    assert r.status == 200, r


def test_blank_admin_token_is_refused_at_load(cluster, tmp_path):
    edge = cluster.new_edge(config(tmp_path, admin_token="   "))
    with pytest.raises(EdgeStartError) as info:
        edge.start()
    assert "server.admin_token: must not be empty or blank" in info.value.stderr


def test_reload_moves_the_admin_listener(cluster, tmp_path):
    cfg = config(tmp_path)
    edge = cluster.edge(cfg)
    old = edge.admin_port
    # Another loopback address: a new socket, the old one closed, its connections too.
    idle = socket.create_connection(("127.0.0.1", old), timeout=5)
    cfg["server"]["admin"] = "127.0.0.2:0"
    write_config(edge.config_path, cfg)
    edge.send_signal(signal.SIGHUP)
    wait_until(lambda: edge.admin_port != old, timeout=10)
    assert http_get(edge.admin_port, "/healthz", host="127.0.0.2").status == 200
    assert port_refuses(old)
    idle.settimeout(5)
    try:  # closed by the edge (reset if it was still in the old socket's backlog)
        assert idle.recv(1) == b""
    except ConnectionResetError:
        pass
    idle.close()
    # Off: the listener goes away.
    moved = edge.admin_port
    cfg["server"]["admin"] = "off"
    write_config(edge.config_path, cfg)
    edge.send_signal(signal.SIGHUP)
    wait_until(lambda: "reload: admin API off" in edge.stderr_text(), timeout=10)
    s = socket.socket()
    s.settimeout(2)
    with pytest.raises(ConnectionRefusedError):
        s.connect(("127.0.0.2", moved))
    s.close()
    assert http_get(edge.port, "/index.html").status == 200


def test_reload_to_a_busy_admin_address_is_refused_whole(cluster, tmp_path):
    cfg = config(tmp_path, admin_token="old-token")
    edge = cluster.edge(cfg)
    old = edge.admin_port
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    try:
        cfg["server"]["admin"] = f"127.0.0.1:{busy.getsockname()[1]}"
        cfg["server"]["admin_token"] = "new-token"
        cfg["distributions"][0]["id"] = "renamed"
        write_config(edge.config_path, cfg)
        edge.send_signal(signal.SIGHUP)
        wait_until(lambda: "still serving the previous config and admin address"
                   in edge.stderr_text(), timeout=10)
    finally:
        busy.close()
    assert "reload: admin: cannot listen on 127.0.0.1:" in edge.stderr_text()
    # Nothing of the new config applied: old address, old token, old distribution.
    assert edge.admin_port == old
    auth = {"Authorization": "Bearer old-token"}
    assert http_get(old, "/metrics", headers={"Authorization": "Bearer new-token"}).status == 401
    r = http_get(old, "/origins", headers=auth)
    assert r.status == 200 and b'"id":"main"' in r.body
    assert "reload: new config in service" not in edge.stderr_text()


def test_reload_keeping_the_admin_address_keeps_its_socket(cluster, tmp_path):
    cfg = config(tmp_path, admin_token="one")
    edge = cluster.edge(cfg)
    port = edge.admin_port
    cfg["server"]["admin_token"] = "two"
    write_config(edge.config_path, cfg)
    edge.send_signal(signal.SIGHUP)
    wait_until(lambda: http_get(port, "/healthz",
                                headers={"Authorization": "Bearer two"}).status == 200,
               timeout=10)
    assert http_get(port, "/healthz", headers={"Authorization": "Bearer one"}).status == 401
    assert edge.admin_port == port


def test_admin_flag_cannot_open_a_public_admin_without_token(cluster, tmp_path):
    # Refused before anything binds: no socket on 0.0.0.0 is ever opened.
    edge = cluster.new_edge(config(tmp_path), extra_args=["--admin", "0.0.0.0:0"])
    with pytest.raises(EdgeStartError) as info:
        edge.start()
    assert ("server.admin_token: required when admin listens on a non-loopback address "
            "(0.0.0.0:0) (set by --admin)") in info.value.stderr
    assert info.value.returncode == 1
