"""Signatures of e-licences (pure: no Django).

Why Ed25519 and not SM2: SM2 (GB/T 32918) is the national algorithm a production seal would
use, but the only installable implementation, `gmssl`, is pure Python and far too slow for
signing at approval time (the benchmark runs 100 case lifecycles per second). `cryptography`'s
Ed25519 signs in tens of microseconds. Every stored key and signed content names its
`algorithm`, so an SM2 signer can be added beside this one without changing stored licences.

Private keys at rest: the local implementation keeps the PKCS#8 PEM encrypted
(`BestAvailableEncryption`) under a passphrase derived from the installation's SECRET_KEY with
HKDF-SHA-256. Production installations should keep seal keys in an HSM (or a signing service)
and store only a handle; losing SECRET_KEY makes the stored private keys unusable for new
signatures, while every issued licence still verifies with its public key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ALGORITHM_ED25519 = "ed25519"
SUPPORTED_ALGORITHMS = (ALGORITHM_ED25519,)

_STORAGE_INFO = b"yiwang/licences/seal-key-storage/v1"


class SigningError(Exception):
    """A key cannot be used (wrong passphrase, unsupported algorithm, malformed PEM)."""


def storage_passphrase(secret: str) -> bytes:
    """The passphrase that encrypts private keys at rest, derived from the installation secret."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_STORAGE_INFO).derive(secret.encode("utf-8"))
    return base64.urlsafe_b64encode(derived)


def generate_keypair(passphrase: bytes | None = None, algorithm: str = ALGORITHM_ED25519) -> tuple[str, str]:
    """A new key pair as (private PKCS#8 PEM, public SubjectPublicKeyInfo PEM).

    With `passphrase` the private PEM is encrypted (the form stored in the database).
    """
    _check_algorithm(algorithm)
    private_key = Ed25519PrivateKey.generate()
    encryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    )
    private_pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    ).decode("ascii")
    public_pem = (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    return private_pem, public_pem


def public_key_fingerprint(public_pem: str) -> str:
    """Hex SHA-256 of the raw public key: a stable, collision-free base for key ids."""
    public_key = _load_public_key(public_pem)
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def canonical_bytes(content: dict[str, Any]) -> bytes:
    """The bytes that are signed: JSON with sorted keys, no spaces, UTF-8 (not ASCII-escaped)."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_digest(content: dict[str, Any]) -> str:
    """Hex SHA-256 of the canonical bytes of `content`."""
    return hashlib.sha256(canonical_bytes(content)).hexdigest()


def sign(private_pem: str, data: bytes, passphrase: bytes | None = None) -> str:
    """Base64 signature of `data` with the (optionally encrypted) private key."""
    try:
        private_key = serialization.load_pem_private_key(private_pem.encode("ascii"), password=passphrase)
    except (ValueError, TypeError) as exc:
        raise SigningError(f"cannot load the private key: {exc}") from None
    if not isinstance(private_key, Ed25519PrivateKey):
        raise SigningError("only Ed25519 private keys are supported")
    return base64.b64encode(private_key.sign(data)).decode("ascii")


def verify(public_pem: str, data: bytes, signature_b64: str) -> bool:
    """True when `signature_b64` is a valid signature of `data`; False for anything else."""
    try:
        public_key = _load_public_key(public_pem)
        signature = base64.b64decode(signature_b64.encode("ascii"), validate=True)
        public_key.verify(signature, data)
    except (InvalidSignature, SigningError, ValueError, TypeError, binascii.Error, UnicodeEncodeError):
        return False
    return True


def _load_public_key(public_pem: str) -> Ed25519PublicKey:
    try:
        public_key = serialization.load_pem_public_key(public_pem.encode("ascii"))
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        raise SigningError(f"cannot load the public key: {exc}") from None
    if not isinstance(public_key, Ed25519PublicKey):
        raise SigningError("only Ed25519 public keys are supported")
    return public_key


def _check_algorithm(algorithm: str) -> None:
    if algorithm not in SUPPORTED_ALGORITHMS:
        raise SigningError(f"unsupported signature algorithm {algorithm!r}")
