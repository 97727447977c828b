"""The seed's CloudFront DistributionConfig (examples/cloudfront-seed.json) served as-is,
except for the origin transport: the seed's origins are https-only on port 443 and its
viewer policy is redirect-to-https. TLS to origins and viewers is a later issue, so the test
points each origin at a plain-HTTP fake origin (DomainName stays 127.0.0.1) and allows
plain-HTTP viewers. Everything else (origin group, failover criteria, methods, forwarding)
is the seed's."""

from __future__ import annotations

import copy
import json
import subprocess

import pytest

from fake_origin import Behavior
from harness import RawConn, http_request, request_bytes, write_config


@pytest.fixture
def seed(source_dir) -> dict:
    path = source_dir / "examples" / "cloudfront-seed.json"
    if not path.exists():
        pytest.skip("examples/cloudfront-seed.json not written yet")
    return json.loads(path.read_text())


@pytest.mark.parametrize("name", ["cloudfront-seed.json", "cloudfront-wrapped.json"])
def test_validate_unmodified_seed(edge_bin, source_dir, name):
    path = source_dir / "examples" / name
    if not path.exists():
        pytest.skip(f"examples/{name} not written yet")
    r = subprocess.run([str(edge_bin), "validate", str(path)], capture_output=True, text=True,
                       timeout=20)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


def localize(seed: dict, ports: dict) -> dict:
    """ports: origin Id -> fake origin port. Plain HTTP; TLS is a later issue."""
    cfg = copy.deepcopy(seed)
    items = cfg["Origins"]["Items"]
    assert {o["Id"] for o in items} == set(ports), [o["Id"] for o in items]
    for o in items:
        assert o["DomainName"] == "127.0.0.1"
        coc = o["CustomOriginConfig"]
        coc["OriginProtocolPolicy"] = "http-only"
        coc["HTTPPort"] = ports[o["Id"]]
    for b in [cfg["DefaultCacheBehavior"]] + cfg.get("CacheBehaviors", {}).get("Items", []):
        b["ViewerProtocolPolicy"] = "allow-all"
    return cfg


@pytest.fixture
def seeded(cluster, seed, tmp_path):
    ids = [o["Id"] for o in seed["Origins"]["Items"]]
    group = seed["OriginGroups"]["Items"][0]
    members = [m["OriginId"] for m in group["Members"]["Items"]]
    assert members[0] in ids and members[1] in ids
    primary = cluster.origin(Behavior(echo=True, headers=[("X-Served-By", "primary")]),
                             name="primary")
    secondary = cluster.origin(Behavior(echo=True, headers=[("X-Served-By", "secondary")]),
                               name="secondary")
    ports = {members[0]: primary.port, members[1]: secondary.port}
    for other in set(ids) - set(members):
        ports[other] = cluster.origin(name=other).port
    path = write_config(tmp_path / "seed-local.json", localize(seed, ports))
    # CloudFront JSON has no edgefront server section: --admin moves the default admin
    # listener (127.0.0.1:9901) to a free port.
    edge = cluster.edge(path, expect_admin=True, extra_args=["--admin", "127.0.0.1:0"])
    return edge, primary, secondary, group


def test_seed_serves_from_primary(seeded):
    edge, primary, secondary, _ = seeded
    r = http_request(edge.port, "GET", "/hello?x=1")
    assert r.status == 200
    assert r.header("X-Served-By") == "primary"
    assert secondary.request_count() == 0
    req = primary.requests[0]
    assert req.target == "/hello?x=1"  # QueryString: true
    assert req.header("Host") == "127.0.0.1"


def test_seed_root(seeded, seed):
    edge, primary, _, _ = seeded
    r = http_request(edge.port, "GET", "/")
    assert r.status == 200
    expected = "/" + seed.get("DefaultRootObject", "") if seed.get("DefaultRootObject") else "/"
    assert primary.requests[0].target == expected


def test_seed_fails_over_on_listed_codes(seeded):
    edge, primary, secondary, group = seeded
    codes = group["FailoverCriteria"]["StatusCodes"]["Items"]
    for code in codes:
        r = http_request(edge.port, "GET", f"/_fo@primary/status={code}/page")
        assert r.status == 200, (code, r)
        assert r.header("X-Served-By") == "secondary"
    assert secondary.request_count() == len(codes)


def test_seed_does_not_fail_over_unlisted(seeded):
    edge, primary, secondary, group = seeded
    assert 404 not in group["FailoverCriteria"]["StatusCodes"]["Items"]
    r = http_request(edge.port, "GET", "/_fo@primary/status=404/page")
    assert r.status == 404
    assert secondary.request_count() == 0


def test_seed_post_goes_to_primary_only(seeded):
    edge, primary, secondary, _ = seeded
    r = http_request(edge.port, "POST", "/_fo@primary/status=503/orders", body=b'{"id": 1}',
                     headers={"Content-Type": "application/json"})
    assert r.status == 503
    assert secondary.request_count() == 0
    assert primary.completed()[0].body == b'{"id": 1}'


def test_seed_cookies_forwarded(seeded):
    edge, primary, _, _ = seeded
    with RawConn(edge.port) as c:
        c.send(request_bytes("GET", "/c", headers=[("Cookie", "session=abc; theme=dark")]))
        assert c.read_response().status == 200
    assert primary.requests[0].header("Cookie") == "session=abc; theme=dark"  # Forward: all


def test_seed_wrapped_form_serves_too(cluster, seed, tmp_path):
    primary = cluster.origin(Behavior(body=b"p"), name="primary")
    secondary = cluster.origin(Behavior(body=b"s"), name="secondary")
    group = seed["OriginGroups"]["Items"][0]
    members = [m["OriginId"] for m in group["Members"]["Items"]]
    ports = {members[0]: primary.port, members[1]: secondary.port}
    for o in seed["Origins"]["Items"]:
        if o["Id"] not in ports:
            ports[o["Id"]] = cluster.origin(name=o["Id"]).port
    wrapped = {"ETag": "E2QWRUHEXAMPLE", "DistributionConfig": localize(seed, ports)}
    path = write_config(tmp_path / "wrapped-local.json", wrapped)
    edge = cluster.edge(path, expect_admin=True, extra_args=["--admin", "127.0.0.1:0"])
    primary.set(status=502)
    r = http_request(edge.port, "GET", "/x")
    assert r.status == 200 and r.body == b"s"
