"""Graceful shutdown: SIGTERM stops accepting, lets in-flight requests finish, exits 0."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from fake_origin import Behavior
from harness import (RawConn, distribution, edge_config, http_origin, http_request,
                     port_refuses, request_bytes, wait_until)


def make(cluster, behavior, **limits):
    o = cluster.origin(behavior, name="slow")
    cfg = edge_config(distribution([http_origin("app", o.port, read_timeout="20s")], "app"),
                      limits=limits or None)
    return cluster.edge(cfg), o


class Background:
    """A request on its own thread."""

    def __init__(self, port, path="/slow", timeout=30):
        self.result = None
        self.error = None
        self.thread = threading.Thread(target=self._run, args=(port, path, timeout), daemon=True)
        self.thread.start()

    def _run(self, port, path, timeout):
        try:
            with RawConn(port, timeout=timeout) as c:
                c.send(request_bytes("GET", path))
                self.result = c.read_response(timeout=timeout)
        except Exception as e:  # reported by join()
            self.error = e

    def join(self, timeout=20):
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the in-flight request never finished"
        if self.error:
            raise self.error
        return self.result


def test_sigterm_with_slow_request_in_flight(cluster):
    edge, o = make(cluster, Behavior(delay_s=1.0, body=b"slow but complete"))
    bg = Background(edge.port)
    o.wait_for_requests(1, timeout=10)  # the request is at the origin now
    edge.send_signal(signal.SIGTERM)
    r = bg.join()
    assert r.status == 200 and r.body == b"slow but complete"
    assert edge.wait_exit(timeout=15) == 0
    assert port_refuses(edge.port)


def test_sigterm_gated_request_stops_accepting_first(cluster):
    """Deterministic ordering: the origin holds the answer until the test releases it."""
    edge, o = make(cluster, Behavior(hang=True, body=b"released"))
    bg = Background(edge.port)
    o.wait_for_requests(1, timeout=10)
    edge.send_signal(signal.SIGTERM)
    # New connections are refused while the old request is still in flight.
    wait_until(lambda: port_refuses(edge.port), timeout=5, desc="listener closed after SIGTERM")
    assert edge.alive(), "edgefront exited with a request in flight"
    assert bg.thread.is_alive()
    o.release()
    r = bg.join()
    assert r.status == 200 and r.body == b"released"
    assert (r.header("Connection") or "").lower() == "close"
    assert edge.wait_exit(timeout=15) == 0


def test_sigterm_closes_idle_keepalive_connections(cluster):
    edge, o = make(cluster, Behavior(body=b"x"))
    conns = []
    try:
        for _ in range(5):
            c = RawConn(edge.port)
            c.send(request_bytes("GET", "/"))
            assert c.read_response().status == 200
            conns.append(c)
        t0 = time.monotonic()
        edge.send_signal(signal.SIGTERM)
        for c in conns:
            data, how = c.read_until_close(timeout=5)
            assert how in ("eof", "reset") and data == b""
        assert edge.wait_exit(timeout=10) == 0
            # idle connections do not hold up the exit until drain_timeout (10s in these configs)
        assert time.monotonic() - t0 < 5
    finally:
        for c in conns:
            c.close()


def test_sigterm_idle_process_exits_promptly(cluster):
    edge, _ = make(cluster, Behavior())
    assert http_request(edge.port, "GET", "/").status == 200
    t0 = time.monotonic()
    assert edge.stop() == 0
    assert time.monotonic() - t0 < 5
    assert port_refuses(edge.port)


def test_sigint_is_graceful_too(cluster):
    edge, _ = make(cluster, Behavior())
    assert http_request(edge.port, "GET", "/").status == 200
    assert edge.stop(sig=signal.SIGINT) == 0


def test_drain_timeout_bounds_shutdown(cluster):
    """A request that never finishes does not keep the process alive past drain_timeout."""
    edge, o = make(cluster, Behavior(hang=True), drain_timeout="1s")
    bg = Background(edge.port, timeout=20)
    o.wait_for_requests(1, timeout=10)
    t0 = time.monotonic()
    edge.send_signal(signal.SIGTERM)
    rc = edge.wait_exit(timeout=10)
    assert time.monotonic() - t0 < 6
    assert rc == 0
    bg.thread.join(10)
    # the viewer did not get a response passed off as complete
    assert bg.result is None or bg.result.status != 200


@pytest.mark.parametrize("sig", [signal.SIGTERM])
def test_admin_closed_after_shutdown(cluster, sig):
    edge, _ = make(cluster, Behavior())
    admin = edge.admin_port
    assert http_request(admin, "GET", "/metrics").status == 200
    assert edge.stop(sig=sig) == 0
    assert port_refuses(admin)
