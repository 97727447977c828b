"""The HTTPS rows of issue 5: 1 KiB cache hits over TLS with HTTP/1.1 (wrk) and HTTP/2
(h2load), and TLS handshakes per second (a new connection and full handshake per request),
edgefront against nginx with the same certificate, protocols and TLS 1.2 suites."""
from harness_lib.load import run_h2load, run_wrk
from harness_lib.registry import scenario
from harness_lib.servers import TlsSetup

MiB = 1 << 20
HIT_CACHE_BYTES = 256 * MiB
PATH = "/k1/a"


def tls_servers(run):
    setup = TlsSetup(run.workdir)
    servers = run.servers([name for name in ("edgefront", "nginx") if name in run.args.servers])
    for server in servers:
        server.tls = setup
    return servers


@scenario("https-h1", "HTTPS 1 KiB cache hits, HTTP/1.1, 50 keep-alive connections (wrk)",
          order=62)
def https_h1(run):
    def load(port, duration):
        return run_wrk(port, PATH, duration, 50, scheme="https")

    return run.compare("https-h1", tls_servers(run), PATH, cache_bytes=HIT_CACHE_BYTES, load=load)


@scenario("https-h2", "HTTPS 1 KiB cache hits, HTTP/2, 50 connections x 10 streams (h2load)",
          order=64)
def https_h2(run):
    def load(port, duration):
        return run_h2load(port, PATH, duration, connections=50, streams=10,
                          log_dir=run.workdir)

    return run.compare("https-h2", tls_servers(run), PATH, cache_bytes=HIT_CACHE_BYTES, load=load)


@scenario("tls-handshakes", "TLS handshakes/s: a new connection and TLS 1.3 handshake per "
          "request (wrk, Connection: close), 50 connections", order=66)
def tls_handshakes(run):
    # wrk keeps each connection's session across reconnects (SSL_clear) and offers it again, so
    # a server that takes the ticket resumes (PSK with a fresh ECDHE), as browsers do. wrk
    # spins on its non-blocking SSL_connect while it waits for the server's flight, so the
    # load CPU is saturated here; server CPU per handshake is the steadier figure.
    def load(port, duration):
        return run_wrk(port, PATH, duration, 50, scheme="https", headers=("Connection: close",))

    return run.compare("tls-handshakes", tls_servers(run), PATH, cache_bytes=HIT_CACHE_BYTES,
                       load=load)
