"""The built-in demo (`edgefront serve` with no --config) and examples/edgefront.yaml, as the
README walks through them."""

from __future__ import annotations

import json

import re
import shutil

import pytest

from harness import curl, http_request


def test_builtin_demo_serves_primary(cluster, source_dir):
    # --admin moves the demo's admin listener (127.0.0.1:9901) to a free port.
    edge = cluster.edge(None, cwd=source_dir, expect_admin=True,
                        extra_args=["--admin", "127.0.0.1:0"])
    index = (source_dir / "examples" / "site" / "index.html").read_bytes()

    r = curl(f"{edge.url}/")
    assert r.exit_code == 0, r.stderr
    assert r.status == 200
    assert (r.header("Content-Type") or "").startswith("text/html")
    assert r.header("X-Edgefront-Origin") == "primary"
    assert r.body == index

    for path, ctype in [("/about.html", "text/html"), ("/style.css", "text/css")]:
        r = http_request(edge.port, "GET", path)
        assert r.status == 200
        assert r.header("X-Edgefront-Origin") == "primary"
        assert (r.header("Content-Type") or "").startswith(ctype)
        assert r.body == (source_dir / "examples" / "site" / path.lstrip("/")).read_bytes()

    r = http_request(edge.port, "GET", "/no-such-page.html")
    assert r.status == 404


@pytest.fixture
def examples_copy(tmp_path, source_dir):
    """A copy of the demo: site/, site-backup/ and edgefront.yaml (admin made ephemeral)."""
    src = source_dir / "examples"
    dst = tmp_path / "examples"
    dst.mkdir()
    shutil.copytree(src / "site", dst / "site")
    shutil.copytree(src / "site-backup", dst / "site-backup")
    text = (src / "edgefront.yaml").read_text()
    text, n = re.subn(r"(?m)^(\s*admin:\s*)\S+", r'\g<1>"127.0.0.1:0"', text)
    assert n == 1, "examples/edgefront.yaml has no server.admin line to make ephemeral"
    (dst / "edgefront.yaml").write_text(text)
    return dst


def test_example_yaml_fails_over_to_backup(cluster, examples_copy):
    cfg = examples_copy / "edgefront.yaml"
    # run from elsewhere: site/ and site-backup/ are relative to the config file
    edge = cluster.edge(cfg, cwd=examples_copy.parent, expect_admin=True)
    primary = examples_copy / "site"
    backup = examples_copy / "site-backup"
    common = sorted(p.name for p in primary.iterdir()
                    if p.is_file() and (backup / p.name).is_file() and p.suffix == ".html")
    assert common, "site/ and site-backup/ share no html file"
    name = "about.html" if "about.html" in common else common[0]

    r = http_request(edge.port, "GET", f"/{name}")
    assert r.status == 200 and r.header("X-Edgefront-Origin") == "primary"
    assert r.body == (primary / name).read_bytes()

    r = http_request(edge.port, "GET", f"/{name}")
    assert r.header("X-Cache") == "Hit from edgefront"

    (primary / name).unlink()
    # The cached copy would be served for up to 10 s: invalidate it, as the README shows.
    inv = curl(f"{edge.admin_url}/invalidations", "-X", "POST", "-d",
               json.dumps({"Paths": {"Quantity": 1, "Items": [f"/{name}"]}}))
    assert inv.status == 201, inv
    r = curl(f"{edge.url}/{name}")
    assert r.exit_code == 0 and r.status == 200
    assert r.header("X-Edgefront-Origin") == "secondary"
    assert r.body == (backup / name).read_bytes()
    assert r.header("X-Edgefront-Attempts") == "primary=404, secondary=200"

    edge.wait_metric("edgefront_origin_failovers_total", 1, distribution=_dist_id(edge),
                     group="site", **{"from": "primary"})

    # other files still come from the primary
    r = http_request(edge.port, "GET", "/")
    assert r.status == 200 and r.header("X-Edgefront-Origin") == "primary"

    # missing from both: the secondary's 404 is delivered
    r = http_request(edge.port, "GET", "/missing-everywhere.html")
    assert r.status == 404
    assert r.header("X-Edgefront-Origin") == "secondary"


def _dist_id(edge) -> str:
    """The id of the single distribution as the metrics name it."""
    ids = {dict(labels).get("distribution") for (name, labels) in edge.metrics()
           if name == "edgefront_origin_requests_total"}
    ids.discard(None)
    assert len(ids) == 1, ids
    return ids.pop()
