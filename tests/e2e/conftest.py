"""Fixtures for the end-to-end suite.

    def test_x(cluster):
        origin = cluster.origin(Behavior(status=200))
        edge = cluster.edge(edge_config(distribution([http_origin("app", origin.port)], "app")))
        ...

`cluster` owns every fake origin and edge a test starts and stops them all in a finalizer:
origins first (hung requests end at once, so the edges drain quickly), then edges with
SIGTERM, asserting exit code 0 unless the test already stopped them itself.
"""

from __future__ import annotations

import faulthandler
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from fake_origin import Behavior, FakeOrigin  # noqa: E402

# A test stuck for this long dumps every thread's stack and ends the run (ctest's own
# timeout would kill it without telling where it hung).
_TEST_WATCHDOG_S = int(os.environ.get("EDGEFRONT_E2E_TEST_TIMEOUT", "150"))


@pytest.fixture(autouse=True)
def _watchdog():
    faulthandler.dump_traceback_later(_TEST_WATCHDOG_S, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


@pytest.fixture(scope="session")
def edge_bin() -> Path:
    b = harness.edge_binary()
    if b is None:
        pytest.skip("no edgefront binary: set EDGEFRONT_BIN or build build/edgefront")
    if not (b.exists() and os.access(b, os.X_OK)):
        pytest.fail(f"EDGEFRONT_BIN={b} is not an executable file")
    return b.resolve()


@pytest.fixture(scope="session")
def source_dir() -> Path:
    return harness.source_dir()


class Cluster:
    def __init__(self, binary: Path, tmp_path: Path):
        self.binary = binary
        self.tmp = tmp_path
        self.origins: list = []
        self.edges: list = []

    def origin(self, behavior: Behavior | None = None, name: str | None = None,
               handler=None) -> FakeOrigin:
        o = FakeOrigin(behavior, name=name or f"origin{len(self.origins)}", handler=handler)
        self.origins.append(o)
        return o.start()

    def new_edge(self, config=None, **kw) -> harness.Edge:
        """An Edge not started yet (for tests that start it themselves)."""
        workdir = self.tmp / f"edge{len(self.edges)}"
        e = harness.Edge(self.binary, workdir, config, **kw)
        self.edges.append(e)
        return e

    def edge(self, config=None, **kw) -> harness.Edge:
        return self.new_edge(config, **kw).start()

    def close(self) -> None:
        errors = []
        for o in self.origins:
            o.stop()
        for e in self.edges:
            if e.proc is None:
                continue
            try:
                e.stop()
            except AssertionError as ex:
                errors.append(str(ex))
            text = e.stderr_text().strip()
            if text:
                print(f"---- edgefront (pid {e.proc.pid}) stderr ----\n{text[-20000:]}")
        for o in self.origins:
            if o.errors:
                errors.append(f"fake origin {o.name} errors: {o.errors}")
        if errors:
            pytest.fail("\n".join(errors), pytrace=False)


@pytest.fixture
def cluster(edge_bin, tmp_path):
    c = Cluster(edge_bin, tmp_path)
    try:
        yield c
    finally:
        c.close()


@pytest.fixture
def origins():
    """Fake origins only (no binary needed): call origins() to start one."""
    started: list = []

    def make(behavior: Behavior | None = None, name: str | None = None, handler=None):
        o = FakeOrigin(behavior, name=name or f"origin{len(started)}", handler=handler)
        started.append(o)
        return o.start()

    try:
        yield make
    finally:
        for o in started:
            o.stop()
