"""The live status page on the admin listener: GET / (and its script and style, served by
the binary, no token needed: they hold no data), GET /status.json (behind the admin token),
and the page itself in headless Chromium showing a failover as it happens."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest

from browser import Browser
from fake_origin import Behavior
from harness import distribution, edge_config, http_origin, http_request, wait_until

TOKEN = "s3cret-token"


def group_config(primary_port: int, secondary_port: int, **server) -> dict:
    origins = [http_origin("app", primary_port), http_origin("app2", secondary_port)]
    group = {"id": "grp", "members": ["app", "app2"], "failover_status_codes": [503]}
    return edge_config(distribution(origins, "grp", groups=[group]), admin_token=TOKEN, **server)


def admin(edge, method: str, path: str, body=None, token: str | None = TOKEN):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    return http_request(edge.admin_port, method, path, headers=headers, body=data)


def status(edge) -> dict:
    r = admin(edge, "GET", "/status.json")
    assert r.status == 200, r.body
    return json.loads(r.body)


@pytest.fixture
def pair(cluster):
    primary = cluster.origin(Behavior(body=b"from-primary"), name="primary")
    secondary = cluster.origin(Behavior(body=b"from-secondary"), name="secondary")
    return primary, secondary


class Traffic:
    """Viewer requests in a loop on a thread, until stopped: failovers need requests."""

    def __init__(self, port: int, interval: float = 0.03):
        self.port, self.interval = port, interval
        self.stop_event = threading.Event()
        self.bodies: list = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop_event.is_set():
            try:
                self.bodies.append(http_request(self.port, "GET", "/page").body)
            except Exception:
                pass
            self.stop_event.wait(self.interval)

    def __enter__(self) -> "Traffic":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop_event.set()
        self.thread.join(timeout=10)


def artifacts_dir() -> Path:
    """build/test-artifacts next to the binary under test (else under the source tree)."""
    binary = os.environ.get("EDGEFRONT_BIN")
    base = Path(binary).resolve().parent if binary else Path(__file__).resolve().parents[2] / "build"
    return base / "test-artifacts"


# ------------------------------------------------------------------------------ the API


def test_page_files_are_served_without_token_and_data_needs_it(cluster, pair):
    primary, secondary = pair
    edge = cluster.edge(group_config(primary.port, secondary.port))
    page = http_request(edge.admin_port, "GET", "/")
    assert page.status == 200
    assert page.header("Content-Type").startswith("text/html")
    assert "default-src 'self'" in page.header("Content-Security-Policy")
    assert b'<script src="/status.js">' in page.body
    for path, kind in (("/status.js", "text/javascript"), ("/status.css", "text/css")):
        r = http_request(edge.admin_port, "GET", path)
        assert r.status == 200 and r.header("Content-Type").startswith(kind)
        # Everything the page runs comes from the binary: no external script or style.
        assert b"http://" not in r.body and b"https://" not in r.body
    assert b"http://" not in page.body and b"https://" not in page.body

    assert admin(edge, "GET", "/status.json", token=None).status == 401
    assert admin(edge, "GET", "/status.json", token="wrong").status == 401
    assert admin(edge, "GET", "/metrics", token=None).status == 401  # unchanged
    doc = status(edge)
    (dist,) = doc["distributions"]
    assert dist["id"] == "main"
    assert [o["id"] for o in dist["origins"]] == ["app", "app2"]
    assert all(o["verdict"] == "healthy" for o in dist["origins"])
    assert dist["groups"] == [{"id": "grp", "serving": "app", "members": [
        {"origin": "app", "verdict": "healthy", "failovers_from": 0},
        {"origin": "app2", "verdict": "healthy", "failovers_from": 0}]}]
    assert doc["events"] == [] and doc["faults"] == [] and doc["invalidations"] == []


def test_series_count_requests_per_second(cluster, pair):
    primary, secondary = pair
    edge = cluster.edge(group_config(primary.port, secondary.port))
    for _ in range(7):
        assert http_request(edge.port, "GET", "/x").status == 200
    # The sampler adds a point a second; the requests land in one or two of them.
    doc = wait_until(lambda: (d := status(edge)) and
                     sum(d["distributions"][0]["series"]["requests"]) == 7 and d,
                     timeout=8, desc="7 requests in the per-second series")
    dist = doc["distributions"][0]
    assert len(dist["series"]["t"]) == len(dist["series"]["requests"]) >= 1
    latency = next(o for o in dist["origins"] if o["id"] == "app")["latency"]
    assert any(v is not None and v > 0 for v in latency["mean_ms"])


def test_failover_fault_and_recovery_become_events(cluster, pair):
    primary, secondary = pair
    edge = cluster.edge(group_config(primary.port, secondary.port))
    assert status(edge)["events"] == []  # the sampler has seen the quiet state
    with Traffic(edge.port):
        wait_until(lambda: status(edge)["distributions"][0]["groups"][0]["serving"] == "app",
                   timeout=5, desc="app serving")
        r = admin(edge, "POST", "/faults", {"origin": "app", "kind": "status", "status": 503})
        assert r.status == 201
        fault_id = json.loads(r.body)["id"]

        def failed_over():
            doc = status(edge)
            kinds = [e["kind"] for e in doc["events"]]
            group = doc["distributions"][0]["groups"][0]
            return group["serving"] == "app2" and "failover" in kinds and doc

        doc = wait_until(failed_over, timeout=5, desc="the failover in /status.json")
        fault = next(e for e in doc["events"] if e["kind"] == "fault")
        assert fault["subject"] == f"#{fault_id}" and "status 503 on app" in fault["detail"]
        failover = next(e for e in doc["events"] if e["kind"] == "failover")
        assert failover["subject"] == "grp" and "from app" in failover["detail"]
        assert doc["faults"][0]["fault"] == "status 503 on app"
        # Passive health ejects the primary after consecutive failures.
        doc = wait_until(lambda: (d := status(edge)) and
                         any(e["kind"] == "ejection" for e in d["events"]) and d,
                         timeout=5, desc="the ejection event")
        assert next(o for o in doc["distributions"][0]["origins"]
                    if o["id"] == "app")["verdict"] == "ejected"
        assert admin(edge, "DELETE", f"/faults/{fault_id}").status == 200
        doc = wait_until(lambda: (d := status(edge)) and
                         any(e["kind"] == "fault" and e["detail"].startswith("removed")
                             for e in d["events"]) and d,
                         timeout=5, desc="the fault's removal")
        assert doc["faults"] == []


def test_invalidations_are_listed(cluster):
    origin = cluster.origin(Behavior(headers=[("Cache-Control", "max-age=60")]))
    cfg = edge_config(distribution([http_origin("app", origin.port)], "app",
                                   cache_policy="honour-origin"),
                      cache={"memory": "16MiB"}, admin_token=TOKEN)
    edge = cluster.edge(cfg)
    assert status(edge)["invalidations"] == []
    r = admin(edge, "POST", "/invalidations", {"InvalidationBatch": {
        "Paths": {"Quantity": 2, "Items": ["/a", "/b*"]}, "CallerReference": "r1"}})
    assert r.status == 201, r.body
    doc = status(edge)
    (inv,) = doc["invalidations"]
    assert inv["distribution"] == "main" and inv["paths"] == ["/a", "/b*"]
    event = next(e for e in doc["events"] if e["kind"] == "invalidation")
    assert event["subject"] == inv["id"] and event["detail"] == "/a /b*"


# ------------------------------------------------------------------------------ the page


def test_page_in_chromium_shows_the_failover_within_2s(cluster, pair, tmp_path):
    primary, secondary = pair
    edge = cluster.edge(group_config(primary.port, secondary.port))
    page = f"http://127.0.0.1:{edge.admin_port}/"
    state = "document.getElementById('state').textContent"
    with Traffic(edge.port), Browser(tmp_path / "chromium-profile") as browser:
        # Without a token the page asks for one; a wrong one is refused, the right one works.
        browser.navigate(page)
        asking = "!document.getElementById('login').hidden"
        wait_until(lambda: browser.evaluate(asking), timeout=10, interval=0.05,
                   desc="the login prompt")
        login = ("document.getElementById('token').value = {!r};"
                 " document.getElementById('login').requestSubmit();")
        browser.evaluate(login.format("wrong"))
        wait_until(lambda: browser.evaluate(asking) and "refused" in browser.evaluate(
            "document.getElementById('login-error').textContent"), timeout=5, interval=0.05,
            desc="the wrong token refused")
        browser.evaluate(login.format(TOKEN))
        wait_until(lambda: browser.evaluate(state) == "live", timeout=5, interval=0.05,
                   desc="the page live after the login")

        # The token can also travel in the fragment (never sent to the server), then in
        # sessionStorage.
        browser.evaluate("sessionStorage.clear()")
        browser.navigate("about:blank")
        browser.navigate(f"{page}#token={TOKEN}")
        serving = ("document.querySelector('[data-distribution=\"main\"] [data-group=\"grp\"]')"
                   "?.dataset.serving ?? null")
        wait_until(lambda: browser.evaluate(serving) == "app", timeout=10, interval=0.05,
                   desc="the page showing app serving")
        assert browser.evaluate("location.hash") == ""  # the token left the URL
        assert browser.evaluate(state) == "live"

        r = admin(edge, "POST", "/faults", {"origin": "app", "kind": "status", "status": 503})
        assert r.status == 201
        injected = time.monotonic()
        shown = ("(() => { const g = document.querySelector('[data-group=\"grp\"]');"
                 " return !!g && g.dataset.serving === 'app2' &&"
                 " !!document.querySelector('#events .event-failover'); })()")
        wait_until(lambda: browser.evaluate(shown), timeout=2.0, interval=0.05,
                   desc="the page showing the failover")
        took = time.monotonic() - injected
        text = browser.evaluate("document.querySelector('#events .event-failover').textContent")
        assert "grp" in text and "from app" in text
        # The charts are drawn (a canvas with pixels), then the picture is kept.
        wait_until(lambda: browser.evaluate(
            "document.querySelectorAll('canvas[data-chart]').length") == 4, timeout=5)
        shot = browser.screenshot(artifacts_dir() / "status_page_failover.png")
        assert shot.stat().st_size > 10_000
        print(f"failover shown {took:.2f} s after the fault; screenshot {shot}")
