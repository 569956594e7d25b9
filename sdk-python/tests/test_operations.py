"""The operations beyond sign/verify/export/random, each checked against ``cryptography``.

The software provider serves every one of them: a test fails if the provider
does not advertise the opcode (ListOpcodes; for the MAC opcodes, which are never
listed, if it answers NotSupported).
"""

from __future__ import annotations

import hashlib
import hmac
import os

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, x25519
from cryptography.hazmat.primitives.ciphers import Cipher as CryptoCipher
from cryptography.hazmat.primitives.ciphers import algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESCCM, AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives import padding as sym_padding

import parsec_sdk
from conftest import require_opcode, fail_if_not_supported
from parsec_sdk import (
    Algorithm,
    CheckType,
    Cipher,
    Client,
    EccFamily,
    Hash,
    KeyAttributes,
    KeyType,
    Opcode,
)
from parsec_sdk.crypto import ecdsa_to_der

MESSAGE = b"the quick brown fox jumps over the lazy dog"


# ---- sign / verify message -----------------------------------------------------------------------


def test_sign_message_ecdsa(client: Client, key_name: str) -> None:
    require_opcode(client, Opcode.PSA_SIGN_MESSAGE)
    key = client.generate_key(key_name)
    sig = key.sign_message(MESSAGE)
    key.public_key().verify(ecdsa_to_der(sig), MESSAGE, ec.ECDSA(hashes.SHA256()))
    require_opcode(client, Opcode.PSA_VERIFY_MESSAGE)
    assert key.verify_message(MESSAGE, sig) is True
    assert key.verify_message(MESSAGE + b"!", sig) is False
    # The message signature is a signature of the message's hash.
    assert key.verify_hash(hashlib.sha256(MESSAGE).digest(), sig)


def test_sign_message_rsa_pss(client: Client, key_name: str) -> None:
    require_opcode(client, Opcode.PSA_SIGN_MESSAGE)
    key = client.generate_key(key_name, KeyAttributes.rsa_key_pair(2048))
    sig = key.sign_message(MESSAGE)
    key.public_key().verify(sig, MESSAGE, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
                            hashes.SHA256())
    require_opcode(client, Opcode.PSA_VERIFY_MESSAGE)
    assert key.verify_message(MESSAGE, sig)
    assert not key.verify_message(b"other", sig)


# ---- asymmetric encryption ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def rsa_local() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(65537, 2048)


def test_rsa_oaep_encrypt_decrypt(client: Client, key_name: str, rsa_local: rsa.RSAPrivateKey) -> None:
    require_opcode(client, Opcode.PSA_ASYMMETRIC_ENCRYPT)
    require_opcode(client, Opcode.PSA_ASYMMETRIC_DECRYPT)
    key = client.import_key(key_name, rsa_local, KeyAttributes.rsa_key_pair(2048, Algorithm.rsa_oaep(Hash.SHA256)))
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    # Daemon encrypts, cryptography decrypts; and the other way round.
    ct = key.encrypt(b"secret")
    assert len(ct) == 256 and rsa_local.decrypt(ct, oaep) == b"secret"
    assert key.decrypt(rsa_local.public_key().encrypt(b"secret 2", oaep)) == b"secret 2"
    assert key.decrypt(key.encrypt(b"round trip")) == b"round trip"
    # The salt is OAEP's label.
    labelled = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=b"label")
    assert rsa_local.decrypt(key.encrypt(b"x", salt=b"label"), labelled) == b"x"
    with pytest.raises(parsec_sdk.InvalidPadding):
        key.decrypt(key.encrypt(b"x", salt=b"label"), salt=b"other")


def test_rsa_pkcs1v15_encrypt_decrypt(client: Client, key_name: str, rsa_local: rsa.RSAPrivateKey) -> None:
    require_opcode(client, Opcode.PSA_ASYMMETRIC_ENCRYPT)
    require_opcode(client, Opcode.PSA_ASYMMETRIC_DECRYPT)
    key = client.import_key(key_name, rsa_local, KeyAttributes.rsa_key_pair(2048, Algorithm.rsa_pkcs1v15_crypt()))
    assert rsa_local.decrypt(key.encrypt(b"secret"), padding.PKCS1v15()) == b"secret"
    assert key.decrypt(rsa_local.public_key().encrypt(b"secret", padding.PKCS1v15())) == b"secret"


def test_encrypt_with_a_public_key(client: Client, key_name: str, rsa_local: rsa.RSAPrivateKey) -> None:
    require_opcode(client, Opcode.PSA_ASYMMETRIC_ENCRYPT)
    pub = client.import_key(key_name, rsa_local.public_key(),
                            KeyAttributes.rsa_public_key(2048, Algorithm.rsa_oaep(Hash.SHA256)))
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    assert rsa_local.decrypt(pub.encrypt(b"to the owner"), oaep) == b"to the owner"
    with pytest.raises(parsec_sdk.NotPermitted):
        pub.decrypt(bytes(256))


# ---- AEAD -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name,key_type,bits,alg,local,nonce_len", [
    ("gcm", KeyType.AES, 256, Algorithm.aead_gcm(), AESGCM, 12),
    ("ccm", KeyType.AES, 128, Algorithm.aead_ccm(), AESCCM, 13),
    ("chacha20", KeyType.CHACHA20, 256, Algorithm.aead_chacha20_poly1305(), ChaCha20Poly1305, 12),
])
def test_aead(client: Client, key_name: str, name: str, key_type: KeyType, bits: int, alg: Algorithm,
              local: type, nonce_len: int) -> None:
    require_opcode(client, Opcode.PSA_AEAD_ENCRYPT)
    require_opcode(client, Opcode.PSA_AEAD_DECRYPT)
    secret = os.urandom(bits // 8)
    key = client.import_key(key_name, secret, KeyAttributes.of_type(key_type, bits, alg))
    nonce, aad = os.urandom(nonce_len), b"header"
    ct = key.aead_encrypt(nonce, MESSAGE, aad)
    assert len(ct) == len(MESSAGE) + 16
    assert local(secret).decrypt(nonce, ct, aad) == MESSAGE
    assert key.aead_decrypt(nonce, local(secret).encrypt(nonce, b"from cryptography", aad), aad) == \
        b"from cryptography"
    tampered = bytearray(ct)
    tampered[0] ^= 1
    with pytest.raises(parsec_sdk.InvalidSignature):
        key.aead_decrypt(nonce, bytes(tampered), aad)


def test_aead_shortened_tag(client: Client, key_name: str) -> None:
    require_opcode(client, Opcode.PSA_AEAD_ENCRYPT)
    secret = os.urandom(16)
    key = client.import_key(key_name, secret, KeyAttributes.aes(128, Algorithm.aead_ccm(8)))
    nonce = os.urandom(13)
    ct = key.aead_encrypt(nonce, MESSAGE)
    assert len(ct) == len(MESSAGE) + 8
    assert AESCCM(secret, tag_length=8).decrypt(nonce, ct, None) == MESSAGE


# ---- unauthenticated ciphers -----------------------------------------------------------------------


def test_cipher_cbc_pkcs7(client: Client, key_name: str) -> None:
    require_opcode(client, Opcode.PSA_CIPHER_ENCRYPT)
    require_opcode(client, Opcode.PSA_CIPHER_DECRYPT)
    secret = os.urandom(32)
    key = client.import_key(key_name, secret, KeyAttributes.aes(256, Algorithm.cipher(Cipher.CBC_PKCS7)))
    out = key.cipher_encrypt(MESSAGE)
    iv, ct = out[:16], out[16:]
    dec = CryptoCipher(algorithms.AES(secret), modes.CBC(iv)).decryptor()
    unpad = sym_padding.PKCS7(128).unpadder()
    assert unpad.update(dec.update(ct) + dec.finalize()) + unpad.finalize() == MESSAGE
    # cryptography encrypts, the daemon decrypts IV || ciphertext.
    iv = os.urandom(16)
    pad = sym_padding.PKCS7(128).padder()
    enc = CryptoCipher(algorithms.AES(secret), modes.CBC(iv)).encryptor()
    ct = enc.update(pad.update(b"abc") + pad.finalize()) + enc.finalize()
    assert key.cipher_decrypt(iv + ct) == b"abc"


def test_cipher_ctr(client: Client, key_name: str) -> None:
    require_opcode(client, Opcode.PSA_CIPHER_ENCRYPT)
    secret = os.urandom(16)
    key = client.import_key(key_name, secret, KeyAttributes.aes(128, Algorithm.cipher(Cipher.CTR)))
    out = key.cipher_encrypt(MESSAGE)
    dec = CryptoCipher(algorithms.AES(secret), modes.CTR(out[:16])).decryptor()
    assert dec.update(out[16:]) + dec.finalize() == MESSAGE


# ---- MAC ----------------------------------------------------------------------------------------------


def test_hmac(client: Client, key_name: str) -> None:
    secret = os.urandom(32)
    try:
        key = client.import_key(key_name, secret, KeyAttributes.hmac(256, Algorithm.hmac(Hash.SHA256)))
        mac = key.mac_compute(MESSAGE)
    except parsec_sdk.ParsecError as e:
        fail_if_not_supported(e, "HMAC keys and PsaMacCompute")
        raise
    assert mac == hmac.new(secret, MESSAGE, hashlib.sha256).digest()
    assert key.mac_verify(MESSAGE, mac) is True
    assert key.mac_verify(MESSAGE + b"!", mac) is False


def test_truncated_hmac(client: Client, key_name: str) -> None:
    secret = os.urandom(32)
    alg = Algorithm.truncated_mac(Algorithm.hmac(Hash.SHA256), 16)
    try:
        key = client.import_key(key_name, secret, KeyAttributes.hmac(256, alg))
        mac = key.mac_compute(MESSAGE)
    except parsec_sdk.ParsecError as e:
        fail_if_not_supported(e, "HMAC keys and PsaMacCompute")
        raise
    assert mac == hmac.new(secret, MESSAGE, hashlib.sha256).digest()[:16]


# ---- hashing --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("h", [Hash.SHA256, Hash.SHA384, Hash.SHA512])
def test_hash_compute_and_compare(client: Client, h: Hash) -> None:
    require_opcode(client, Opcode.PSA_HASH_COMPUTE)
    expected = hashlib.new(h.name.lower(), MESSAGE).digest()
    assert client.hash_compute(h, MESSAGE) == expected
    require_opcode(client, Opcode.PSA_HASH_COMPARE)
    assert client.hash_compare(h, MESSAGE, expected) is True
    assert client.hash_compare(h, MESSAGE + b"!", expected) is False


# ---- key agreement ------------------------------------------------------------------------------------------


def test_ecdh_p256(client: Client, key_name: str) -> None:
    require_opcode(client, Opcode.PSA_RAW_KEY_AGREEMENT)
    key = client.generate_key(key_name, KeyAttributes.ecc_key_pair(256, Algorithm.ecdh()))
    peer = ec.generate_private_key(ec.SECP256R1())
    shared = key.agree(peer.public_key())
    public = key.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert shared == peer.exchange(ec.ECDH(), public)
    # Through the cryptography interface too.
    assert key.private_key().exchange(ec.ECDH(), peer.public_key()) == shared


def test_x25519(client: Client, key_name: str) -> None:
    require_opcode(client, Opcode.PSA_RAW_KEY_AGREEMENT)
    try:
        key = client.generate_key(key_name, KeyAttributes.ecc_key_pair(255, Algorithm.ecdh(), EccFamily.MONTGOMERY))
    except parsec_sdk.NotSupported:
        pytest.fail("the provider does not support Curve25519 keys")
    peer = x25519.X25519PrivateKey.generate()
    public = key.public_key()
    assert isinstance(public, x25519.X25519PublicKey)
    assert key.agree(peer.public_key()) == peer.exchange(public)


# ---- capability check ----------------------------------------------------------------------------------------


def test_can_do_crypto(client: Client) -> None:
    require_opcode(client, Opcode.CAN_DO_CRYPTO)
    assert client.can_do_crypto(KeyAttributes.ecc_key_pair(), CheckType.GENERATE) is True
    assert client.can_do_crypto(KeyAttributes.ecc_key_pair(256, family=EccFamily.SECT_K1), CheckType.GENERATE) is False
