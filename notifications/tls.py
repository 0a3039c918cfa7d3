"""How the sending process loads trusted CA certificates: PROGRAMME_TLS_CA=lazy|bundle.

Apprise's email plugin builds `ssl.create_default_context()` for every email, even on a plain
SMTP connection, and with OpenSSL 3 a context built from the default paths parses the whole CA
bundle file (/etc/ssl/certs/ca-certificates.crt, ~140 certificates): 20-125 ms of CPU per email,
most of an email's cost. OpenSSL also knows a lazy way: an empty `SSL_CERT_FILE` (its documented
environment variable) makes it skip the bundle, and it then looks a certificate up in the hashed
CA folder (`SSL_CERT_DIR`, or its compiled-in folder such as /usr/lib/ssl/certs) only when a
handshake needs one. A context then costs ~1 ms and verification works as before: the same
distribution certificates, read from the folder instead of the file.

`lazy` (the default) turns that on for this process, when it is safe to:

* the user has set neither `SSL_CERT_FILE` nor `SSL_CERT_DIR` (their choice is left alone), or
  with an explicit `PROGRAMME_TLS_CA=lazy`, they only restate OpenSSL's defaults (the same bundle
  file, the same folder);
* OpenSSL's default CA folder exists and holds at least as many hashed certificate links
  (`1a2b3c4d.0`, made by update-ca-certificates or c_rehash) as the bundle holds certificates.

Otherwise, and with `PROGRAMME_TLS_CA=bundle`, nothing changes. It only affects TLS contexts
built from OpenSSL's default paths (Apprise's email plugin, `ssl.create_default_context()`
without arguments). `requests` (Apprise's HTTP-based services) passes certifi's file
explicitly and is unaffected. httpx (Prefect's client) reads `SSL_CERT_FILE` and `SSL_CERT_DIR`
itself; an empty `SSL_CERT_FILE` counts as unset there, so it keeps its own choice (certifi, or
`SSL_CERT_DIR`). That is why the value is empty and not a missing file such as /nonexistent,
which httpx and Prefect would try to open and fail on.

The setting is process-wide (OpenSSL reads the environment): it is applied when a dispatcher is
built, before any sending thread starts, and is inherited by child processes.
"""

from __future__ import annotations

import os
import re
import ssl
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

SETTING = "PROGRAMME_TLS_CA"
LAZY, BUNDLE = "lazy", "bundle"
FILE_ENV, DIR_ENV = "SSL_CERT_FILE", "SSL_CERT_DIR"
_HASH_LINK = re.compile(r"^[0-9a-f]{8}\.[0-9]+$")
_lock = threading.Lock()


@dataclass(frozen=True)
class CaDecision:
    lazy: bool  # OpenSSL reads the CA folder lazily in this process (already, or once applied)
    reason: str  # one line, for `programme info` and logs
    env: dict[str, str] = field(default_factory=dict)  # what to set to make it so


def _same_path(a: str | None, b: str | None) -> bool:
    return bool(a and b) and os.path.realpath(a) == os.path.realpath(b)


def hash_links(folder: str) -> int:
    """How many OpenSSL hashed certificate links (`1a2b3c4d.0`) a folder holds."""
    try:
        return sum(1 for name in os.listdir(folder) if _HASH_LINK.match(name))
    except OSError:
        return 0


def bundle_size(path: str | None) -> int:
    """How many certificates a PEM bundle holds (0 when there is none)."""
    if not path:
        return 0
    try:
        with open(path, "rb") as bundle:
            return bundle.read().count(b"-----BEGIN CERTIFICATE-----")
    except OSError:
        return 0


def decide(setting: str | None, environ: Mapping[str, str], default_file: str | None,
           default_dir: str | None, links: Callable[[str], int] = hash_links,
           certificates: Callable[[str | None], int] = bundle_size) -> CaDecision:
    """Whether to read the CA folder lazily; pure but for the two counting functions.
    `default_file`/`default_dir` are OpenSSL's compiled-in paths (`openssl_cafile`,
    `openssl_capath` of `ssl.get_default_verify_paths()`)."""
    chosen = (setting or "").strip().lower()
    if chosen not in ("", LAZY, BUNDLE):
        raise ValueError(f"{SETTING}={setting!r}: use {LAZY} or {BUNDLE}")
    file_env, dir_env = environ.get(FILE_ENV), environ.get(DIR_ENV)
    if file_env == "":
        return CaDecision(True, f"lazy: {FILE_ENV} is empty, OpenSSL reads the CA folder "
                                f"({dir_env or default_dir}) when a handshake needs it")
    if chosen == BUNDLE:
        return CaDecision(False, f"bundle: {SETTING}=bundle")
    explicit = chosen == LAZY
    if file_env is not None and not (explicit and _same_path(file_env, default_file)):
        return CaDecision(False, f"bundle: {FILE_ENV} is set ({file_env}), left as it is")
    if dir_env is not None and not (explicit and _same_path(dir_env, default_dir)):
        return CaDecision(False, f"bundle: {DIR_ENV} is set ({dir_env}), left as it is")
    if not default_dir or not os.path.isdir(default_dir):
        return CaDecision(False, f"bundle: no CA folder ({default_dir or 'none known'})")
    found, needed = links(default_dir), certificates(default_file)
    if found == 0 or found < needed:
        return CaDecision(False, f"bundle: the CA folder {default_dir} holds {found} hashed "
                                 f"certificates, the bundle {needed}")
    env = {FILE_ENV: ""}
    if file_env is not None and dir_env is None:
        env[DIR_ENV] = default_dir  # httpx used the file they named: give it the same folder
    return CaDecision(True, f"lazy: OpenSSL reads {found} certificates from {default_dir} "
                            f"when a handshake needs one ({SETTING}=bundle to load the bundle)",
                      env)


def current() -> CaDecision:
    """The decision for this process as it is now."""
    paths = ssl.get_default_verify_paths()
    return decide(os.environ.get(SETTING), os.environ, paths.openssl_cafile,
                  paths.openssl_capath)


def apply() -> CaDecision:
    """Decide, and set the environment accordingly (idempotent: once set, it says so)."""
    with _lock:
        decision = current()
        for name, value in decision.env.items():
            os.environ[name] = value
        return decision
