"""The disk tier end to end: objects survive a restart (SIGTERM and kill -9) and are served
as hits without the origin, a corrupted file is never served, a kill -9 in the middle of
fills and disk writes never yields a corrupt or short hit, invalidations hold across a
restart, and the byte budget bounds what is on disk. Waits poll GET /cache with deadlines."""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path

from fake_origin import Behavior, pattern_bytes
from harness import distribution, edge_config, http_origin, http_request, wait_until

MIB = 1 << 20


def cached(max_age: int = 3600, **kw) -> Behavior:
    headers = [("Cache-Control", f"max-age={max_age}")] + kw.pop("headers", [])
    return Behavior(headers=headers, **kw)


def pattern(n: int) -> bytes:
    out = bytearray()
    while len(out) < n:
        out += pattern_bytes(len(out), min(MIB, n - len(out)))
    return bytes(out)


class DiskEdge:
    """One edge configuration on one disk directory, started and restarted by the test."""

    def __init__(self, cluster, origin, disk_dir: Path, size: str = "64MiB",
                 memory: str = "64MiB"):
        self.cluster = cluster
        self.disk_dir = disk_dir
        self.config = edge_config(
            distribution([http_origin("app", origin.port)], "app", cache_policy="honour-origin"),
            cache={"memory": memory, "disk": {"path": str(disk_dir), "size": size}})
        self.edge = None

    def start(self):
        self.edge = self.cluster.edge(self.config, env={**os.environ, "EDGEFRONT_TEST_CLOCK": "1"})
        return self.edge

    def restart(self, sig=signal.SIGTERM):
        self.edge.stop(sig, expect_code=0 if sig == signal.SIGTERM else None)
        return self.start()

    def stats(self) -> dict:
        r = http_request(self.edge.admin_port, "GET", "/cache")
        assert r.status == 200
        return json.loads(r.body)["disk"]

    def wait_writes(self, n: int, timeout: float = 10.0) -> dict:
        return wait_until(lambda: (s := self.stats())["writes"] >= n and s,
                          timeout=timeout, desc=f"{n} disk writes")

    def get(self, path: str, headers=None):
        return http_request(self.edge.port, "GET", path, headers=headers)


def record_files(disk_dir: Path) -> list:
    return sorted(p for p in disk_dir.rglob("*.rec"))


def temp_files(disk_dir: Path) -> list:
    return sorted(p for p in disk_dir.rglob("*.tmp"))


def test_object_survives_restart_and_is_a_hit_without_the_origin(cluster, tmp_path):
    body = pattern(300_000)
    origin = cluster.origin(cached(body=body, headers=[("ETag", '"v1"')]))
    d = DiskEdge(cluster, origin, tmp_path / "disk")
    d.start()
    first = d.get("/obj")
    assert first.status == 200 and first.body == body
    assert first.header("X-Cache") == "Miss from edgefront"
    d.wait_writes(1)
    assert len(record_files(d.disk_dir)) == 1

    d.restart()
    assert d.stats()["objects"] == 1
    again = d.get("/obj")
    assert again.status == 200 and again.body == body
    assert again.header("X-Cache") == "Hit from edgefront"
    assert "detail=disk" in again.header("Cache-Status")
    assert again.header("ETag") == '"v1"'
    assert origin.request_count() == 1
    # Promoted to memory: the next hit does not read the disk again.
    third = d.get("/obj")
    assert third.header("X-Cache") == "Hit from edgefront"
    assert "detail=disk" not in third.header("Cache-Status")
    assert d.stats()["hits"] == 1
    assert origin.request_count() == 1


def test_compressed_variant_survives_restart(cluster, tmp_path):
    import brotli

    text = b"<p>compressed once, kept on disk</p>\n" * 500
    origin = cluster.origin(Behavior(body=text, headers=[
        ("Cache-Control", "max-age=3600"), ("Content-Type", "text/html"), ("ETag", '"t1"')]))
    d = DiskEdge(cluster, origin, tmp_path / "disk")
    behavior = d.config["distributions"][0]["default_cache_behavior"]
    behavior.update({"cache_policy": "CachingOptimized", "compress": True})
    d.start()
    first = d.get("/c", headers={"Accept-Encoding": "br, gzip"})
    assert first.header("Content-Encoding") == "br"
    d.wait_writes(1)
    d.restart()
    again = d.get("/c", headers={"Accept-Encoding": "gzip, br"})
    assert again.header("X-Cache") == "Hit from edgefront"
    assert again.header("Content-Encoding") == "br" and again.header("ETag") == 'W/"t1"'
    assert brotli.decompress(again.body) == text
    assert origin.request_count() == 1


def test_stale_disk_object_revalidates_after_restart(cluster, tmp_path):
    origin = cluster.origin(cached(max_age=60, body=b"versioned", headers=[("ETag", '"e1"')]))
    d = DiskEdge(cluster, origin, tmp_path / "disk")
    d.start()
    assert d.get("/s").body == b"versioned"
    d.wait_writes(1)
    d.restart()
    # The clock of the new process starts at the real time: move it past max-age.
    status = http_request(d.edge.admin_port, "POST", "/test/clock?advance=120").status
    assert status == 200
    r = d.get("/s")
    assert r.status == 200 and r.body == b"versioned"
    assert origin.request_count() == 2
    revalidation = dict((k.lower(), v) for k, v in origin.requests[-1].headers)
    assert revalidation.get("if-none-match") == '"e1"'
    assert r.header("X-Cache") == "Miss from edgefront"  # the origin answered 200, not 304


def test_corrupt_file_is_not_served_and_is_restored(cluster, tmp_path):
    body = pattern(200_000)
    origin = cluster.origin(cached(body=body))
    d = DiskEdge(cluster, origin, tmp_path / "disk")
    d.start()
    assert d.get("/c").body == body
    d.wait_writes(1)
    d.edge.stop()
    [record] = record_files(d.disk_dir)
    data = bytearray(record.read_bytes())
    data[len(data) // 2] ^= 0x40  # a flipped bit in the body
    record.write_bytes(bytes(data))

    d.start()
    r = d.get("/c")
    assert r.status == 200 and r.body == body
    assert r.header("X-Cache") == "Miss from edgefront"
    assert origin.request_count() == 2
    stats = d.wait_writes(1)
    assert stats["corrupt"] == 1
    assert "failed verification" in d.edge.stderr_text()
    # The clean copy is back: a restart serves it from disk.
    d.restart()
    again = d.get("/c")
    assert again.body == body and again.header("X-Cache") == "Hit from edgefront"
    assert origin.request_count() == 2


def test_kill_during_fill_never_yields_a_short_hit(cluster, tmp_path):
    size = 3 * MIB
    body = pattern(size)
    origin = cluster.origin(cached(body_size=size, chunk_size=64 * 1024,
                                   stall_after_bytes=MIB))
    # 8MiB of memory keeps at most 512KiB per object: the body is going to disk as it streams.
    d = DiskEdge(cluster, origin, tmp_path / "disk", memory="8MiB")
    d.start()
    received = {}

    def client():
        try:
            received["r"] = d.get("/big")
        except Exception as e:  # the edge dies under it
            received["error"] = e

    t = threading.Thread(target=client)
    t.start()
    origin.wait_for_requests(1)
    wait_until(lambda: temp_files(d.disk_dir), desc="a disk write in progress")
    d.edge.stop(signal.SIGKILL, expect_code=None)
    assert record_files(d.disk_dir) == []
    origin.release()
    t.join(timeout=10)

    origin.behavior = cached(body_size=size, chunk_size=64 * 1024)
    d.start()
    r = d.get("/big")
    assert r.status == 200 and r.body == body
    assert r.header("X-Cache") == "Miss from edgefront"
    assert origin.request_count() == 2
    assert temp_files(d.disk_dir) == []


def test_kill_during_disk_writes_then_every_hit_is_whole(cluster, tmp_path):
    count, size = 24, 2 * MIB
    origin = cluster.origin(cached(echo=False, body_size=size))
    d = DiskEdge(cluster, origin, tmp_path / "disk", size="256MiB", memory="256MiB")
    d.start()
    for i in range(count):
        assert d.get(f"/o{i}").status == 200
    # Some writes done, some queued or in progress: kill now.
    d.edge.stop(signal.SIGKILL, expect_code=None)
    written = len(record_files(d.disk_dir))

    d.start()
    assert temp_files(d.disk_dir) == []
    expected = pattern(size)
    hits = 0
    for i in range(count):
        r = d.get(f"/o{i}")
        assert r.status == 200 and r.body == expected, f"/o{i}"
        hits += r.header("X-Cache") == "Hit from edgefront"
    assert hits == d.stats()["hits"]
    assert hits == written  # every record complete before the kill is served, nothing else
    assert origin.request_count() == 2 * count - hits


def test_kill_right_after_a_completed_write_is_a_hit(cluster, tmp_path):
    body = pattern(500_000)
    origin = cluster.origin(cached(body=body))
    d = DiskEdge(cluster, origin, tmp_path / "disk")
    d.start()
    assert d.get("/k").body == body
    d.wait_writes(1)
    d.restart(signal.SIGKILL)
    r = d.get("/k")
    assert r.body == body and r.header("X-Cache") == "Hit from edgefront"
    assert origin.request_count() == 1


def test_invalidation_holds_across_restart(cluster, tmp_path):
    origin = cluster.origin(cached(echo=True))
    d = DiskEdge(cluster, origin, tmp_path / "disk")
    d.start()
    for p in ("/img/a", "/img/b", "/txt/c"):
        assert d.get(p).status == 200
    d.wait_writes(3)
    batch = {"InvalidationBatch": {"Paths": {"Quantity": 1, "Items": ["/img/*"]},
                                   "CallerReference": "r1"}}
    status = http_request(d.edge.admin_port, "POST", "/invalidations",
                          body=json.dumps(batch).encode(),
                          headers={"Content-Type": "application/json"}).status
    assert status == 201
    wait_until(lambda: d.stats()["invalidated"] == 2, desc="disk copies invalidated")
    d.restart()
    assert d.stats()["objects"] == 1
    assert d.get("/img/a").header("X-Cache") == "Miss from edgefront"
    assert d.get("/txt/c").header("X-Cache") == "Hit from edgefront"
    assert origin.request_count() == 4


def test_invalidation_acknowledged_just_before_a_kill_is_not_lost(cluster, tmp_path):
    # The invalidation is journaled before the 201; a kill -9 before the writer's scan must not
    # bring the object back after the restart.
    origin = cluster.origin(cached(echo=True))
    d = DiskEdge(cluster, origin, tmp_path / "disk")
    d.start()
    assert d.get("/img/a").status == 200
    d.wait_writes(1)
    batch = {"InvalidationBatch": {"Paths": {"Quantity": 1, "Items": ["/img/*"]},
                                   "CallerReference": "r2"}}
    status = http_request(d.edge.admin_port, "POST", "/invalidations",
                          body=json.dumps(batch).encode(),
                          headers={"Content-Type": "application/json"}).status
    assert status == 201
    d.restart(signal.SIGKILL)
    assert d.get("/img/a").header("X-Cache") == "Miss from edgefront"
    assert origin.request_count() == 2


def test_byte_budget_bounds_the_disk(cluster, tmp_path):
    size = 256 * 1024
    origin = cluster.origin(cached(body_size=size))
    d = DiskEdge(cluster, origin, tmp_path / "disk", size="2MiB")
    d.start()
    for i in range(20):
        assert d.get(f"/b{i}").status == 200
        d.wait_writes(i + 1)
    stats = d.stats()
    assert stats["evictions"] > 0
    assert stats["bytes"] <= 2 * MIB
    on_disk = sum(p.stat().st_size for p in d.disk_dir.rglob("*") if p.is_file())
    assert on_disk <= 2 * MIB
    assert stats["objects"] == len(record_files(d.disk_dir))


def test_bad_disk_config_names_the_field(cluster, tmp_path):
    origin = cluster.origin(cached())
    cfg = edge_config(distribution([http_origin("app", origin.port)], "app"),
                      cache={"memory": "64MiB", "disk": {"path": str(tmp_path / "d"),
                                                         "size": "lots"}})
    edge = cluster.new_edge(cfg)
    try:
        edge.start()
        raise AssertionError("edge started with a bad disk size")
    except Exception as e:
        assert "server.cache.disk.size" in str(e) + edge.stderr_text()


def test_large_object_goes_to_disk_while_streaming(cluster, tmp_path):
    size = 3 * MIB  # the memory tier keeps at most 512KiB per object at 8MiB
    body = pattern(size)
    origin = cluster.origin(cached(body_size=size, chunked=True))
    d = DiskEdge(cluster, origin, tmp_path / "disk", memory="8MiB")
    d.start()
    first = d.get("/large")
    assert first.status == 200 and first.body == body
    d.wait_writes(1)
    assert http_request(d.edge.admin_port, "GET", "/cache").status == 200
    second = d.get("/large")
    assert second.status == 200 and second.body == body
    assert second.header("X-Cache") == "Hit from edgefront"
    assert "detail=disk" in second.header("Cache-Status")
    assert origin.request_count() == 1
    d.restart()
    third = d.get("/large")
    assert third.body == body and third.header("X-Cache") == "Hit from edgefront"
    assert origin.request_count() == 1


def test_truncated_large_body_is_never_stored(cluster, tmp_path):
    size = 3 * MIB
    origin = cluster.origin(cached(body_size=size, reset_after_bytes=2 * MIB))
    d = DiskEdge(cluster, origin, tmp_path / "disk", memory="8MiB")
    d.start()
    try:
        r = d.get("/cut")
        assert len(r.body) < size
    except Exception:
        pass  # the edge aborts the response: the viewer sees a broken transfer
    wait_until(lambda: origin.request_count() == 1, desc="the origin's answer")
    wait_until(lambda: temp_files(d.disk_dir) == [], desc="the temp file deleted")
    origin.behavior = cached(body_size=size)
    r = d.get("/cut")
    assert r.status == 200 and r.body == pattern(size)
    assert r.header("X-Cache") == "Miss from edgefront"
    assert d.wait_writes(1)["writes"] == 1
    assert origin.request_count() == 2


def test_range_far_into_a_large_object_from_origin_and_from_disk(cluster, tmp_path):
    size = 6 * MIB  # beyond what memory keeps (512KiB) plus the 4MiB streaming window
    body = pattern(size)
    origin = cluster.origin(cached(body_size=size))
    d = DiskEdge(cluster, origin, tmp_path / "disk", memory="8MiB")
    d.start()
    want = body[5_000_000:5_000_100]
    first = d.get("/r", headers={"Range": "bytes=5000000-5000099"})
    assert first.status == 206 and first.body == want
    d.wait_writes(1)
    second = d.get("/r", headers={"Range": "bytes=5000000-5000099"})
    assert second.status == 206 and second.body == want
    assert second.header("X-Cache") == "Hit from edgefront"
    assert origin.request_count() == 1
