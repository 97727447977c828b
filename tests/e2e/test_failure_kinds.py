"""Real origin failures, one kind per test, through the real binary: black-holed (a listener
whose accept queue is full), slow, flapping, killed and restarted (failback). Refusing,
hanging, 503-ing and reset-mid-body origins are covered in test_failover.py and
test_health.py; the same kinds injected through the admin API in test_faults.py.

A packet-drop black hole in a network namespace needs tc actions or netem, which this
machine's kernel does not have; the full accept queue gives the same symptom (SYNs dropped,
the connect hangs until ConnectionTimeout).
"""

from __future__ import annotations

import itertools
import select
import socket
import threading

import pytest

from fake_origin import Behavior, FakeOrigin
from harness import distribution, edge_config, http_get, http_origin, wait_until

CODES = [500, 502, 503, 504]


class BlackholedListener:
    """A port that listens but never accepts, its accept queue filled: Linux drops further
    SYNs, so a connect neither succeeds nor fails until the client gives up."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(0)
        self.port = self.listener.getsockname()[1]
        self.fillers: list = []
        for _ in range(16):
            c = socket.socket()
            c.setblocking(False)
            c.connect_ex(("127.0.0.1", self.port))
            self.fillers.append(c)
            _, writable, _ = select.select([], [c], [], 0.5)
            if not writable:
                return  # this SYN was dropped: the queue is full
        raise AssertionError("could not fill the accept queue")

    def close(self) -> None:
        for s in self.fillers + [self.listener]:
            s.close()


@pytest.fixture
def blackhole():
    b = BlackholedListener()
    yield b
    b.close()


def group_config(primary, secondary, **group_extra):
    group = {"id": "grp", "members": ["primary", "secondary"], "failover_status_codes": CODES}
    group.update(group_extra)
    return edge_config(distribution([primary, secondary], "grp", groups=[group]))


def attempts(r) -> str:
    return r.header("X-Edgefront-Attempts") or ""


# ------------------------------------------------------------------------------ black-holed


def test_blackholed_single_origin_is_504(cluster, blackhole):
    edge = cluster.edge(edge_config(distribution(
        [http_origin("primary", blackhole.port, connection_timeout="300ms")], "primary")))
    r = http_get(edge.port, "/x")
    assert r.status == 504
    assert attempts(r) == "primary=connect-timeout"


def test_blackholed_primary_costs_each_attempt_in_cloudfront_mode(cluster, blackhole):
    secondary = cluster.origin(Behavior(body=b"secondary"), name="secondary")
    edge = cluster.edge(group_config(
        http_origin("primary", blackhole.port, connection_timeout="200ms",
                    connection_attempts=2),
        http_origin("secondary", secondary.port), selection="cloudfront"))
    for i in range(2):
        r = http_get(edge.port, f"/c{i}")
        assert r.status == 200 and r.body == b"secondary"
        assert attempts(r) == ("primary=connect-timeout, primary=connect-timeout, "
                               "secondary=200")


def test_blackholed_primary_is_ejected_and_skipped(cluster, blackhole):
    secondary = cluster.origin(Behavior(body=b"secondary"), name="secondary")
    edge = cluster.edge(group_config(
        http_origin("primary", blackhole.port, connection_timeout="200ms"),
        http_origin("secondary", secondary.port),
        outlier_detection={"consecutive_failures": 1, "base_ejection": "60s"}))
    assert attempts(http_get(edge.port, "/1")) == "primary=connect-timeout, secondary=200"
    for i in range(5):
        r = http_get(edge.port, f"/s{i}")
        assert r.body == b"secondary"
        assert attempts(r) == "primary=skipped-unhealthy, secondary=200"
    assert edge.metric("edgefront_origin_errors_total", distribution="main", origin="primary",
                       kind="timeout") == 1


# ------------------------------------------------------------------------------ slow


def test_slow_origin_within_read_timeout_is_waited_for(cluster):
    primary = cluster.origin(Behavior(body=b"primary", delay_s=0.3), name="primary")
    secondary = cluster.origin(Behavior(body=b"secondary"), name="secondary")
    edge = cluster.edge(group_config(http_origin("primary", primary.port, read_timeout="5s"),
                                     http_origin("secondary", secondary.port)))
    r = http_get(edge.port, "/slow")
    assert r.status == 200 and r.body == b"primary" and attempts(r) == "primary=200"
    assert secondary.request_count() == 0


def test_slow_origin_beyond_read_timeout_fails_over(cluster):
    primary = cluster.origin(Behavior(body=b"primary", delay_s=3), name="primary")
    secondary = cluster.origin(Behavior(body=b"secondary"), name="secondary")
    edge = cluster.edge(group_config(http_origin("primary", primary.port, read_timeout="300ms"),
                                     http_origin("secondary", secondary.port)))
    r = http_get(edge.port, "/slow")
    assert r.status == 200 and r.body == b"secondary"
    assert attempts(r) == "primary=read-timeout, secondary=200"


# ------------------------------------------------------------------------------ flapping


def flapping(pattern):
    """A handler cycling through `pattern` (Behaviors, None = the default answer)."""
    cycle = itertools.cycle(pattern)
    lock = threading.Lock()

    def handler(req):
        with lock:
            return next(cycle)
    return handler


def test_flapping_origin_never_fails_a_viewer_request(cluster):
    down = Behavior(status=503)
    garbage = Behavior(raw_response=b"NOT HTTP\r\n\r\n")
    primary = cluster.origin(Behavior(body=b"primary"), name="primary",
                             handler=flapping([down, None, garbage, None, None]))
    secondary = cluster.origin(Behavior(body=b"secondary"), name="secondary")
    edge = cluster.edge(group_config(http_origin("primary", primary.port),
                                     http_origin("secondary", secondary.port),
                                     outlier_detection={"consecutive_failures": 2,
                                                        "base_ejection": "60s"}))
    served = {b"primary": 0, b"secondary": 0}
    for i in range(40):
        r = http_get(edge.port, f"/f{i}")
        assert r.status == 200, (i, r.status, attempts(r))
        served[r.body] += 1
    # Failures never came two in a row, so the primary was never ejected: it served the
    # good turns, the secondary the bad ones.
    assert served[b"primary"] == 24 and served[b"secondary"] == 16
    assert edge.metric("edgefront_origin_ejections_total", distribution="main",
                       origin="primary") == 0


def test_flapping_origin_is_ejected_then_readmitted(cluster):
    state = {"down": True}
    primary = cluster.origin(Behavior(body=b"primary"), name="primary",
                             handler=lambda req: Behavior(status=503) if state["down"] else None)
    secondary = cluster.origin(Behavior(body=b"secondary"), name="secondary")
    edge = cluster.edge(group_config(http_origin("primary", primary.port),
                                     http_origin("secondary", secondary.port),
                                     # Full share right after each ejection, so
                                     # every round meets the primary (gradual
                                     # re-admission has unit tests of its own).
                                     outlier_detection={"consecutive_failures": 2,
                                                        "base_ejection": "200ms",
                                                        "recovery_window": "0s"}))
    for round_ in range(3):
        state["down"] = True
        for i in range(2):
            assert http_get(edge.port, f"/d{round_}{i}").body == b"secondary"
        state["down"] = False
        # Every request is served meanwhile; the primary comes back once its ejection ends.
        wait_until(lambda: http_get(edge.port, "/u").body == b"primary", timeout=10,
                   desc="failback to the primary")
    assert edge.metric("edgefront_origin_ejections_total", distribution="main",
                       origin="primary") == 3


# ------------------------------------------------------------------------------ killed, restarted


def test_killed_primary_fails_over_and_fails_back_when_restarted(cluster):
    primary = cluster.origin(Behavior(body=b"primary"), name="primary")
    secondary = cluster.origin(Behavior(body=b"secondary"), name="secondary")
    port = primary.port
    edge = cluster.edge(group_config(http_origin("primary", port),
                                     http_origin("secondary", secondary.port),
                                     outlier_detection={"consecutive_failures": 1,
                                                        "base_ejection": "300ms"}))
    assert http_get(edge.port, "/before").body == b"primary"
    primary.stop()  # the process dies: its port refuses, pooled connections are closed
    r = http_get(edge.port, "/dead")
    assert r.status == 200 and r.body == b"secondary"
    assert attempts(r).startswith("primary=") and attempts(r).endswith("secondary=200")
    for i in range(3):
        assert http_get(edge.port, f"/dead{i}").body == b"secondary"

    restarted = FakeOrigin(Behavior(body=b"primary again"), name="primary-restarted")
    cluster.origins.append(restarted)
    restarted.start(port=port)
    wait_until(lambda: http_get(edge.port, "/back").body == b"primary again", timeout=10,
               desc="failback to the restarted primary")


# ------------------------------------------------------------------------------ gradual re-admission


def test_primary_is_readmitted_gradually_after_an_ejection(cluster):
    state = {"down": True}
    primary = cluster.origin(Behavior(body=b"primary"), name="primary",
                             handler=lambda req: Behavior(status=503) if state["down"] else None)
    secondary = cluster.origin(Behavior(body=b"secondary"), name="secondary")
    edge = cluster.edge(group_config(http_origin("primary", primary.port),
                                     http_origin("secondary", secondary.port),
                                     outlier_detection={"consecutive_failures": 1,
                                                        "base_ejection": "300ms",
                                                        "recovery_window": "60s"}))
    assert http_get(edge.port, "/down").body == b"secondary"  # ejected now
    state["down"] = False
    # Once the ejection is over the primary leads only a small, growing share of requests
    # (10% at first over a 60 s window): most still go to the secondary, none fail.
    wait_until(lambda: http_get(edge.port, "/probe").body == b"primary", timeout=10,
               desc="primary re-admitted")
    bodies = [http_get(edge.port, f"/r{i}").body for i in range(30)]
    assert set(bodies) <= {b"primary", b"secondary"}
    assert bodies.count(b"secondary") > 15, bodies
    # On probation one failure ejects it again at once (with 10%+ of the requests, one of
    # 150 reaches it all but surely), and every request is still answered.
    state["down"] = True
    for i in range(150):
        assert http_get(edge.port, f"/f{i}").body == b"secondary"
    assert edge.metric("edgefront_origin_ejections_total", distribution="main",
                       origin="primary") >= 2
