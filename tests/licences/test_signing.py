"""The pure signing module: canonical bytes, round trip, tamper detection, keys at rest."""

import re

import pytest
from cryptography.hazmat.primitives import serialization

from yiwang.licences import signing


def test_canonical_bytes_sorted_compact_utf8():
    assert signing.canonical_bytes({"b": "营业执照", "a": 1, "c": {"y": 2, "x": [1, "二"]}}) == (
        '{"a":1,"b":"营业执照","c":{"x":[1,"二"],"y":2}}'.encode("utf-8")
    )


def test_sign_verify_round_trip():
    private_pem, public_pem = signing.generate_keypair()
    data = signing.canonical_bytes({"number": "SCJG-20260305-00000001", "title": "营业执照"})
    signature = signing.sign(private_pem, data)
    assert signing.verify(public_pem, data, signature) is True


def test_tampered_data_or_signature_or_other_key_fails():
    private_pem, public_pem = signing.generate_keypair()
    _, other_public_pem = signing.generate_keypair()
    data = signing.canonical_bytes({"holder_name": "张三"})
    signature = signing.sign(private_pem, data)
    assert signing.verify(public_pem, signing.canonical_bytes({"holder_name": "李四"}), signature) is False
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert signing.verify(public_pem, data, flipped) is False
    assert signing.verify(other_public_pem, data, signature) is False
    assert signing.verify(public_pem, data, "not base64!") is False
    assert signing.verify("not a pem", data, signature) is False


def test_private_key_encrypted_at_rest_with_secret_derived_passphrase():
    passphrase = signing.storage_passphrase("the-secret-key")
    assert passphrase == signing.storage_passphrase("the-secret-key")
    assert passphrase != signing.storage_passphrase("another-secret")
    private_pem, public_pem = signing.generate_keypair(passphrase=passphrase)
    assert private_pem.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    with pytest.raises(TypeError):
        serialization.load_pem_private_key(private_pem.encode(), password=None)
    data = b"payload"
    assert signing.verify(public_pem, data, signing.sign(private_pem, data, passphrase=passphrase)) is True
    with pytest.raises(signing.SigningError):
        signing.sign(private_pem, data, passphrase=signing.storage_passphrase("another-secret"))


def test_unsupported_algorithm_refused():
    with pytest.raises(signing.SigningError):
        signing.generate_keypair(algorithm="sm2")


def test_fingerprint_is_stable_hex():
    _, public_pem = signing.generate_keypair()
    fingerprint = signing.public_key_fingerprint(public_pem)
    assert fingerprint == signing.public_key_fingerprint(public_pem)
    assert re.fullmatch(r"[0-9a-f]{64}", fingerprint)
    _, other_pem = signing.generate_keypair()
    assert signing.public_key_fingerprint(other_pem) != fingerprint
