"""Access logs in CloudFront's standard format: one line per request with the result type the
viewer's X-Cache announced, fields checked against what the client saw, the JSON-lines form,
reopening on SIGUSR1 under load with no line lost, and lines that cannot be written counted
as dropped."""

from __future__ import annotations

import json
import signal
import socket
import threading

import pytest

from fake_origin import Behavior
from harness import (RawConn, curl, distribution, edge_config, http_origin, http_request,
                     request_bytes, wait_until)
from tls_certs import make_test_certs, openssl_available

FIELDS = ("date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status "
          "cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type "
          "x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for "
          "ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status "
          "fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type "
          "sc-content-type sc-content-len sc-range-start sc-range-end").split()


def read_log(path) -> list[dict]:
    if not path.exists():
        return []
    lines = path.read_text().splitlines()
    out = []
    for line in lines:
        if line.startswith("#"):
            continue
        values = line.split("\t")
        assert len(values) == len(FIELDS), line
        out.append(dict(zip(FIELDS, values)))
    return out


def wait_lines(path, n: int, timeout: float = 10.0) -> list[dict]:
    return wait_until(lambda: (lambda l: l if len(l) >= n else None)(read_log(path)),
                      timeout=timeout, desc=f"{n} access log lines in {path}")


def start(cluster, tmp_path, behavior=None, groups=None, origins=None, target="app",
          cache=True, extra_args=(), **server):
    if origins is None:
        origin = cluster.origin(behavior or Behavior(headers=[("Cache-Control", "max-age=60")]))
        origins = [http_origin("app", origin.port)]
    else:
        origin = None
    dist = distribution(origins, target, groups=groups,
                        cache_policy="honour-origin" if cache else None)
    log = tmp_path / "access.log"
    server.setdefault("access_log", {"path": str(log)})
    cfg = edge_config(dist, cache={"memory": "64MiB"} if cache else {"memory": 0}, **server)
    edge = cluster.edge(cfg, env={"EDGEFRONT_TEST_CLOCK": "1"}, extra_args=list(extra_args))
    return edge, origin, log


def test_file_starts_with_the_w3c_header(cluster, tmp_path):
    edge, _, log = start(cluster, tmp_path)
    assert http_request(edge.port, "GET", "/a").status == 200
    wait_lines(log, 1)
    head = log.read_text().splitlines()[:2]
    assert head[0] == "#Version: 1.0"
    assert head[1] == "#Fields: " + " ".join(FIELDS)


def test_miss_then_hit_with_bytes_status_and_fields(cluster, tmp_path):
    edge, origin, log = start(cluster, tmp_path, Behavior(
        body=b"x" * 300, headers=[("Cache-Control", "max-age=60"),
                                  ("Content-Type", "text/plain")]))
    answers = []
    for _ in range(2):
        with socket.create_connection(("127.0.0.1", edge.port), timeout=5) as s:
            req = request_bytes("GET", "/p/a%20b?q=1", headers=[("User-Agent", "tester/1"),
                                                             ("Referer", "http://r.example/")])
            s.sendall(req)
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
                if b"\r\n\r\n" in data:
                    head, _, body = data.partition(b"\r\n\r\n")
                    if len(body) >= 300:
                        break
            answers.append((len(req), data))
    # Lines are not sorted by time (as in CloudFront): each worker hands over its own.
    lines = sorted(wait_lines(log, 2), key=lambda l: l["x-edge-result-type"] != "Miss")
    first, second = lines
    assert first["x-edge-result-type"] == "Miss"
    assert second["x-edge-result-type"] == "Hit"
    assert second["x-edge-response-result-type"] == "Hit"
    assert second["x-edge-detailed-result-type"] == "Hit"
    assert b"X-Cache: Miss" in answers[0][1] and b"X-Cache: Hit" in answers[1][1]
    for line, (sent, received) in zip(lines, answers):
        assert line["sc-status"] == "200"
        assert int(line["sc-bytes"]) == len(received)
        assert int(line["cs-bytes"]) == sent
        assert line["cs-method"] == "GET"
        assert line["cs-uri-stem"] == "/p/a%2520b"  # the raw path, its % encoded as CloudFront
        assert line["cs-uri-query"] == "q=1"
        assert line["cs(User-Agent)"] == "tester/1"
        assert line["cs(Referer)"] == "http://r.example/"
        assert line["c-ip"] == "127.0.0.1"
        assert int(line["c-port"]) > 0
        assert line["cs-protocol"] == "http"
        assert line["cs-protocol-version"] == "HTTP/1.1"
        assert line["ssl-protocol"] == "-"
        assert line["sc-content-type"] == "text/plain"
        assert line["sc-content-len"] == "300"
        assert float(line["time-taken"]) >= float(line["time-to-first-byte"]) >= 0
        assert len(line["x-edge-request-id"]) >= 16
    assert first["x-edge-request-id"] != second["x-edge-request-id"]


def test_refresh_hit_after_a_304(cluster, tmp_path):
    edge, origin, log = start(cluster, tmp_path, Behavior(
        body=b"validated", headers=[("Cache-Control", "max-age=1"), ("ETag", '"v1"')]))
    assert http_request(edge.port, "GET", "/r").status == 200
    status = http_request(edge.admin_port, "POST", "/test/clock?advance=5").status
    assert status == 200
    origin.behavior = Behavior(status=304, body=b"", headers=[("ETag", '"v1"'),
                                                              ("Cache-Control", "max-age=60")])
    r = http_request(edge.port, "GET", "/r")
    assert r.header("X-Cache").startswith("RefreshHit")
    lines = wait_lines(log, 2)
    assert sorted(l["x-edge-result-type"] for l in lines) == ["Miss", "RefreshHit"]


def test_errors_carry_their_detailed_type(cluster, tmp_path):
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    port = dead.getsockname()[1]
    dead.close()  # nothing listens there: connection refused
    edge, _, log = start(cluster, tmp_path, origins=[http_origin("app", port)], cache=False)
    r = http_request(edge.port, "GET", "/down")
    assert r.status == 502
    line = wait_lines(log, 1)[0]
    assert line["sc-status"] == "502"
    assert line["x-edge-result-type"] == "Error"
    assert line["x-edge-detailed-result-type"] == "OriginConnectError"


def test_failover_range_and_viewer_304(cluster, tmp_path):
    primary = cluster.origin(Behavior(status=503, body=b"down"), name="primary")
    secondary = cluster.origin(Behavior(body=b"0123456789" * 10,
                                        headers=[("Cache-Control", "max-age=60"),
                                                 ("ETag", '"e1"')]), name="secondary")
    groups = [{"id": "grp", "members": ["primary", "secondary"],
               "failover_status_codes": [500, 502, 503, 504]}]
    edge, _, log = start(cluster, tmp_path, origins=[http_origin("primary", primary.port),
                                                     http_origin("secondary", secondary.port)],
                         groups=groups, target="grp")
    r = http_request(edge.port, "GET", "/f")
    assert r.status == 200 and r.header("X-Edgefront-Origin") == "secondary"
    r = http_request(edge.port, "GET", "/f", headers={"Range": "bytes=10-19"})
    assert r.status == 206 and r.body == b"0123456789"
    r = http_request(edge.port, "GET", "/f", headers={"If-None-Match": '"e1"'})
    assert r.status == 304
    by_status = {l["sc-status"]: l for l in wait_lines(log, 3)}
    failover, ranged, not_modified = by_status["200"], by_status["206"], by_status["304"]
    assert failover["x-edge-result-type"] == "Miss" and failover["sc-status"] == "200"
    assert ranged["sc-status"] == "206" and ranged["x-edge-result-type"] == "Hit"
    assert (ranged["sc-range-start"], ranged["sc-range-end"]) == ("10", "19")
    assert not_modified["sc-status"] == "304" and not_modified["x-edge-result-type"] == "Hit"


def test_http2_stream_is_logged_as_http2(cluster, tmp_path):
    edge, _, log = start(cluster, tmp_path)
    r = curl(f"http://127.0.0.1:{edge.port}/h2", "--http2-prior-knowledge")
    assert r.status == 200
    line = wait_lines(log, 1)[0]
    assert line["cs-protocol-version"] == "HTTP/2.0"
    assert line["sc-status"] == "200"


@pytest.mark.skipif(not openssl_available(), reason="no openssl CLI")
def test_tls_request_names_protocol_and_cipher(cluster, tmp_path):
    certs = make_test_certs(tmp_path / "certs")
    listen = [{"address": "127.0.0.1:0",
               "tls": {"certificates": [{"cert": str(certs.server.cert),
                                         "key": str(certs.server.key)}]}}]
    origin = cluster.origin(Behavior(headers=[("Cache-Control", "max-age=60")]))
    log = tmp_path / "access.log"
    cfg = edge_config(distribution([http_origin("app", origin.port)], "app"),
                      listen=listen, access_log={"path": str(log)})
    edge = cluster.edge(cfg, listen=None)
    r = curl(f"https://localhost:{edge.port}/tls", "--cacert", str(certs.ca.cert), "--resolve",
             f"localhost:{edge.port}:127.0.0.1", "--http1.1", "--tlsv1.3")
    assert r.status == 200, r.stderr
    line = wait_lines(log, 1)[0]
    assert line["cs-protocol"] == "https"
    assert line["ssl-protocol"] == "TLSv1.3"
    assert line["ssl-cipher"].startswith("TLS_")


def test_json_lines_and_distribution_switch(cluster, tmp_path):
    log = tmp_path / "access.jsonl"
    edge, _, _ = start(cluster, tmp_path, access_log={"path": str(log), "format": "json"})
    assert http_request(edge.port, "GET", "/j?x=1").status == 200
    record = wait_until(lambda: log.exists() and log.read_text().strip() and
                        json.loads(log.read_text().splitlines()[0]), desc="a JSON line")
    assert record["cs-uri-stem"] == "/j" and record["cs-uri-query"] == "x=1"
    assert record["sc-status"] == "200" and record["cs(Cookie)"] is None


def test_command_line_turns_logging_on_over_a_disabled_distribution(cluster, tmp_path):
    origin = cluster.origin(Behavior())
    dist = distribution([http_origin("app", origin.port)], "app", logging={"enabled": False})
    log = tmp_path / "cli.log"
    edge = cluster.edge(edge_config(dist), extra_args=["--access-log", str(log)])
    assert http_request(edge.port, "GET", "/c").status == 200
    assert wait_lines(log, 1)[0]["cs-uri-stem"] == "/c"


def test_disabled_distribution_writes_nothing(cluster, tmp_path):
    origin = cluster.origin(Behavior())
    dist = distribution([http_origin("app", origin.port)], "app", logging={"enabled": False})
    log = tmp_path / "off.log"
    edge = cluster.edge(edge_config(dist, access_log={"path": str(log)}))
    for _ in range(3):
        assert http_request(edge.port, "GET", "/off").status == 200
    edge.stop()  # the writer flushes everything at exit
    assert read_log(log) == []


def test_reopen_on_sigusr1_under_load_loses_no_line(cluster, tmp_path):
    edge, _, log = start(cluster, tmp_path)
    rotated = tmp_path / "access.log.1"
    sent = [0, 0]
    stop = threading.Event()

    def load(i: int) -> None:
        while not stop.is_set():
            assert http_request(edge.port, "GET", f"/load{i}?n={sent[i]}").status == 200
            sent[i] += 1

    threads = [threading.Thread(target=load, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    try:
        wait_until(lambda: sum(sent) >= 50, timeout=20, desc="load before the rotation")
        log.rename(rotated)
        edge.send_signal(signal.SIGUSR1)
        wait_until(lambda: log.exists() and len(read_log(log)) > 0, timeout=10,
                   desc="the reopened file")
        wait_until(lambda: sum(sent) >= 150, timeout=20, desc="load after the rotation")
    finally:
        stop.set()
        for t in threads:
            t.join()
    total = sum(sent)
    edge.stop()
    assert len(read_log(rotated)) + len(read_log(log)) == total
    assert log.read_text().startswith("#Version: 1.0\n")


def test_unwritable_log_counts_dropped_lines_and_serves_on(cluster, tmp_path):
    edge, _, _ = start(cluster, tmp_path, access_log={"path": "/dev/full"})
    for _ in range(5):
        assert http_request(edge.port, "GET", "/d").status == 200
    edge.wait_metric("edgefront_access_log_lines_total", 5, outcome="dropped", timeout=10)
    assert edge.metric("edgefront_access_log_lines_total", outcome="written") == 0
