"""The command line: --version, --help, validate (native YAML and CloudFront JSON), and serve
refusing a bad config."""

from __future__ import annotations

import copy
import json
import re
import signal
import subprocess

import pytest

from harness import EdgeStartError, http_get, wait_until, write_config


def run(edge_bin, *args, timeout=20, cwd=None):
    return subprocess.run([str(edge_bin), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL, cwd=cwd)


def good_native(tmp_path) -> dict:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "index.html").write_text("<h1>hi</h1>\n")
    return {
        "server": {"listen": "127.0.0.1:0", "workers": 2, "admin": "127.0.0.1:0",
                   "served_by_header": True,
                   "limits": {"max_header_bytes": 20480, "header_timeout": "10s"}},
        "distributions": [{
            "id": "main",
            "default_root_object": "index.html",
            "origins": [
                {"id": "bucket", "directory": str(site)},
                {"id": "app", "domain_name": "127.0.0.1", "http_port": 8081,
                 "protocol_policy": "http-only", "origin_path": "/prod",
                 "custom_headers": {"X-Origin-Secret": "s3cr3t"}, "connection_attempts": 1,
                 "connection_timeout": "250ms", "read_timeout": 1, "keepalive_timeout": "5s"},
                {"id": "app2", "domain_name": "127.0.0.1", "http_port": 8082},
            ],
            "origin_groups": [{"id": "grp", "members": ["app", "app2"],
                               "failover_status_codes": [500, 502, 503, 504]}],
            "default_cache_behavior": {"target_origin_id": "grp",
                                       "viewer_protocol_policy": "allow-all",
                                       "allowed_methods": ["GET", "HEAD", "OPTIONS"]},
            "cache_behaviors": [{"path_pattern": "/api/*", "target_origin_id": "app",
                                 "allowed_methods": ["GET", "HEAD"]},
                                {"path_pattern": "/static/*", "target_origin_id": "bucket"}],
            "custom_error_responses": [{"error_code": 503, "response_page_path": "/errors/503.html",
                                        "response_code": 200}],
        }],
    }


YAML_TEXT = """\
# a hand-written YAML config (not JSON) with comments and flow/block styles
server:
  listen: 127.0.0.1:0
  admin: "off"
  workers: 1
distributions:
  - id: main
    origins:
      - id: app
        domain_name: 127.0.0.1
        http_port: 8081
        protocol_policy: http-only
      - {id: app2, domain_name: 127.0.0.1, http_port: 8082}
    origin_groups:
      - {id: grp, members: [app, app2], failover_status_codes: [500, 502, 503, 504]}
    default_cache_behavior:
      target_origin_id: grp
      allowed_methods: [GET, HEAD]
"""


def seed(source_dir) -> dict:
    return json.loads((source_dir / "examples" / "cloudfront-seed.json").read_text())


# ------------------------------------------------------------------------------------------


def test_version(edge_bin, source_dir):
    r = run(edge_bin, "--version")
    assert r.returncode == 0, r.stderr
    m = re.fullmatch(r"edgefront (\S+)\s*", r.stdout)
    assert m, f"unexpected --version output {r.stdout!r}"
    project = re.search(r"project\(edgefront\s+VERSION\s+(\S+)",
                        (source_dir / "CMakeLists.txt").read_text())
    if project:
        assert m.group(1) == project.group(1)


@pytest.mark.parametrize("args", [["--help"], ["serve", "--help"], ["validate", "--help"]])
def test_help(edge_bin, args):
    r = run(edge_bin, *args)
    assert r.returncode == 0, r.stderr
    out = r.stdout + r.stderr
    assert "serve" in out or "--config" in out or "file" in out.lower()


def test_top_level_help_lists_subcommands(edge_bin):
    r = run(edge_bin, "--help")
    assert "serve" in r.stdout and "validate" in r.stdout


def test_no_subcommand_is_an_error(edge_bin):
    r = run(edge_bin)
    assert r.returncode != 0


def test_unknown_subcommand_is_an_error(edge_bin):
    assert run(edge_bin, "frobnicate").returncode != 0


# ---------------------------------------------------------------------------- validate: good


def test_validate_good_native_json_syntax(edge_bin, tmp_path):
    path = write_config(tmp_path / "good.yaml", good_native(tmp_path))
    r = run(edge_bin, "validate", path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


def test_validate_good_native_yaml_syntax(edge_bin, tmp_path):
    path = tmp_path / "hand.yaml"
    path.write_text(YAML_TEXT)
    r = run(edge_bin, "validate", path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


def test_validate_relative_directory_is_relative_to_config(edge_bin, tmp_path):
    (tmp_path / "conf" / "www").mkdir(parents=True)
    path = tmp_path / "conf" / "c.yaml"
    path.write_text("server: {admin: 'off'}\ndistribution:\n  origins: [{id: b, directory: www/}]\n"
                    "  default_cache_behavior: {target_origin_id: b}\n")
    # run from elsewhere: the directory must resolve against the config's own directory
    r = run(edge_bin, "validate", path, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    (tmp_path / "conf" / "www").rmdir()
    r = run(edge_bin, "validate", path, cwd=tmp_path)
    assert r.returncode != 0
    assert "distribution.origins[0].directory:" in r.stderr


@pytest.mark.parametrize("name", ["edgefront.yaml", "edgefront-full.yaml", "honour-origin.yaml",
                                  "cloudfront-seed.json", "cloudfront-wrapped.json"])
def test_validate_examples(edge_bin, source_dir, name):
    path = source_dir / "examples" / name
    if not path.exists():
        pytest.skip(f"examples/{name} not written yet")
    r = run(edge_bin, "validate", path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


def test_validate_seed_warnings_go_to_stderr(edge_bin, source_dir):
    r = run(edge_bin, "validate", source_dir / "examples" / "cloudfront-seed.json")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"
    # The seed allows POST etc. on an origin-group behavior, which CloudFront's API refuses:
    # warned, with the field path.
    assert "DistributionConfig.DefaultCacheBehavior.AllowedMethods" in r.stderr
    # Its legacy TTLs are understood now: no warning about them.
    assert "MinTTL" not in r.stderr


# ----------------------------------------------------------------------------- validate: bad


def expect_invalid(r, *lines):
    assert r.returncode != 0, f"expected failure; stdout={r.stdout!r} stderr={r.stderr!r}"
    assert "ok" not in r.stdout.split(), r.stdout
    err_lines = [l.strip() for l in r.stderr.splitlines()]
    for line in lines:
        assert line in err_lines, f"missing error line {line!r} in stderr:\n{r.stderr}"


def test_validate_bad_native_port(edge_bin, tmp_path):
    cfg = good_native(tmp_path)
    cfg["distributions"][0]["origins"][1]["http_port"] = 70000
    r = run(edge_bin, "validate", write_config(tmp_path / "bad.yaml", cfg))
    expect_invalid(r, "distributions[0].origins[1].http_port: expected integer 1-65535")


def test_validate_bad_native_yaml_syntax_port(edge_bin, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(YAML_TEXT.replace("http_port: 8081", "http_port: 0"))
    expect_invalid(run(edge_bin, "validate", path),
                   "distributions[0].origins[0].http_port: expected integer 1-65535")


def test_validate_reports_every_error(edge_bin, tmp_path):
    cfg = good_native(tmp_path)
    d = cfg["distributions"][0]
    d["origins"][1]["connection_attempts"] = 5
    d["origins"][2]["http_port"] = "eighty"
    d["origin_groups"][0]["failover_status_codes"] = [500, 200]
    r = run(edge_bin, "validate", write_config(tmp_path / "bad.yaml", cfg))
    expect_invalid(r,
                   "distributions[0].origins[1].connection_attempts: expected integer 1-3",
                   "distributions[0].origins[2].http_port: expected integer 1-65535",
                   "distributions[0].origin_groups[0].failover_status_codes[1]: "
                   "expected integer 400-599")


@pytest.mark.parametrize("mutate,path_prefix", [
    (lambda d: d["origins"][1].update(bogus_field=1), "distributions[0].origins[1].bogus_field:"),
    (lambda d: d["default_cache_behavior"].update(target_origin_id="nope"),
     "distributions[0].default_cache_behavior.target_origin_id:"),
    (lambda d: d["origin_groups"][0].update(members=["app", "ghost"]),
     "distributions[0].origin_groups[0].members[1]:"),
    (lambda d: d["origins"][1].update(read_timeout="soon"), "distributions[0].origins[1].read_timeout:"),
    (lambda d: d["origins"][1].update(protocol_policy="gopher"),
     "distributions[0].origins[1].protocol_policy:"),
    (lambda d: d["cache_behaviors"][0].update(allowed_methods=["GET", "HEAD", "BREW"]),
     "distributions[0].cache_behaviors[0].allowed_methods[2]:"),
])
def test_validate_bad_native_field_paths(edge_bin, tmp_path, mutate, path_prefix):
    cfg = good_native(tmp_path)
    mutate(cfg["distributions"][0])
    r = run(edge_bin, "validate", write_config(tmp_path / "bad.yaml", cfg))
    assert r.returncode != 0, r.stdout
    assert any(l.startswith(path_prefix) for l in r.stderr.splitlines()), r.stderr


def test_validate_bad_server_limits(edge_bin, tmp_path):
    cfg = good_native(tmp_path)
    cfg["server"]["workers"] = -1
    cfg["server"]["limits"]["header_timeout"] = "forever"
    r = run(edge_bin, "validate", write_config(tmp_path / "bad.yaml", cfg))
    expect_invalid(r, "server.workers: expected integer 0-1024")
    assert any(l.startswith("server.limits.header_timeout:") for l in r.stderr.splitlines())


def test_validate_bad_json_bare(edge_bin, source_dir, tmp_path):
    cfg = seed(source_dir)
    cfg["Origins"]["Items"][1]["CustomOriginConfig"]["HTTPPort"] = 70000
    r = run(edge_bin, "validate", write_config(tmp_path / "bad.json", cfg))
    expect_invalid(r, "DistributionConfig.Origins.Items[1].CustomOriginConfig.HTTPPort: "
                      "expected integer 1-65535")


def test_validate_bad_json_wrapped(edge_bin, source_dir, tmp_path):
    cfg = {"ETag": "E2QWRUHEXAMPLE", "DistributionConfig": seed(source_dir)}
    cfg["DistributionConfig"]["Origins"]["Items"][1]["CustomOriginConfig"]["HTTPPort"] = 0
    r = run(edge_bin, "validate", write_config(tmp_path / "bad.json", cfg))
    expect_invalid(r, "DistributionConfig.Origins.Items[1].CustomOriginConfig.HTTPPort: "
                      "expected integer 1-65535")


def test_validate_bad_json_group_member(edge_bin, source_dir, tmp_path):
    cfg = seed(source_dir)
    cfg["OriginGroups"]["Items"][0]["Members"]["Items"][1]["OriginId"] = "ghost"
    r = run(edge_bin, "validate", write_config(tmp_path / "bad.json", cfg))
    assert r.returncode != 0
    assert any(l.startswith("DistributionConfig.OriginGroups.Items[0].Members.Items[1]")
               for l in r.stderr.splitlines()), r.stderr


def test_validate_json_syntax_error(edge_bin, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"Origins": {"Quantity": 1, "Items": [}\n')
    r = run(edge_bin, "validate", path)
    assert r.returncode != 0
    assert str(path) in r.stderr


def test_validate_missing_file(edge_bin, tmp_path):
    path = tmp_path / "nope.yaml"
    r = run(edge_bin, "validate", path)
    assert r.returncode != 0
    assert str(path) in r.stderr


def test_validate_empty_config(edge_bin, tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("")
    expect_invalid(run(edge_bin, "validate", path), "distributions: required")


# ----------------------------------------------------------------------------- serve refuses


def test_serve_refuses_bad_config(edge_bin, tmp_path):
    cfg = good_native(tmp_path)
    cfg["distributions"][0]["origins"][1]["http_port"] = 70000
    path = write_config(tmp_path / "bad.yaml", cfg)
    r = run(edge_bin, "serve", "--config", path, "--listen", "127.0.0.1:0", timeout=20)
    assert r.returncode != 0
    assert "distributions[0].origins[1].http_port: expected integer 1-65535" in r.stderr
    assert "listening" not in r.stdout


def test_serve_refuses_bad_json(edge_bin, source_dir, tmp_path):
    cfg = copy.deepcopy(seed(source_dir))
    cfg["Origins"]["Items"][1]["CustomOriginConfig"]["HTTPPort"] = 70000
    path = write_config(tmp_path / "bad.json", cfg)
    r = run(edge_bin, "serve", "--config", path, "--listen", "127.0.0.1:0", timeout=20)
    assert r.returncode != 0
    assert "DistributionConfig.Origins.Items[1].CustomOriginConfig.HTTPPort" in r.stderr
    assert "listening" not in r.stdout


def test_serve_refuses_missing_config(edge_bin, tmp_path):
    r = run(edge_bin, "serve", "--config", tmp_path / "missing.yaml", "--listen", "127.0.0.1:0")
    assert r.returncode != 0
    assert str(tmp_path / "missing.yaml") in r.stderr


@pytest.mark.parametrize("listen", ["nonsense", "127.0.0.1:99999", "127.0.0.1:"])
def test_serve_refuses_bad_listen(edge_bin, tmp_path, listen):
    path = write_config(tmp_path / "good.yaml", good_native(tmp_path))
    r = run(edge_bin, "serve", "--config", path, "--listen", listen)
    assert r.returncode != 0
    assert "--listen" in r.stderr or "listen" in r.stderr.lower()


def test_serve_refuses_bad_workers(edge_bin, tmp_path):
    path = write_config(tmp_path / "good.yaml", good_native(tmp_path))
    r = run(edge_bin, "serve", "--config", path, "--listen", "127.0.0.1:0", "--workers", "0")
    assert r.returncode != 0


# ----------------------------------------------------------------------------- hostile input


def test_validate_refuses_an_endless_device_quickly(edge_bin):
    # Used to read /dev/zero until killed.
    r = run(edge_bin, "validate", "/dev/zero", timeout=20)
    expect_invalid(r, "/dev/zero: larger than 16 MiB, the limit for a config file")


def test_validate_refuses_a_huge_file_from_its_size(edge_bin, tmp_path):
    # A sparse 1.5 GB file: used to abort with bad_alloc.
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as f:
        f.truncate(1500 << 20)
    expect_invalid(run(edge_bin, "validate", path),
                   f"{path}: larger than 16 MiB, the limit for a config file")


@pytest.mark.parametrize("name,text", ids=["json", "yaml"], argvalues=[
    ("deep.json", "[" * 200000 + "]" * 200000),
    ("deep.yaml", "a:\n" + "".join(" " * (i + 1) + "b:\n" for i in range(100)) + " " * 101 + "c"),
])
def test_validate_refuses_deep_nesting(edge_bin, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    r = run(edge_bin, "validate", path)
    assert r.returncode == 1, r
    assert "nested more than 64 levels deep, the limit for a config file" in r.stderr


def test_validate_refuses_control_characters_in_ids(edge_bin, tmp_path):
    cfg = good_native(tmp_path)
    d = cfg["distributions"][0]
    d["origins"][0]["id"] = "bucket\u0000"
    d["origin_groups"][0]["id"] = "grp\n"
    r = run(edge_bin, "validate", write_config(tmp_path / "bad.json", cfg))
    expect_invalid(r, "distributions[0].origins[0].id: control character 0x00 not allowed in an id",
                   "distributions[0].origin_groups[0].id: control character 0x0a not allowed in "
                   "an id")


@pytest.mark.parametrize("where", ["/proc/edgefront-cache", "file", "file/below"])
def test_validate_checks_the_disk_cache_path_as_serve_does(edge_bin, tmp_path, where):
    (tmp_path / "file").write_text("not a directory\n")
    path = where if where.startswith("/") else str(tmp_path / where)
    cfg = good_native(tmp_path)
    cfg["server"]["cache"] = {"memory": "8MiB", "disk": {"path": path, "size": "16MiB"}}
    config_path = write_config(tmp_path / "disk.yaml", cfg)
    r = run(edge_bin, "validate", config_path)
    assert r.returncode == 1, r
    first = r.stderr.strip().splitlines()[-1]
    assert first.startswith(f"server.cache.disk.path: {path} "), r.stderr
    # serve refuses it with the same line.
    s = run(edge_bin, "serve", "--config", config_path, "--listen", "127.0.0.1:0")
    assert s.returncode == 1
    assert first in s.stderr.splitlines(), s.stderr


def test_validate_accepts_a_disk_cache_directory_to_create(edge_bin, tmp_path):
    cfg = good_native(tmp_path)
    cfg["server"]["cache"] = {"memory": "8MiB",
                              "disk": {"path": str(tmp_path / "new" / "cache"), "size": "16MiB"}}
    r = run(edge_bin, "validate", write_config(tmp_path / "disk.yaml", cfg))
    assert r.returncode == 0, r.stderr
    assert not (tmp_path / "new").exists()  # validate creates nothing


def test_second_serve_on_the_same_address_is_refused(cluster, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("hi\n")
    cfg = {"server": {"workers": 2, "admin": "127.0.0.1:0"},
           "distribution": {"default_root_object": "index.html",
                            "origins": [{"id": "s", "directory": str(site)}],
                            "default_cache_behavior": {"target_origin_id": "s"}}}
    first = cluster.edge(cfg)
    second = cluster.new_edge(cfg, listen=f"127.0.0.1:{first.port}")
    with pytest.raises(EdgeStartError) as info:
        second.start()
    assert info.value.returncode == 1
    assert (f"cannot listen on 127.0.0.1:{first.port}: address already in use (another "
            "process, perhaps another edgefront, listens there)") in info.value.stderr
    # The first one still serves alone, and still reloads.
    assert http_get(first.port, "/").status == 200
    first.send_signal(signal.SIGHUP)
    wait_until(lambda: "reload: new config in service" in first.stderr_text(), timeout=10)
    assert http_get(first.port, "/").status == 200
