"""Test certificates made with the `openssl` CLI (Debian 12: OpenSSL 3.0), once per session.

    certs = make_test_certs(tmp_dir)
    FakeOrigin(tls=certs.server)                      # CA-signed, SAN IP:127.0.0.1 + localhost
    Edge(..., env=certs.trust_env())                  # SSL_CERT_FILE = the test CA

What is made (EC P-256 keys: fast):
  ca           the test CA (the trust anchor handed to the edge via SSL_CERT_FILE)
  server       signed by ca; SAN IP:127.0.0.1, DNS:localhost; valid now
  wrong_name   signed by ca; SAN DNS:wrong.example only; valid now
  expired      signed by ca; SAN IP:127.0.0.1, DNS:localhost; valid 2020-01-01..2020-02-01
  self_signed  self-signed; SAN IP:127.0.0.1, DNS:localhost; valid now
  other_ca     a second CA, never trusted by the tests
  untrusted    signed by other_ca; SAN IP:127.0.0.1, DNS:localhost; valid now

`openssl x509 -req` of OpenSSL 3.0 cannot set a notBefore in the past (-not_before came in
3.4), so the expired certificate is issued with `openssl ca -startdate/-enddate`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

GOOD_SAN = "IP:127.0.0.1,DNS:localhost"


@dataclass(frozen=True)
class CertPair:
    cert: Path
    key: Path

    def __iter__(self):  # FakeOrigin(tls=pair) takes (certfile, keyfile)
        return iter((str(self.cert), str(self.key)))


@dataclass(frozen=True)
class TestCerts:
    dir: Path
    ca: CertPair
    other_ca: CertPair
    server: CertPair
    wrong_name: CertPair
    expired: CertPair
    self_signed: CertPair
    untrusted: CertPair
    empty_cert_dir: Path

    __test__ = False  # not a pytest test class

    def trust_env(self, cafile: Optional[Path] = None, base: Optional[dict] = None) -> dict:
        """An environment whose OpenSSL default trust store is exactly `cafile` (default:
        the test CA): SSL_CERT_FILE, and SSL_CERT_DIR pointing at an empty directory so the
        system's certificate directory plays no part."""
        env = dict(os.environ if base is None else base)
        env["SSL_CERT_FILE"] = str(cafile if cafile is not None else self.ca.cert)
        env["SSL_CERT_DIR"] = str(self.empty_cert_dir)
        return env


def openssl_available() -> bool:
    return shutil.which("openssl") is not None


def _run(args: list, cwd: Path) -> None:
    p = subprocess.run(["openssl", *args], cwd=str(cwd), capture_output=True, text=True,
                       timeout=60, env={**os.environ, "OPENSSL_CONF": str(cwd / "openssl.cnf")})
    if p.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed ({p.returncode}):\n{p.stderr}")


# A minimal config of our own: the system openssl.cnf plays no part, and `openssl ca` has
# the database and policy it needs.
_CNF = """\
[ req ]
distinguished_name = req_dn
prompt = no

[ req_dn ]
CN = unused

[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ ca ]
default_ca = test_ca

[ test_ca ]
dir = {dir}
database = $dir/ca-db/index.txt
new_certs_dir = $dir/ca-db/new
serial = $dir/ca-db/serial
certificate = $dir/ca.pem
private_key = $dir/ca.key
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no

[ policy_any ]
commonName = supplied
"""

_LEAF_EXT = """\
[ leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = {san}
"""


def _key(d: Path, name: str) -> Path:
    key = d / f"{name}.key"
    _run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
          "-out", key.name], d)
    return key


def _self_signed(d: Path, name: str, cn: str, ext_section: str, ext_file: Optional[Path],
                 days: int = 3650) -> CertPair:
    key = _key(d, name)
    cert = d / f"{name}.pem"
    args = ["req", "-new", "-x509", "-key", key.name, "-out", cert.name, "-subj", f"/CN={cn}",
            "-days", str(days), "-sha256"]
    if ext_file is not None:
        args += ["-config", ext_file.name]
    args += ["-extensions", ext_section]
    _run(args, d)
    return CertPair(cert, key)


def _csr(d: Path, name: str, cn: str) -> tuple:
    key = _key(d, name)
    csr = d / f"{name}.csr"
    _run(["req", "-new", "-key", key.name, "-out", csr.name, "-subj", f"/CN={cn}"], d)
    return key, csr


def _ext_file(d: Path, name: str, san: str, with_req: bool = False) -> Path:
    p = d / f"{name}.ext"
    text = _LEAF_EXT.format(san=san)
    if with_req:  # `openssl req -x509 -config` needs a [req] section too
        text = "[ req ]\ndistinguished_name = req_dn\nprompt = no\n[ req_dn ]\nCN = unused\n" + \
            text.replace("authorityKeyIdentifier = keyid\n", "")
    p.write_text(text)
    return p


def _signed(d: Path, name: str, cn: str, san: str, ca: CertPair, serial: int,
            days: int = 30) -> CertPair:
    key, csr = _csr(d, name, cn)
    ext = _ext_file(d, name, san)
    cert = d / f"{name}.pem"
    _run(["x509", "-req", "-in", csr.name, "-CA", str(ca.cert), "-CAkey", str(ca.key),
          "-set_serial", str(serial), "-days", str(days), "-sha256",
          "-extfile", ext.name, "-extensions", "leaf", "-out", cert.name], d)
    return CertPair(cert, key)


def _expired(d: Path, name: str, cn: str, san: str) -> CertPair:
    """Issued by the CA (ca.pem/ca.key in d) with a validity period wholly in the past."""
    key, csr = _csr(d, name, cn)
    ext = _ext_file(d, name, san)
    db = d / "ca-db"
    (db / "new").mkdir(parents=True, exist_ok=True)
    (db / "index.txt").write_text("")
    (db / "serial").write_text("2000\n")
    cert = d / f"{name}.pem"
    _run(["ca", "-batch", "-config", "openssl.cnf", "-notext", "-md", "sha256",
          "-startdate", "20200101000000Z", "-enddate", "20200201000000Z",
          "-extfile", ext.name, "-extensions", "leaf", "-in", csr.name, "-out", cert.name], d)
    return CertPair(cert, key)


def make_test_certs(directory) -> TestCerts:
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    (d / "openssl.cnf").write_text(_CNF.format(dir=str(d)))
    ca = _self_signed(d, "ca", "edgefront test CA", "v3_ca", d / "openssl.cnf")
    other_ca = _self_signed(d, "other-ca", "edgefront other CA", "v3_ca", d / "openssl.cnf")
    server = _signed(d, "server", "localhost", GOOD_SAN, ca, serial=0x1001)
    wrong = _signed(d, "wrong-name", "wrong.example", "DNS:wrong.example", ca, serial=0x1002)
    untrusted = _signed(d, "untrusted", "localhost", GOOD_SAN, other_ca, serial=0x1003)
    self_signed = _self_signed(d, "self-signed", "localhost", "leaf",
                               _ext_file(d, "self-signed", GOOD_SAN, with_req=True), days=30)
    expired = _expired(d, "expired", "localhost", GOOD_SAN)
    empty = d / "empty-cert-dir"
    empty.mkdir(exist_ok=True)
    return TestCerts(dir=d, ca=ca, other_ca=other_ca, server=server, wrong_name=wrong,
                     expired=expired, self_signed=self_signed, untrusted=untrusted,
                     empty_cert_dir=empty)


# ------------------------------------------------------------------------------------------
# Viewer-side certificates (the edge's own), all signed by the test CA.

@dataclass(frozen=True)
class ViewerCerts:
    """default_site: SAN DNS:default.test + IP:127.0.0.1 (the listener's default)
    exact:        SAN DNS:www.example.com, DNS:example.com
    wildcard:     SAN DNS:*.example.net
    renewed:      the same names as default_site, a new key and serial (for reload)
    mismatched:   default_site's certificate with exact's key (refused at load)
    garbage:      a "certificate" file that is not PEM
    ocsp:         a DER OCSP response for default_site saying "good", signed by the CA"""
    ca: CertPair
    default_site: CertPair
    exact: CertPair
    wildcard: CertPair
    renewed: CertPair
    mismatched: CertPair
    garbage: CertPair
    ocsp: Path

    __test__ = False


def serial_of(cert: Path) -> str:
    """The certificate's serial as `openssl x509 -serial` prints it (upper-case hex)."""
    p = subprocess.run(["openssl", "x509", "-noout", "-serial", "-in", str(cert)],
                       capture_output=True, text=True, timeout=30, check=True)
    return p.stdout.strip().split("=", 1)[1]


def _ocsp_response(d: Path, ca: CertPair, leaf: CertPair, serial: int) -> Path:
    """A signed "good" OCSP response for `leaf`, made by `openssl ocsp` acting as responder
    over an index with one valid entry."""
    index = d / "ocsp-index.txt"
    subject = subprocess.run(["openssl", "x509", "-noout", "-subject", "-nameopt", "compat",
                              "-in", str(leaf.cert)], capture_output=True, text=True,
                             timeout=30, check=True).stdout.strip().split("=", 1)[1].strip()
    index.write_text(f"V\t300101000000Z\t\t{serial:X}\tunknown\t{subject}\n")
    req = d / "ocsp-req.der"
    _run(["ocsp", "-issuer", str(ca.cert), "-cert", str(leaf.cert), "-no_nonce",
          "-reqout", req.name], d)
    resp = d / "ocsp-resp.der"
    _run(["ocsp", "-index", index.name, "-rsigner", str(ca.cert), "-rkey", str(ca.key),
          "-CA", str(ca.cert), "-reqin", req.name, "-respout", resp.name, "-ndays", "7"], d)
    return resp


def make_viewer_certs(certs: TestCerts) -> ViewerCerts:
    d = certs.dir / "viewer"
    d.mkdir(parents=True, exist_ok=True)
    (d / "openssl.cnf").write_text(_CNF.format(dir=str(certs.dir)))
    ca = certs.ca
    default_site = _signed(d, "default", "default.test", "DNS:default.test,IP:127.0.0.1", ca,
                           serial=0x2001)
    exact = _signed(d, "exact", "www.example.com", "DNS:www.example.com,DNS:example.com", ca,
                    serial=0x2002)
    wildcard = _signed(d, "wildcard", "*.example.net", "DNS:*.example.net", ca, serial=0x2003)
    renewed = _signed(d, "renewed", "default.test", "DNS:default.test,IP:127.0.0.1", ca,
                      serial=0x2004)
    mismatched = CertPair(default_site.cert, exact.key)
    garbage_cert = d / "garbage.pem"
    garbage_cert.write_text("this is not a certificate\n")
    garbage = CertPair(garbage_cert, default_site.key)
    ocsp = _ocsp_response(d, ca, default_site, 0x2001)
    return ViewerCerts(ca=ca, default_site=default_site, exact=exact, wildcard=wildcard,
                       renewed=renewed, mismatched=mismatched, garbage=garbage, ocsp=ocsp)
