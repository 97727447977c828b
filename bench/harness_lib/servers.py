"""The servers under test, each configured as the same reverse proxy in front of the same
origin: with a cache (bounded to `cache_bytes`) or without one (the proxy path). Configs are
written here, one per server, into the run's temp dir."""
import os
import shutil
import subprocess

from harness_lib.procs import free_port, give_to_server_user, wait_port

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EDGEFRONT = os.environ.get("EDGEFRONT_BIN", os.path.join(ROOT, "build", "edgefront"))
MAX_AGE = 3600


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def nginx_temp_paths(d):
    """nginx creates every compiled-in temp dir at start; unprivileged, they must be ours."""
    return " ".join(f"{kind}_temp_path {d}/{kind};"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))


def _run_version(argv):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    out = (p.stdout + p.stderr).strip().splitlines()
    return out[0].strip() if out else "?"


class Origin:
    """nginx on the load CPU: /k1/*, /k100/*, /m1/* serve 1 KiB, 100 KiB and 1 MiB files;
    /z/* and /tiny/* a small body, all cacheable for an hour. Every request it answers is one
    line of its access log, so hit ratios come from counting lines."""

    def __init__(self, workdir):
        self.dir = os.path.join(workdir, "origin")
        os.makedirs(os.path.join(self.dir, "www"), exist_ok=True)
        for name, size in (("k1", 1024), ("k100", 100 * 1024), ("m1", 1024 * 1024),
                           ("z", 1024), ("tiny", 100)):
            _write(os.path.join(self.dir, "www", f"body-{name}"), "x" * size)
        self.log = os.path.join(self.dir, "access.log")
        self.port = free_port()

    def start(self, procs, cpu):
        locations = "\n".join(
            f'    location /{name}/ {{ add_header Cache-Control "public, max-age={MAX_AGE}"; '
            f"try_files /body-{name} =404; }}" for name in ("k1", "k100", "m1", "z", "tiny"))
        conf = _write(os.path.join(self.dir, "nginx.conf"), f"""
worker_processes 1;
daemon off;
master_process off;
error_log {self.dir}/error.log crit;
pid {self.dir}/nginx.pid;
worker_rlimit_nofile 20000;
events {{ worker_connections 16384; }}
http {{
  log_format uri $request_uri;
  access_log {self.log} uri;
  keepalive_requests 1000000;
  default_type application/octet-stream;
  {nginx_temp_paths(self.dir)}
  server {{
    listen 127.0.0.1:{self.port} reuseport backlog=4096;
    root {self.dir}/www;
{locations}
  }}
}}
""")
        give_to_server_user(self.dir)
        self.proc = procs.start("origin", ["nginx", "-p", self.dir, "-c", conf], cpu=cpu)
        wait_port(self.port, proc=self.proc)

    def requests_served(self):
        try:
            with open(self.log, "rb") as f:
                return f.read().count(b"\n")
        except FileNotFoundError:
            return 0


class TlsSetup:
    """One self-signed ECDSA P-256 certificate for every TLS server of a run, and the TLS 1.2
    suites of edgefront's default security policy (TLSv1.2_2021) in OpenSSL's names."""
    policy = "TLSv1.2_2021"
    ciphers = ("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
               "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
               "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305")

    def __init__(self, workdir):
        self.cert = os.path.join(workdir, "bench-cert.pem")
        self.key = os.path.join(workdir, "bench-key.pem")
        if not os.path.exists(self.cert):
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                            "ec_paramgen_curve:P-256", "-nodes", "-keyout", self.key, "-out",
                            self.cert, "-days", "2", "-subj", "/CN=bench.test", "-addext",
                            "subjectAltName=DNS:bench.test,IP:127.0.0.1"],
                           check=True, capture_output=True)

    def copy_to(self, directory):
        """Copies of the files inside a server's dir, so its (unprivileged) user can read them."""
        cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
        shutil.copyfile(self.cert, cert)
        shutil.copyfile(self.key, key)
        return cert, key


class Server:
    name = "?"
    binary = "?"

    def __init__(self, workdir):
        self.dir = os.path.join(workdir, self.name)
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.note = ""
        self.tls = None  # TlsSetup: serve HTTPS (and HTTP/2 by ALPN) with these files

    def available(self):
        return shutil.which(self.binary) is not None or os.path.exists(self.binary)

    def start(self, procs, origin_port, cache_bytes):
        """cache_bytes None: no cache (proxy path)."""
        argv, env = self.command(origin_port, cache_bytes)
        give_to_server_user(self.dir)
        self.proc = procs.start(self.name, argv, env=env)
        wait_port(self.port, proc=self.proc)

    def hit_header(self, headers):
        """Whether a response's headers say it was served from the cache, if the server says."""
        return None


class Edgefront(Server):
    name = "edgefront"
    binary = EDGEFRONT

    def version(self):
        return _run_version([EDGEFRONT, "--version"])

    def _config(self, origin_port, cache_bytes):
        # Without a cache scenario the cache is off, so the proxy path is measured alone.
        server_cache = f"\n  cache:\n    memory: {(cache_bytes or 0) >> 20}MiB"
        policy = "\n      cache_policy: CachingOptimized" if cache_bytes else ""
        listen = f"127.0.0.1:{self.port}"
        if self.tls:
            cert, key = self.tls.copy_to(self.dir)
            listen = (f"\n    - address: 127.0.0.1:{self.port}\n      tls:\n"
                      f"        minimum_protocol: {self.tls.policy}\n"
                      f"        certificates: [{{cert: {cert}, key: {key}}}]")
        return f"""server:
  listen: {listen}
  workers: 1
  admin: "off"{server_cache}
distributions:
  - id: bench
    origins:
      - id: origin
        domain_name: 127.0.0.1
        http_port: {origin_port}
        protocol_policy: http-only
        keepalive_timeout: 60s
    default_cache_behavior:
      target_origin_id: origin
      allowed_methods: [GET, HEAD]{policy}
"""

    def command(self, origin_port, cache_bytes):
        path = _write(os.path.join(self.dir, "edgefront.yaml"),
                      self._config(origin_port, cache_bytes))
        # A config the loader refuses must fail the scenario loudly, never fall back.
        check = subprocess.run([EDGEFRONT, "validate", path], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"edgefront refused its bench config: {check.stdout}{check.stderr}")
        return [EDGEFRONT, "serve", "--config", path], None

    def hit_header(self, headers):
        return headers.get("x-cache", "").lower().startswith("hit from edgefront")


class EdgefrontLogged(Edgefront):
    """edgefront with its CloudFront-format access log on (written to its own directory)."""
    name = "edgefront+log"

    def _config(self, origin_port, cache_bytes):
        log = os.path.join(self.dir, "access.log")
        return super()._config(origin_port, cache_bytes).replace(
            '  admin: "off"', f'  admin: "off"\n  access_log:\n    path: {log}', 1)


class Nginx(Server):
    name = "nginx"
    binary = "nginx"

    def version(self):
        return _run_version(["nginx", "-v"])

    def command(self, origin_port, cache_bytes):
        d = self.dir
        cache_path = ""
        cache = ""
        if cache_bytes:
            # Metadata in shared memory (about 8k keys per MiB), bodies in files under the
            # temp dir (tmpfs when /dev/shm is used); the cache manager enforces max_size.
            zone_mib = max(16, cache_bytes // (1 << 20) // 4)
            cache_path = (f"proxy_cache_path {d}/cache levels=1:2 keys_zone=edge:{zone_mib}m "
                          f"max_size={cache_bytes} inactive=2h use_temp_path=off;")
            cache = ("proxy_cache edge; proxy_cache_lock on; "
                     "add_header X-Cache-Status $upstream_cache_status;")
        # With a cache, the master must run: its cache manager process enforces max_size.
        master = "on" if cache_bytes else "off"
        listen_tls = ""
        if self.tls:
            cert, key = self.tls.copy_to(d)
            # The same certificate, protocols and TLS 1.2 suites as edgefront's policy; session
            # tickets on (nginx's default, as edgefront's).
            listen_tls = (f"ssl http2; ssl_certificate {cert}; ssl_certificate_key {key}; "
                          f"ssl_protocols TLSv1.2 TLSv1.3; ssl_ciphers {self.tls.ciphers}; "
                          f"ssl_prefer_server_ciphers on; ssl_session_tickets on")
        conf = _write(os.path.join(d, "nginx.conf"), f"""
worker_processes 1;
daemon off;
master_process {master};
error_log {d}/error.log crit;
pid {d}/nginx.pid;
worker_rlimit_nofile 20000;
events {{ worker_connections 16384; }}
http {{
  access_log off;
  keepalive_requests 1000000;
  {nginx_temp_paths(d)}
  {cache_path}
  upstream origin {{ server 127.0.0.1:{origin_port}; keepalive 64; }}
  server {{
    listen 127.0.0.1:{self.port} reuseport backlog=4096 {listen_tls};
    location / {{
      proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection "";
      {cache}
    }}
  }}
}}
""")
        return ["nginx", "-p", d, "-c", conf], None

    def hit_header(self, headers):
        status = headers.get("x-cache-status")
        return None if status is None else status.upper() == "HIT"


class Varnish(Server):
    name = "varnish"
    binary = "varnishd"

    def version(self):
        return _run_version(["varnishd", "-V"])

    def command(self, origin_port, cache_bytes):
        d = self.dir
        recv = "" if cache_bytes else "sub vcl_recv { return (pass); }\n"
        deliver = ('sub vcl_deliver { if (obj.hits > 0) { set resp.http.X-Cache = "HIT"; } '
                   'else { set resp.http.X-Cache = "MISS"; } }\n')
        vcl = _write(os.path.join(d, "bench.vcl"), f"""vcl 4.1;
backend origin {{ .host = "127.0.0.1"; .port = "{origin_port}"; }}
{recv}{deliver}""")
        storage = f"malloc,{cache_bytes or 64 << 20}"
        return ["varnishd", "-F", "-n", f"{d}/work", "-a", f"127.0.0.1:{self.port}", "-T", "none",
                "-f", vcl, "-s", storage, "-p", "thread_pools=1"], None

    def hit_header(self, headers):
        status = headers.get("x-cache")
        return None if status is None else status == "HIT"


class TrafficServer(Server):
    name = "trafficserver"
    binary = "traffic_server"

    def version(self):
        return _run_version(["traffic_server", "--version"]).replace("traffic_server: ", "")

    def command(self, origin_port, cache_bytes):
        d = self.dir
        etc = os.path.join(d, "etc")
        for sub in ("run", "log", "cache", "var"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        # Debian's defaults for the files not written here (ip_allow, logging, ...).
        shutil.copytree("/etc/trafficserver", etc, dirs_exist_ok=True)
        _write(os.path.join(d, "runroot.yaml"), f"""prefix: {d}
exec_prefix: /usr
bindir: /usr/bin
sbindir: /usr/sbin
sysconfdir: {etc}
datadir: {d}/cache
includedir: /usr/include
libdir: /usr/lib/trafficserver
libexecdir: /usr/lib/trafficserver/modules
localstatedir: {d}/var
runtimedir: {d}/run
logdir: {d}/log
cachedir: {d}/cache
""")
        # The disk cache (a file in the temp dir) and the RAM cache in front of it both get the
        # bound; 16 MiB is the smallest disk cache used.
        ram = cache_bytes or 0
        _write(os.path.join(etc, "records.config"), f"""
CONFIG proxy.config.http.server_ports STRING {self.port}:ipv4:ip-in=127.0.0.1
CONFIG proxy.config.exec_thread.autoconfig INT 0
CONFIG proxy.config.exec_thread.limit INT 1
CONFIG proxy.config.accept_threads INT 0
CONFIG proxy.config.task_threads INT 1
CONFIG proxy.config.cache.threads_per_disk INT 1
CONFIG proxy.config.http.cache.http INT {1 if cache_bytes else 0}
CONFIG proxy.config.http.cache.required_headers INT 0
CONFIG proxy.config.cache.ram_cache.size INT {ram}
CONFIG proxy.config.url_remap.remap_required INT 1
CONFIG proxy.config.http.insert_response_via_str INT 0
CONFIG proxy.config.http.keep_alive_no_activity_timeout_in INT 120
CONFIG proxy.config.http.server_session_sharing.pool STRING thread
CONFIG proxy.config.net.connections_throttle INT 10000
CONFIG proxy.config.log.logging_enabled INT 0
CONFIG proxy.config.admin.user_id STRING #-1
CONFIG proxy.config.diags.debug.enabled INT 0
""")
        _write(os.path.join(etc, "remap.config"), f"map / http://127.0.0.1:{origin_port}/\n")
        _write(os.path.join(etc, "storage.config"),
               f"{d}/cache {max(cache_bytes or 0, 16 << 20) >> 20}M\n")  # a dir: cache.db inside
        return ["traffic_server", f"--run-root={d}/runroot.yaml"], None

    def hit_header(self, headers):
        return None


class FixedReply(Server):
    """The loopback limit: nginx answering every request with a fixed 1 KiB body, no proxy."""
    name = "fixed-reply"
    binary = "nginx"

    def version(self):
        return _run_version(["nginx", "-v"]) + " `return 200`"

    def command(self, origin_port, cache_bytes):
        d = self.dir
        conf = _write(os.path.join(d, "nginx.conf"), f"""
worker_processes 1;
daemon off;
master_process off;
error_log {d}/error.log crit;
pid {d}/nginx.pid;
worker_rlimit_nofile 20000;
events {{ worker_connections 16384; }}
http {{
  access_log off;
  keepalive_requests 1000000;
  {nginx_temp_paths(d)}
  server {{ listen 127.0.0.1:{self.port} reuseport backlog=4096;
           location / {{ return 200 "{'x' * 1024}"; }} }}
}}
""")
        return ["nginx", "-p", d, "-c", conf], None


PEERS = {cls.name: cls for cls in (Edgefront, Nginx, Varnish, TrafficServer)}

