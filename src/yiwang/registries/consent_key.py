"""This platform's consent-signing key (Ed25519), the only key that makes a consent token valid.

Generated at first use and kept in the data folder, readable by its owner only (0600). The
registries are told the public key (`yiwang consent-key` prints it); the bearer credential that
identifies the platform to them cannot sign consents, so knowing it (the demo's is public) opens
no record.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings

from yiwang.registry_service.consent import public_key_hex

KEY_FILE_NAME = "consent-signing-key.pem"

_lock = threading.Lock()
_loaded: dict[Path, Ed25519PrivateKey] = {}


def key_path() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILE_NAME


def _create(path: Path) -> None:
    # Written to a private temporary file, then linked into place: another worker either finds no
    # key (and links its own, of which one wins) or a complete one, never half a file.
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        encoding=serialization.Encoding.PEM, format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
    finally:
        temporary.unlink(missing_ok=True)


def platform_consent_key() -> Ed25519PrivateKey:
    """The platform's private signing key, created on first use."""
    path = key_path()
    with _lock:
        key = _loaded.get(path)
        if key is not None:
            return key
        if not path.exists():
            _create(path)
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 key")
        _loaded[path] = key
        return key


def platform_consent_public_key() -> str:
    """The public half in hex, for the registries' configuration."""
    return public_key_hex(platform_consent_key())
