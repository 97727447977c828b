"""Worker threads: many concurrent viewers are all served."""

from __future__ import annotations

import threading

from fake_origin import Behavior
from harness import (RawConn, distribution, edge_config, http_origin, request_bytes,
                     wait_until)


def make(cluster, behavior, workers):
    o = cluster.origin(behavior)
    cfg = edge_config(distribution([http_origin("app", o.port, read_timeout="20s")], "app"))
    return cluster.edge(cfg, workers=workers), o


def run_threads(n, fn):
    errors = []

    def wrap(i):
        try:
            fn(i)
        except Exception as e:
            errors.append(f"client {i}: {type(e).__name__}: {e}")

    threads = [threading.Thread(target=wrap, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "clients still running after 60s"
    assert not errors, errors[:5]


def test_three_workers_serve_many_connections(cluster):
    edge, o = make(cluster, Behavior(echo=True), workers=3)
    # worker threads may start just after the listening line is printed
    wait_until(lambda: edge.thread_count() >= 3, timeout=5, desc="3 worker threads")

    def client(i):
        with RawConn(edge.port, timeout=20) as c:
            for j in range(10):
                c.send(request_bytes("GET", f"/c{i}/r{j}"))
                r = c.read_response()
                assert r.status == 200 and r.body == f"GET /c{i}/r{j}".encode()

    run_threads(40, client)
    assert o.request_count() == 400
    edge.wait_metric("edgefront_requests_total", 400, status="2xx")
    edge.wait_metric("edgefront_connections_accepted_total", 40)


def test_concurrent_in_flight_requests(cluster):
    """30 requests held at the origin at the same time: none waits for another."""
    n = 30
    edge, o = make(cluster, Behavior(hang=True, body=b"together"), workers=3)
    results = {}

    def client(i):
        with RawConn(edge.port, timeout=30) as c:
            c.send(request_bytes("GET", f"/held{i}"))
            results[i] = c.read_response(timeout=30)

    starter = threading.Thread(target=run_threads, args=(n, client), daemon=True)
    starter.start()
    wait_until(lambda: o.request_count() >= n, timeout=15,
               desc=f"{n} requests in flight at the origin at once")
    o.release()
    starter.join(60)
    assert len(results) == n
    assert all(r.status == 200 and r.body == b"together" for r in results.values())


def test_single_worker(cluster):
    edge, o = make(cluster, Behavior(body=b"one"), workers=1)

    def client(i):
        with RawConn(edge.port, timeout=20) as c:
            for _ in range(5):
                c.send(request_bytes("GET", "/"))
                assert c.read_response().body == b"one"

    run_threads(10, client)
    assert o.request_count() == 50


def test_task_count_follows_workers(cluster):
    e1, _ = make(cluster, Behavior(), workers=1)
    e4, _ = make(cluster, Behavior(), workers=4)
    wait_until(lambda: e4.thread_count() >= 4, timeout=5, desc="4 worker threads")
    # both serve a request, so all their threads are up
    from harness import http_request
    assert http_request(e1.port, "GET", "/").status == 200
    assert http_request(e4.port, "GET", "/").status == 200
    assert e4.thread_count() > e1.thread_count()
