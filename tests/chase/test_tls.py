"""Email over STARTTLS is verified: a server whose CA is trusted gets the message, one no trusted
CA signed gets nothing. Apprise's own TLS set-up, as it comes.

Real components: a STARTTLS SMTP server (aiosmtpd) on 127.0.0.1 with a certificate from a
throwaway CA made here, Apprise's mailtos://."""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import shutil
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from notifications.apprise_dispatch import AppriseDispatcher
from programme.usecases.dispatch import Message, Rendered

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


def test_a_server_whose_ca_is_trusted_gets_the_message(tls_smtp, pki, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(pki.ca))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    delivery = AppriseDispatcher(smtp_url=tls_smtp.url, delivery="live").send(message())
    assert delivery.ok, delivery.error
    [got] = tls_smtp.take()
    assert got.rcpt == ("ana@example.gov.uk",) and got.subject == "Due today: report"


def test_a_server_certificate_no_trusted_ca_signed_is_refused_and_nothing_is_sent(
        tls_smtp, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG, logger="apprise")
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    delivery = AppriseDispatcher(smtp_url=tls_smtp.url, delivery="live").send(message())
    assert not delivery.ok and delivery.delivered == () and not delivery.permanent
    assert tls_smtp.take() == []
    assert any("CERTIFICATE_VERIFY_FAILED" in line for line in caplog.messages)
