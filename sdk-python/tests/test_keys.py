"""Key life cycle, signatures, export and random against the real daemon.

Every signature is checked with ``cryptography``; every public key the daemon
exports is compared with the one ``cryptography`` derives.
"""

from __future__ import annotations

import hashlib

import pytest
from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

import parsec_sdk
from parsec_sdk import Algorithm, Client, EccFamily, Hash, KeyAttributes, KeyType
from parsec_sdk.crypto import ecdsa_from_der, ecdsa_to_der

MESSAGE = b"parsec-cpp python sdk"


def sha(h: Hash, data: bytes = MESSAGE) -> bytes:
    return hashlib.new(h.name.lower().replace("_", "-").replace("sha3-", "sha3_"), data).digest()


CRYPTO_HASH = {Hash.SHA256: hashes.SHA256(), Hash.SHA384: hashes.SHA384(), Hash.SHA512: hashes.SHA512()}

# ---- ECC ---------------------------------------------------------------------------------------


# (family, bits, hash, curve, required): curves the software provider must serve
# (required), and curves beyond the list (Brainpool) that it serves too.
CURVES = [
    (EccFamily.SECP_R1, 256, Hash.SHA256, ec.SECP256R1, True),
    (EccFamily.SECP_R1, 384, Hash.SHA384, ec.SECP384R1, True),
    (EccFamily.SECP_R1, 521, Hash.SHA512, ec.SECP521R1, True),
    (EccFamily.SECP_K1, 256, Hash.SHA256, ec.SECP256K1, True),
    (EccFamily.BRAINPOOL_P_R1, 256, Hash.SHA256, ec.BrainpoolP256R1, False),
    (EccFamily.BRAINPOOL_P_R1, 384, Hash.SHA384, ec.BrainpoolP384R1, False),
]


@pytest.mark.parametrize("family,bits,h,curve,required", CURVES, ids=lambda v: getattr(v, "name", str(v)))
def test_ecdsa_sign_hash_verified_by_cryptography(client: Client, key_name: str, family: EccFamily, bits: int,
                                                  h: Hash, curve: type, required: bool) -> None:
    attrs = KeyAttributes.ecc_key_pair(bits, Algorithm.ecdsa(h), family)
    try:
        key = client.generate_key(key_name, attrs)
    except parsec_sdk.NotSupported:
        if required:
            raise
        pytest.fail(f"the provider does not support {family.name} {bits}")
    assert key.key_type == KeyType.ECC_KEY_PAIR and key.bits == bits
    digest = sha(h)
    sig = key.sign_hash(digest)
    n = (bits + 7) // 8
    assert len(sig) == 2 * n  # r || s
    pub = key.public_key()
    assert isinstance(pub, ec.EllipticCurvePublicKey) and isinstance(pub.curve, curve)
    pub.verify(ecdsa_to_der(sig), MESSAGE, ec.ECDSA(CRYPTO_HASH[h]))
    # The daemon agrees, and rejects a tampered signature / digest with False.
    assert key.verify_hash(digest, sig) is True
    bad = bytearray(sig)
    bad[-1] ^= 1
    assert key.verify_hash(digest, bytes(bad)) is False
    assert key.verify_hash(sha(h, b"other"), sig) is False
    with pytest.raises(CryptoInvalidSignature):
        pub.verify(ecdsa_to_der(bytes(bad)), MESSAGE, ec.ECDSA(CRYPTO_HASH[h]))


def test_daemon_verifies_a_cryptography_signature(client: Client, key_name: str) -> None:
    local = ec.generate_private_key(ec.SECP256R1())
    key = client.import_key(key_name, local.public_key())
    assert key.attributes.type == KeyType.ECC_PUBLIC_KEY and key.bits == 256
    der = local.sign(MESSAGE, ec.ECDSA(hashes.SHA256()))
    assert key.verify_hash(sha(Hash.SHA256), ecdsa_from_der(der, 256)) is True
    assert key.verify_hash(sha(Hash.SHA256, b"tampered"), ecdsa_from_der(der, 256)) is False
    # A public key cannot sign.
    with pytest.raises(parsec_sdk.NotPermitted):
        key.sign_hash(sha(Hash.SHA256))


def test_imported_ecc_private_key_signs(client: Client, key_name: str) -> None:
    local = ec.generate_private_key(ec.SECP256R1())
    key = client.import_key(key_name, local)
    assert key.attributes.type == KeyType.ECC_KEY_PAIR and key.attributes.family == EccFamily.SECP_R1
    assert key.bits == 256
    sig = key.sign_hash(sha(Hash.SHA256))
    local.public_key().verify(ecdsa_to_der(sig), MESSAGE, ec.ECDSA(hashes.SHA256()))
    assert key.public_key().public_numbers() == local.public_key().public_numbers()


def test_import_raw_bytes_needs_attributes(client: Client, key_name: str) -> None:
    local = ec.generate_private_key(ec.SECP256R1())
    scalar = local.private_numbers().private_value.to_bytes(32, "big")
    with pytest.raises(TypeError):
        client.import_key(key_name, scalar)
    key = client.import_key(key_name, scalar, KeyAttributes.ecc_key_pair())
    assert key.export_public_key() == local.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def test_export_public_key_formats(client: Client, key_name: str) -> None:
    ecc = client.generate_key(key_name)
    raw = ecc.export_public_key()
    assert len(raw) == 65 and raw[0] == 4  # 04 || X || Y
    assert client.export_public_key(key_name) == raw
    assert ecc.public_key().public_bytes(serialization.Encoding.X962,
                                         serialization.PublicFormat.UncompressedPoint) == raw


def test_deterministic_ecdsa(client: Client, key_name: str) -> None:
    key = client.generate_key(key_name, KeyAttributes.ecc_key_pair(policy=Algorithm.deterministic_ecdsa()))
    digest = sha(Hash.SHA256)
    a, b = key.sign_hash(digest), key.sign_hash(digest)
    assert a == b
    key.public_key().verify(ecdsa_to_der(a), MESSAGE, ec.ECDSA(hashes.SHA256()))


def test_any_hash_policy_takes_the_hash_from_the_digest(client: Client, key_name: str) -> None:
    key = client.generate_key(key_name, KeyAttributes.ecc_key_pair(policy=Algorithm.ecdsa(Hash.ANY)))
    pub = key.public_key()
    for h in (Hash.SHA256, Hash.SHA384, Hash.SHA512):
        sig = key.sign_hash(sha(h))
        pub.verify(ecdsa_to_der(sig), MESSAGE, ec.ECDSA(CRYPTO_HASH[h]))
        assert key.verify_hash(sha(h), sig)
    with pytest.raises(ValueError, match="any hash"):
        key.sign_hash(b"\x01" * 17)


# ---- RSA -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rsa_local() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(65537, 2048)


def test_rsa_pss_sign_hash_verified_by_cryptography(client: Client, key_name: str) -> None:
    key = client.generate_key(key_name, KeyAttributes.rsa_key_pair(2048))  # default: PSS / SHA-256
    assert key.policy == Algorithm.rsa_pss(Hash.SHA256)
    sig = key.sign_hash(sha(Hash.SHA256))
    assert len(sig) == 256
    pub = key.public_key()
    assert isinstance(pub, rsa.RSAPublicKey) and pub.key_size == 2048
    # PSA's RSA-PSS: MGF1 with the same hash, salt length = hash length.
    pub.verify(sig, MESSAGE, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
    assert key.verify_hash(sha(Hash.SHA256), sig)
    assert not key.verify_hash(sha(Hash.SHA256, b"x"), sig)


def test_rsa_pkcs1v15_with_imported_key(client: Client, key_name: str, rsa_local: rsa.RSAPrivateKey) -> None:
    key = client.import_key(key_name, rsa_local, KeyAttributes.rsa_key_pair(
        2048, Algorithm.rsa_pkcs1v15_sign(Hash.SHA256)))
    sig = key.sign_hash(sha(Hash.SHA256))
    rsa_local.public_key().verify(sig, MESSAGE, padding.PKCS1v15(), hashes.SHA256())
    # PKCS#1 v1.5 is deterministic: the daemon's signature equals cryptography's.
    assert sig == rsa_local.sign(MESSAGE, padding.PKCS1v15(), hashes.SHA256())
    assert key.export_public_key() == rsa_local.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.PKCS1)


def test_rsa_public_key_import_verifies(client: Client, key_name: str, rsa_local: rsa.RSAPrivateKey) -> None:
    key = client.import_key(key_name, rsa_local.public_key())
    assert key.attributes.type == KeyType.RSA_PUBLIC_KEY
    sig = rsa_local.sign(MESSAGE, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
    assert key.verify_hash(sha(Hash.SHA256), sig)
    assert not key.verify_hash(sha(Hash.SHA256, b"x"), sig)


# ---- life cycle and errors --------------------------------------------------------------------------


def test_key_lookup_and_destroy(client: Client, key_name: str) -> None:
    created = client.generate_key(key_name)
    found = client.key(key_name)
    assert found == created and found.attributes == created.attributes
    found.destroy()
    with pytest.raises(parsec_sdk.KeyNotFound) as info:
        client.key(key_name)
    assert info.value.key_name == key_name and isinstance(info.value, LookupError)
    with pytest.raises(parsec_sdk.KeyNotFound) as info2:
        created.sign_hash(sha(Hash.SHA256))
    assert info2.value.status == parsec_sdk.Status.PSA_ERROR_DOES_NOT_EXIST and info2.value.from_service
    assert key_name in str(info2.value) and "PsaSignHash" in str(info2.value)
    with pytest.raises(parsec_sdk.KeyNotFound):
        created.destroy()
    # The name is free again.
    client.generate_key(key_name)


def test_key_already_exists(client: Client, key_name: str) -> None:
    client.generate_key(key_name)
    with pytest.raises(parsec_sdk.KeyAlreadyExists) as info:
        client.generate_key(key_name, KeyAttributes.rsa_key_pair())
    assert info.value.status == parsec_sdk.Status.PSA_ERROR_ALREADY_EXISTS
    assert info.value.key_name == key_name
    with pytest.raises(parsec_sdk.KeyAlreadyExists):
        client.import_key(key_name, ec.generate_private_key(ec.SECP256R1()))


def test_not_permitted_by_policy(client: Client, key_name: str) -> None:
    key = client.generate_key(key_name)  # ECDSA / SHA-256
    with pytest.raises(parsec_sdk.NotPermitted):
        key.sign_hash(sha(Hash.SHA384), Algorithm.ecdsa(Hash.SHA384))
    with pytest.raises(parsec_sdk.NotPermitted):
        key.export()  # no export flag
    verify_only = client.generate_key(key_name + "-v", KeyAttributes.ecc_key_pair().with_usage(
        sign_hash=False, sign_message=False))
    with pytest.raises(parsec_sdk.NotPermitted):
        verify_only.sign_hash(sha(Hash.SHA256))


def test_invalid_arguments(client: Client, key_name: str) -> None:
    key = client.generate_key(key_name)
    with pytest.raises(parsec_sdk.InvalidArgument):
        key.sign_hash(b"short", Algorithm.ecdsa(Hash.SHA256))  # wrong digest length
    with pytest.raises(parsec_sdk.InvalidArgument):
        client.generate_key("bad\nname")
    with pytest.raises(ValueError):  # InvalidArgument is a ValueError
        client.generate_key("")


def test_not_supported(client: Client, key_name: str) -> None:
    with pytest.raises(parsec_sdk.NotSupported):
        client.generate_key(key_name, KeyAttributes.ecc_key_pair(256, family=EccFamily.SECT_K1))


def test_keys_are_private_to_their_application(endpoint: str, client: Client, key_name: str) -> None:
    client.generate_key(key_name)
    with Client(endpoint, app_name="other-" + key_name) as other:
        with pytest.raises(parsec_sdk.KeyNotFound):
            other.key(key_name)
        with pytest.raises(parsec_sdk.KeyNotFound):
            other.sign_hash(key_name, Algorithm.ecdsa(), sha(Hash.SHA256))
        other.generate_key(key_name)  # same name, other owner: no clash
    assert client.key(key_name)


def test_unix_peer_credentials_client(endpoint: str, key_name: str) -> None:
    with Client(endpoint) as c:
        key = c.generate_key(key_name)
        try:
            sig = key.sign_hash(sha(Hash.SHA256))
            key.public_key().verify(ecdsa_to_der(sig), MESSAGE, ec.ECDSA(hashes.SHA256()))
            assert key_name in [k.name for k in c.keys()]
        finally:
            key.destroy()


def test_export_key_when_served(client: Client, key_name: str) -> None:
    from conftest import require_opcode

    require_opcode(client, parsec_sdk.Opcode.PSA_EXPORT_KEY)
    local = ec.generate_private_key(ec.SECP256R1())
    key = client.import_key(key_name, local, KeyAttributes.ecc_key_pair().with_usage(export=True))
    assert key.export() == local.private_numbers().private_value.to_bytes(32, "big")


# ---- random -------------------------------------------------------------------------------------------


def test_generate_random(client: Client) -> None:
    for n in (0, 1, 32, 1000, 65536):
        assert len(client.generate_random(n)) == n
    a, b = client.generate_random(32), client.generate_random(32)
    assert a != b
    with pytest.raises(ValueError):
        client.generate_random(-1)


def test_generate_random_over_the_limit(client: Client) -> None:
    with pytest.raises(parsec_sdk.ResponseTooLarge):
        client.generate_random(2 << 20)


def test_buffers_of_any_kind_are_accepted(client: Client, key_name: str) -> None:
    key = client.generate_key(key_name)
    digest = sha(Hash.SHA256)
    sig = key.sign_hash(bytearray(digest))
    assert key.verify_hash(memoryview(digest), bytearray(sig))
    with pytest.raises(TypeError):
        key.sign_hash(digest.hex())  # type: ignore[arg-type]


def test_random_bytes_are_not_all_equal(client: Client) -> None:
    data = client.generate_random(4096)
    assert len(set(data)) > 200
