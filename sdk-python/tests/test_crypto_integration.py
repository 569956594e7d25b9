"""cryptography integration: daemon-backed private keys in X.509 builders and elsewhere."""

from __future__ import annotations

import copy
import datetime
import shutil
import subprocess

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.x509.oid import NameOID

import parsec_sdk
from parsec_sdk import Algorithm, Client, Hash, KeyAttributes
from parsec_sdk.crypto import (
    ParsecEllipticCurvePrivateKey,
    ParsecRSAPrivateKey,
    PrivateKeyNotExportable,
    ecdsa_from_der,
    ecdsa_to_der,
    hash_from_cryptography,
)

MESSAGE = b"challenge from the verifier"
SUBJECT = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "device-0001"),
                     x509.NameAttribute(NameOID.ORGANIZATION_NAME, "parsec-cpp tests")])


def pss() -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)


def test_ecdsa_der_conversions() -> None:
    local = ec.generate_private_key(ec.SECP256R1())
    der = local.sign(MESSAGE, ec.ECDSA(hashes.SHA256()))
    raw = ecdsa_from_der(der, 256)
    assert len(raw) == 64
    assert ecdsa_to_der(raw) == der
    with pytest.raises(ValueError):
        ecdsa_to_der(b"\x01" * 63)


def test_ec_private_key_interface(client: Client, key_name: str) -> None:
    key = client.generate_key(key_name)
    priv = key.private_key()
    assert isinstance(priv, ec.EllipticCurvePrivateKey) and isinstance(priv, ParsecEllipticCurvePrivateKey)
    assert isinstance(priv.curve, ec.SECP256R1) and priv.key_size == 256
    assert priv.parsec_key is key
    assert copy.copy(priv) is priv and copy.deepcopy(priv) is priv
    pub = priv.public_key()
    assert pub.public_numbers() == key.public_key().public_numbers()

    der = priv.sign(MESSAGE, ec.ECDSA(hashes.SHA256()))
    pub.verify(der, MESSAGE, ec.ECDSA(hashes.SHA256()))  # DER, as cryptography returns

    digest = hashes.Hash(hashes.SHA256())
    digest.update(MESSAGE)
    prehashed = priv.sign(digest.finalize(), ec.ECDSA(utils.Prehashed(hashes.SHA256())))
    pub.verify(prehashed, MESSAGE, ec.ECDSA(hashes.SHA256()))
    with pytest.raises(CryptoInvalidSignature):
        pub.verify(prehashed, b"other", ec.ECDSA(hashes.SHA256()))

    # The policy is ECDSA/SHA-256: another hash is refused before reaching the daemon.
    with pytest.raises(UnsupportedAlgorithm):
        priv.sign(MESSAGE, ec.ECDSA(hashes.SHA384()))
    with pytest.raises(ValueError):
        priv.sign(b"short", ec.ECDSA(utils.Prehashed(hashes.SHA256())))


def test_private_key_never_leaves(client: Client, key_name: str) -> None:
    priv = client.generate_key(key_name).private_key()
    with pytest.raises(PrivateKeyNotExportable, match="never leaves"):
        priv.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                           serialization.NoEncryption())
    with pytest.raises(PrivateKeyNotExportable):
        priv.private_numbers()
    rsa_priv = client.generate_key(key_name + "-rsa", KeyAttributes.rsa_key_pair()).private_key()
    with pytest.raises(TypeError):
        rsa_priv.private_numbers()
    with pytest.raises(TypeError):  # a public key has no private interface
        client.import_key(key_name + "-pub", ec.generate_private_key(ec.SECP256R1()).public_key()).private_key()


def test_ecdsa_any_hash_policy(client: Client, key_name: str) -> None:
    key = client.generate_key(key_name, KeyAttributes.ecc_key_pair(384, Algorithm.ecdsa(Hash.ANY)))
    priv = key.private_key()
    for h in (hashes.SHA256(), hashes.SHA384(), hashes.SHA512()):
        priv.public_key().verify(priv.sign(MESSAGE, ec.ECDSA(h)), MESSAGE, ec.ECDSA(h))


def test_deterministic_signing_needs_a_deterministic_policy(client: Client, key_name: str) -> None:
    try:
        requested = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)  # type: ignore[call-arg]
    except TypeError:
        pytest.fail("the pinned cryptography must have deterministic_signing")
    randomized = client.generate_key(key_name).private_key()
    with pytest.raises(UnsupportedAlgorithm):
        randomized.sign(MESSAGE, requested)
    det = client.generate_key(key_name + "-det", KeyAttributes.ecc_key_pair(
        policy=Algorithm.deterministic_ecdsa())).private_key()
    a = det.sign(MESSAGE, requested)
    assert a == det.sign(MESSAGE, ec.ECDSA(hashes.SHA256()))
    det.public_key().verify(a, MESSAGE, ec.ECDSA(hashes.SHA256()))


def test_rsa_private_key_interface(client: Client, key_name: str) -> None:
    key = client.generate_key(key_name, KeyAttributes.rsa_key_pair(2048))  # PSS / SHA-256
    priv = key.private_key()
    assert isinstance(priv, rsa.RSAPrivateKey) and isinstance(priv, ParsecRSAPrivateKey)
    assert priv.key_size == 2048
    sig = priv.sign(MESSAGE, pss(), hashes.SHA256())
    priv.public_key().verify(sig, MESSAGE, pss(), hashes.SHA256())
    explicit = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    priv.public_key().verify(priv.sign(MESSAGE, explicit, hashes.SHA256()), MESSAGE, explicit, hashes.SHA256())
    # What PSA's RSA-PSS cannot express, or the policy does not allow:
    with pytest.raises(UnsupportedAlgorithm):
        priv.sign(MESSAGE, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH),
                  hashes.SHA256())
    with pytest.raises(UnsupportedAlgorithm):
        priv.sign(MESSAGE, padding.PSS(mgf=padding.MGF1(hashes.SHA1()), salt_length=32), hashes.SHA256())
    with pytest.raises(UnsupportedAlgorithm):
        priv.sign(MESSAGE, padding.PKCS1v15(), hashes.SHA256())


def test_rsa_pkcs1v15_private_key(client: Client, key_name: str) -> None:
    key = client.generate_key(key_name, KeyAttributes.rsa_key_pair(
        2048, Algorithm.rsa_pkcs1v15_sign(Hash.ANY)))
    priv = key.private_key()
    for h in (hashes.SHA256(), hashes.SHA384()):
        priv.public_key().verify(priv.sign(MESSAGE, padding.PKCS1v15(), h), MESSAGE, padding.PKCS1v15(), h)


def test_rsa_decrypt_through_the_private_key(client: Client, key_name: str) -> None:
    from conftest import require_opcode

    require_opcode(client, parsec_sdk.Opcode.PSA_ASYMMETRIC_DECRYPT)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    key = client.generate_key(key_name, KeyAttributes.rsa_key_pair(2048, Algorithm.rsa_oaep(Hash.SHA256)))
    priv = key.private_key()
    ciphertext = priv.public_key().encrypt(b"secret", oaep)
    assert priv.decrypt(ciphertext, oaep) == b"secret"
    labelled = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=b"lbl")
    assert priv.decrypt(priv.public_key().encrypt(b"x", labelled), labelled) == b"x"
    v15 = client.generate_key(key_name + "-v15", KeyAttributes.rsa_key_pair(
        2048, Algorithm.rsa_pkcs1v15_crypt())).private_key()
    assert v15.decrypt(v15.public_key().encrypt(b"y", padding.PKCS1v15()), padding.PKCS1v15()) == b"y"


# ---- X.509 ---------------------------------------------------------------------------------------


def make_csr(private_key: object, algorithm: hashes.HashAlgorithm = hashes.SHA256(), **kwargs: object
             ) -> x509.CertificateSigningRequest:
    return (x509.CertificateSigningRequestBuilder()
            .subject_name(SUBJECT)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("device-0001.example")]), critical=False)
            .sign(private_key, algorithm, **kwargs))  # type: ignore[arg-type]


def openssl_req_verify(csr: x509.CertificateSigningRequest, tmp_path: object) -> None:
    if shutil.which("openssl") is None:
        return
    path = f"{tmp_path}/req.pem"
    with open(path, "wb") as f:
        f.write(csr.public_bytes(serialization.Encoding.PEM))
    out = subprocess.run(["openssl", "req", "-in", path, "-noout", "-verify"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "verify OK" in (out.stdout + out.stderr)


def test_csr_signed_by_an_ecc_key_in_the_daemon(client: Client, key_name: str, tmp_path: object) -> None:
    key = client.generate_key(key_name)
    csr = make_csr(key.private_key())
    assert csr.is_signature_valid
    assert csr.public_key().public_numbers() == key.public_key().public_numbers()
    assert csr.signature_algorithm_oid == x509.SignatureAlgorithmOID.ECDSA_WITH_SHA256
    # Checked independently as well.
    key.public_key().verify(csr.signature, csr.tbs_certrequest_bytes, ec.ECDSA(hashes.SHA256()))
    openssl_req_verify(csr, tmp_path)


def test_csr_signed_by_p384_key(client: Client, key_name: str, tmp_path: object) -> None:
    key = client.generate_key(key_name, KeyAttributes.ecc_key_pair(384, Algorithm.ecdsa(Hash.SHA384)))
    csr = make_csr(key.private_key(), hashes.SHA384())
    assert csr.is_signature_valid
    assert csr.signature_algorithm_oid == x509.SignatureAlgorithmOID.ECDSA_WITH_SHA384
    openssl_req_verify(csr, tmp_path)


def test_csr_signed_by_rsa_keys(client: Client, key_name: str, tmp_path: object) -> None:
    v15 = client.generate_key(key_name, KeyAttributes.rsa_key_pair(2048, Algorithm.rsa_pkcs1v15_sign()))
    csr = make_csr(v15.private_key())
    assert csr.is_signature_valid
    assert csr.signature_algorithm_oid == x509.SignatureAlgorithmOID.RSA_WITH_SHA256
    openssl_req_verify(csr, tmp_path)

    pss_key = client.generate_key(key_name + "-pss", KeyAttributes.rsa_key_pair(2048))
    try:
        csr = make_csr(pss_key.private_key(), rsa_padding=pss())
    except TypeError:
        pytest.fail("the pinned cryptography must sign X.509 with RSA-PSS")
    assert csr.is_signature_valid
    assert csr.signature_algorithm_oid == x509.SignatureAlgorithmOID.RSASSA_PSS
    openssl_req_verify(csr, tmp_path)


def test_certificate_issued_by_a_ca_key_in_the_daemon(client: Client, key_name: str) -> None:
    """The CA key lives in the daemon; the subject key is a local one."""
    ca_key = client.generate_key(key_name)
    ca_priv = ca_key.private_key()
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Parsec test CA")])
    ca_cert = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
               .public_key(ca_priv.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .sign(ca_priv, hashes.SHA256()))
    ca_cert.verify_directly_issued_by(ca_cert)

    device = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(SUBJECT).issuer_name(ca_name)
            .public_key(device.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(ca_priv, hashes.SHA256()))
    cert.verify_directly_issued_by(ca_cert)


def test_hash_mapping() -> None:
    assert hash_from_cryptography(hashes.SHA256()) == Hash.SHA256
    assert hash_from_cryptography(hashes.SHA3_256()) == Hash.SHA3_256
    with pytest.raises(UnsupportedAlgorithm):
        hash_from_cryptography(hashes.BLAKE2b(64))


def test_rsa_raw_pkcs1v15_with_no_digest_info(client: Client, key_name: str) -> None:
    no_digest_info = getattr(utils, "NoDigestInfo", None)
    if no_digest_info is None:
        pytest.fail("the pinned cryptography must have NoDigestInfo")
    key = client.generate_key(key_name, KeyAttributes.rsa_key_pair(2048, Algorithm.rsa_pkcs1v15_sign_raw()))
    priv = key.private_key()
    # A SHA-256 DigestInfo, built by hand: the caller did the encoding.
    digest = hashes.Hash(hashes.SHA256())
    digest.update(MESSAGE)
    digest_info = bytes.fromhex("3031300d060960864801650304020105000420") + digest.finalize()
    sig = priv.sign(digest_info, padding.PKCS1v15(), no_digest_info())
    priv.public_key().verify(sig, MESSAGE, padding.PKCS1v15(), hashes.SHA256())
