"""SIGHUP reloads the config file; a bad file is refused and the running config stays."""
import signal
import threading

from fake_origin import Behavior
from harness import distribution, edge_config, http_get, http_origin, wait_until, write_config


def served_by(edge) -> str:
    r = http_get(edge.port, "/reload")
    assert r.status == 200, r
    return r.header("X-Edgefront-Origin")


def config_for(origin_id, port):
    return edge_config(distribution([http_origin(origin_id, port)], origin_id))


def test_sighup_swaps_config_and_refuses_a_bad_one(cluster):
    a = cluster.origin(Behavior(body=b"from a"))
    b = cluster.origin(Behavior(body=b"from b"))
    edge = cluster.edge(config_for("alpha", a.port))
    assert served_by(edge) == "alpha"

    write_config(edge.config_path, config_for("beta", b.port))
    edge.send_signal(signal.SIGHUP)
    wait_until(lambda: served_by(edge) == "beta", timeout=5)
    assert http_get(edge.port, "/x").body == b"from b"

    bad = config_for("gamma", a.port)
    bad["distributions"][0]["origins"][0]["http_port"] = 70000
    write_config(edge.config_path, bad)
    edge.send_signal(signal.SIGHUP)
    wait_until(lambda: "config refused" in edge.stderr_text(), timeout=5)
    assert "distributions[0].origins[0].http_port: expected integer 1-65535" in edge.stderr_text()
    # Still the previous good config, and still serving.
    assert served_by(edge) == "beta"
    assert edge.alive()


def test_in_flight_request_keeps_its_config_across_reload(cluster):
    slow = cluster.origin(Behavior(body=b"slow answer", delay_s=1.0))
    other = cluster.origin(Behavior(body=b"other"))
    edge = cluster.edge(config_for("slow", slow.port))
    result = {}

    def fetch():
        result["r"] = http_get(edge.port, "/slow", timeout=10)

    t = threading.Thread(target=fetch)
    t.start()
    wait_until(lambda: len(slow.requests) == 1, timeout=5)
    write_config(edge.config_path, config_for("other", other.port))
    edge.send_signal(signal.SIGHUP)
    wait_until(lambda: served_by(edge) == "other", timeout=5)
    t.join(10)
    assert result["r"].status == 200 and result["r"].body == b"slow answer"


def test_circuit_breaker_count_survives_reload(cluster):
    # A request held by the old config still occupies the origin's only slot after a reload:
    # the new config must not let a second one through.
    slow = cluster.origin(Behavior(hang=True), name="slow")
    cfg = edge_config(distribution([http_origin("o0", slow.port, max_concurrent_requests=1)], "o0"))
    edge = cluster.edge(cfg)
    results = []
    t = threading.Thread(target=lambda: results.append(http_get(edge.port, "/held", timeout=30)))
    t.start()
    slow.wait_for_requests(1)
    write_config(edge.config_path, cfg)
    edge.send_signal(signal.SIGHUP)
    wait_until(lambda: "reload: new config in service" in edge.stderr_text(), timeout=5)
    r = http_get(edge.port, "/rejected")
    assert r.status == 503 and b"at its limit of 1 concurrent requests" in r.body
    assert slow.request_count() == 1
    slow.release()
    t.join(30)
    assert results and results[0].status == 200
