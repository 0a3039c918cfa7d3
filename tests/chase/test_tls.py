"""PROGRAMME_TLS_CA: the sending process reads the CA folder lazily instead of parsing the CA
bundle for every email, and certificate verification still decides exactly as before.

Real components: a STARTTLS SMTP server (aiosmtpd) and an HTTPS server on 127.0.0.1 with a
certificate from a throwaway CA made here, Apprise's mailtos://, httpx."""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import os
import shutil
import ssl
import subprocess
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from notifications import tls
from notifications.apprise_dispatch import AppriseDispatcher
from notifications.channels import Message
from notifications.render import Rendered

from .conftest import SmtpServer

# -- a throwaway CA, a server certificate it signed, and a hashed folder trusting it ------------


@dataclass(frozen=True)
class Pki:
    cert: Path  # the server's certificate (127.0.0.1, localhost), signed by the CA
    key: Path
    ca: Path  # the CA certificate alone (PEM)
    folder: Path  # an OpenSSL hashed folder holding only the CA (`<hash>.0`)

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, self.key)
        return ctx


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Pki:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    if not shutil.which("openssl"):
        pytest.skip("the openssl command names the hashed link of a CA certificate")
    root = tmp_path_factory.mktemp("pki")
    now = dt.datetime.now(dt.UTC)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("programme test CA"))
          .issuer_name(name("programme test CA")).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                         critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(name("127.0.0.1")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
                critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    (root / "ca.pem").write_bytes(ca.public_bytes(pem))
    (root / "server.pem").write_bytes(cert.public_bytes(pem))
    (root / "server.key").write_bytes(key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    subject_hash = subprocess.run(["openssl", "x509", "-hash", "-noout", "-in", root / "ca.pem"],
                                  check=True, capture_output=True, text=True).stdout.strip()
    folder = root / "certs"
    folder.mkdir()
    (folder / f"{subject_hash}.0").symlink_to(root / "ca.pem")
    return Pki(root / "server.pem", root / "server.key", root / "ca.pem", folder)


@pytest.fixture
def tls_smtp(pki: Pki):
    server = SmtpServer(tls_context=pki.server_context())
    server.start()
    yield server
    server.stop()


def message(to: str = "ana@example.gov.uk") -> Message:
    return Message("ana", "Ana Lee", (to,), Rendered("Due today: report", "text body",
                                                      "<p>html body</p>", "chat body"))


def clean_tls_env(monkeypatch: pytest.MonkeyPatch, setting: str | None = None) -> None:
    """A host that sets neither SSL_CERT_FILE nor SSL_CERT_DIR (the chase tests' own fixture
    sets them); monkeypatch puts back whatever the dispatcher changes."""
    for name in (tls.FILE_ENV, tls.DIR_ENV, tls.SETTING):
        monkeypatch.delenv(name, raising=False)
    if setting:
        monkeypatch.setenv(tls.SETTING, setting)


def system_folder_qualifies() -> bool:
    paths = ssl.get_default_verify_paths()
    return tls.decide(None, {}, paths.openssl_cafile, paths.openssl_capath).lazy


# -- verification still decides ------------------------------------------------------------------


def test_lazy_ca_folder_still_verifies_a_server_whose_ca_is_in_the_folder(
        tls_smtp, pki, monkeypatch):
    monkeypatch.setenv(tls.FILE_ENV, "")
    monkeypatch.setenv(tls.DIR_ENV, str(pki.folder))
    dispatcher = AppriseDispatcher(smtp_url=tls_smtp.url, delivery="live")
    assert dispatcher.tls.lazy
    delivery = dispatcher.send(message())
    assert delivery.ok, delivery.error
    [got] = tls_smtp.take()
    assert got.rcpt == ("ana@example.gov.uk",) and got.subject == "Due today: report"


@pytest.mark.parametrize("setting", ["lazy", "bundle"])
def test_a_server_certificate_no_trusted_ca_signed_is_refused_and_nothing_is_sent(
        tls_smtp, monkeypatch, caplog, setting):
    caplog.set_level(logging.DEBUG, logger="apprise")
    clean_tls_env(monkeypatch, setting)
    dispatcher = AppriseDispatcher(smtp_url=tls_smtp.url, delivery="live")
    if setting == "bundle" or not system_folder_qualifies():
        assert not dispatcher.tls.lazy and os.environ.get(tls.FILE_ENV) is None
    else:  # the default path: the dispatcher switched this process to the lazy folder
        assert dispatcher.tls.lazy and os.environ[tls.FILE_ENV] == ""
    delivery = dispatcher.send(message())
    assert not delivery.ok and delivery.delivered == () and not delivery.permanent
    assert tls_smtp.take() == []
    assert any("CERTIFICATE_VERIFY_FAILED" in line for line in caplog.messages)


# -- other TLS clients in the same process ------------------------------------------------------


@pytest.fixture
def https_server(pki: Pki):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.socket = pki.server_context().wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def test_httpx_keeps_working_once_the_dispatcher_went_lazy(monkeypatch):
    """httpx (Prefect's client) reads SSL_CERT_FILE itself: the empty value we set counts as
    unset there, where a missing file such as /nonexistent would make every client fail."""
    import httpx
    import requests

    clean_tls_env(monkeypatch)
    before = requests.Session().merge_environment_settings("https://example.org", {}, None,
                                                           True, None)["verify"]
    AppriseDispatcher(smtp_url="mailto://127.0.0.1:25?from=a@example.gov.uk", delivery="live")
    with httpx.Client() as client:  # builds its SSL context from the environment
        assert client is not None
    after = requests.Session().merge_environment_settings("https://example.org", {}, None,
                                                          True, None)["verify"]
    assert after == before  # requests passes certifi's (or REQUESTS_CA_BUNDLE's) file itself


def test_httpx_verifies_through_the_folder_when_the_file_is_empty(https_server, pki,
                                                                 monkeypatch):
    import httpx

    monkeypatch.setenv(tls.FILE_ENV, "")
    monkeypatch.setenv(tls.DIR_ENV, str(pki.folder))
    assert httpx.get(https_server, timeout=10).text == "ok"
    monkeypatch.setenv(tls.DIR_ENV, "/nonexistent-folder")
    with pytest.raises(httpx.ConnectError):
        httpx.get(https_server, timeout=10)


# -- the decision, table-driven -----------------------------------------------------------------


@pytest.fixture
def system(tmp_path: Path) -> tuple[str, str]:
    """A fake OpenSSL installation: a bundle of three certificates and a folder with three
    hashed links (the real counting functions read them)."""
    folder = tmp_path / "certs"
    folder.mkdir()
    bundle = tmp_path / "ca-certificates.crt"
    bundle.write_text("-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n" * 3)
    for i, name in enumerate(("1a2b3c4d.0", "1a2b3c4d.1", "0000beef.0")):
        (folder / name).symlink_to(bundle)
        (folder / f"cert{i}.pem").write_text("not a hash link")
    (tmp_path / "cert.pem").symlink_to(bundle)  # OpenSSL's compiled-in name for the bundle
    return str(tmp_path / "cert.pem"), str(folder)


CASES = [
    # (name, PROGRAMME_TLS_CA, environment, lazy?, what gets set, words in the reason)
    ("default on a host that sets nothing", None, {}, True, {"SSL_CERT_FILE": ""}, "lazy"),
    ("explicit lazy", "lazy", {}, True, {"SSL_CERT_FILE": ""}, "lazy"),
    ("bundle asked for", "bundle", {}, False, {}, "PROGRAMME_TLS_CA=bundle"),
    ("the user's own bundle file", None, {"SSL_CERT_FILE": "/etc/my-ca.pem"}, False, {},
     "SSL_CERT_FILE is set"),
    ("the user's own folder", None, {"SSL_CERT_DIR": "/etc/my-certs"}, False, {},
     "SSL_CERT_DIR is set"),
    ("the default bundle restated, default setting", None, {"SSL_CERT_FILE": "{bundle}"},
     False, {}, "SSL_CERT_FILE is set"),
    ("the default bundle restated, explicit lazy", "lazy", {"SSL_CERT_FILE": "{bundle}"},
     True, {"SSL_CERT_FILE": "", "SSL_CERT_DIR": "{folder}"}, "lazy"),
    ("the defaults restated, explicit lazy", "lazy",
     {"SSL_CERT_FILE": "{bundle}", "SSL_CERT_DIR": "{folder}"}, True, {"SSL_CERT_FILE": ""},
     "lazy"),
    ("another bundle, explicit lazy", "lazy", {"SSL_CERT_FILE": "/etc/my-ca.pem"}, False, {},
     "SSL_CERT_FILE is set"),
    ("already lazy", None, {"SSL_CERT_FILE": ""}, True, {}, "is empty"),
    ("already lazy, bundle asked for", "bundle", {"SSL_CERT_FILE": ""}, True, {}, "is empty"),
]


@pytest.mark.parametrize(("setting", "environ", "lazy", "sets", "reason"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_decision(system, setting, environ, lazy, sets, reason):
    bundle, folder = system

    def fill(d: dict) -> dict:
        return {k: v.format(bundle=bundle, folder=folder) for k, v in d.items()}

    decision = tls.decide(setting, fill(environ), bundle, folder)
    assert (decision.lazy, decision.env) == (lazy, fill(sets))
    assert reason in decision.reason


def test_no_lazy_folder_without_enough_hashed_certificates(system, tmp_path):
    bundle, folder = system
    assert tls.decide(None, {}, bundle, str(tmp_path / "missing")).lazy is False
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "holds 0 hashed" in tls.decide(None, {}, bundle, str(empty)).reason
    Path(bundle).write_text("-----BEGIN CERTIFICATE-----\n" * 4)  # more than the 3 links
    short = tls.decide(None, {}, bundle, folder)
    assert not short.lazy and "holds 3 hashed certificates, the bundle 4" in short.reason


def test_a_misspelt_setting_is_an_error():
    with pytest.raises(ValueError, match="PROGRAMME_TLS_CA='lazzy': use lazy or bundle"):
        tls.decide("lazzy", {}, None, None)
