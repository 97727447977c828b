"""The admin API on a non-loopback address, for real: the edge runs in a network namespace of
its own, reached over a veth pair from a second namespace acting as a remote client. The
addresses (10.213.0.1/30 for the edge, .2 for the client) exist only in these namespaces.

Root only (CI runs as root); the namespaces are removed after each test."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import uuid

import pytest

import harness
from harness import EdgeStartError, dir_origin, distribution, edge_config, wait_until, write_config

EDGE_ADDR = "10.213.0.1"
CLIENT_ADDR = "10.213.0.2"

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("ip") is None or shutil.which("curl") is None,
    reason="network namespaces need root, ip and curl")


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, timeout=20, stdout=subprocess.DEVNULL)


class Namespaces:
    """Two namespaces joined by a veth pair: `edge` holds EDGE_ADDR, `client` CLIENT_ADDR."""

    def __init__(self):
        tag = uuid.uuid4().hex[:8]
        self.edge = f"efadm-e-{tag}"
        self.client = f"efadm-c-{tag}"

    def create(self) -> "Namespaces":
        ip("netns", "add", self.edge)
        ip("netns", "add", self.client)
        veth_e, veth_c = f"ve{self.edge[-8:]}", f"vc{self.edge[-8:]}"
        ip("link", "add", veth_e, "netns", self.edge, "type", "veth", "peer", "name", veth_c,
           "netns", self.client)
        for ns, dev, addr in ((self.edge, veth_e, EDGE_ADDR), (self.client, veth_c, CLIENT_ADDR)):
            ip("-n", ns, "addr", "add", f"{addr}/30", "dev", dev)
            ip("-n", ns, "link", "set", dev, "up")
            ip("-n", ns, "link", "set", "lo", "up")
        return self

    def delete(self) -> None:
        for ns in (self.edge, self.client):
            subprocess.run(["ip", "netns", "delete", ns], timeout=20,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def curl(self, ns: str, url: str, *args: str) -> str:
        """The HTTP status curl got from inside `ns`, or "000" if it could not connect."""
        r = subprocess.run(["ip", "netns", "exec", ns, "curl", "-s", "-o", "/dev/null",
                            "--max-time", "10", "-w", "%{http_code}", *args, url],
                           capture_output=True, text=True, timeout=30)
        return r.stdout.strip() or "000"


class NetnsEdge(harness.Edge):
    """An edge started inside a namespace (`ip netns exec` execs it: the PID stays the edge's)."""

    def __init__(self, netns: str, *args, **kw):
        super().__init__(*args, **kw)
        self.netns = netns

    def command(self) -> list:
        return ["ip", "netns", "exec", self.netns] + super().command()


@pytest.fixture
def ns():
    n = Namespaces()
    try:
        yield n.create()
    finally:
        n.delete()


@pytest.fixture
def netns_edges(edge_bin, tmp_path, ns):
    started: list = []

    def make(cfg, start=True, **kw):
        e = NetnsEdge(ns.edge, edge_bin, tmp_path / f"edge{len(started)}", cfg, **kw)
        started.append(e)
        return e.start() if start else e

    try:
        yield make
    finally:
        for e in started:
            if e.proc is not None:
                e.stop(expect_code=None)


def config(tmp_path, **server) -> dict:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "index.html").write_text("hi\n")
    return edge_config(distribution([dir_origin("site", site)], "site"), **server)


def remote(ns: Namespaces, edge, path: str, *args: str) -> str:
    return ns.curl(ns.client, f"http://{EDGE_ADDR}:{edge.admin_port}{path}", *args)


TOKEN = ("-H", "Authorization: Bearer s3cret")


def test_remote_admin_needs_the_token(ns, netns_edges, tmp_path):
    edge = netns_edges(config(tmp_path, admin=f"{EDGE_ADDR}:0", admin_token="s3cret"))
    assert remote(ns, edge, "/metrics") == "401"
    assert remote(ns, edge, "/metrics", "-H", "Authorization: Bearer wrong") == "401"
    assert remote(ns, edge, "/metrics", *TOKEN) == "200"
    assert remote(ns, edge, "/faults", "-X", "DELETE") == "401"
    assert remote(ns, edge, "/faults", "-X", "DELETE", *TOKEN) == "200"


def test_admin_flag_on_a_remote_address_needs_a_token(ns, netns_edges, tmp_path):
    edge = netns_edges(config(tmp_path), start=False, extra_args=["--admin", f"{EDGE_ADDR}:0"])
    with pytest.raises(EdgeStartError) as info:
        edge.start()
    assert "server.admin_token: required" in info.value.stderr
    # With the token in the file, the same flag serves it, token required.
    edge = netns_edges(config(tmp_path, admin_token="s3cret"),
                       extra_args=["--admin", f"{EDGE_ADDR}:0"])
    assert remote(ns, edge, "/healthz") == "401"
    assert remote(ns, edge, "/healthz", *TOKEN) == "200"


def test_reload_cannot_drop_the_token_behind_the_admin_flag(ns, netns_edges, tmp_path):
    cfg = config(tmp_path, admin_token="s3cret")
    edge = netns_edges(cfg, extra_args=["--admin", f"{EDGE_ADDR}:0"])
    del cfg["server"]["admin_token"]
    write_config(edge.config_path, cfg)
    edge.send_signal(signal.SIGHUP)
    wait_until(lambda: "config refused" in edge.stderr_text(), timeout=10)
    assert "(set by --admin)" in edge.stderr_text()
    assert remote(ns, edge, "/metrics") == "401"
    assert remote(ns, edge, "/metrics", *TOKEN) == "200"


def test_reload_dropping_the_token_moves_admin_off_the_remote_address(ns, netns_edges, tmp_path):
    # The file had a public admin with a token; the new one has a loopback admin and no token:
    # the public socket must go, not keep serving without the token.
    cfg = config(tmp_path, admin=f"{EDGE_ADDR}:0", admin_token="s3cret")
    edge = netns_edges(cfg)
    public = edge.admin_port
    cfg["server"]["admin"] = "127.0.0.1:0"
    del cfg["server"]["admin_token"]
    write_config(edge.config_path, cfg)
    edge.send_signal(signal.SIGHUP)
    wait_until(lambda: edge.admin_port != public, timeout=10)
    assert ns.curl(ns.client, f"http://{EDGE_ADDR}:{public}/metrics") == "000"
    assert ns.curl(ns.edge, f"http://127.0.0.1:{edge.admin_port}/metrics") == "200"
    # And a file that keeps the public address but drops the token is refused whole.
    cfg["server"]["admin"] = f"{EDGE_ADDR}:0"
    write_config(edge.config_path, cfg)
    edge.send_signal(signal.SIGHUP)
    wait_until(lambda: "config refused" in edge.stderr_text(), timeout=10)
    assert ns.curl(ns.edge, f"http://127.0.0.1:{edge.admin_port}/metrics") == "200"


def test_remote_write_without_token_is_impossible_even_by_host_header(ns, netns_edges, tmp_path):
    # A loopback admin in the edge's namespace: a write naming a public host is refused even
    # when it reaches the socket (the DNS rebinding shape), a loopback one works.
    edge = netns_edges(config(tmp_path))
    url = f"http://127.0.0.1:{edge.admin_port}/faults"
    assert ns.curl(ns.edge, url, "-X", "DELETE", "-H", "Host: admin.attacker.example") == "403"
    assert ns.curl(ns.edge, url, "-X", "DELETE", "-H", "Origin: http://attacker.example") == "403"
    assert ns.curl(ns.edge, url, "-X", "DELETE") == "200"
