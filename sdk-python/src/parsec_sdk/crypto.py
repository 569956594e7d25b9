"""Integration with the ``cryptography`` package.

* :func:`public_key_from_psa` / :meth:`parsec_sdk.Key.public_key`: the service's
  public key formats as ``cryptography`` public key objects.
* :class:`ParsecEllipticCurvePrivateKey` and :class:`ParsecRSAPrivateKey`
  (from :meth:`parsec_sdk.Key.private_key`): ``cryptography`` private key
  objects whose private operations run in the Parsec service, so that X.509
  builders, TLS libraries etc. can use a key that never leaves the service::

      csr = x509.CertificateSigningRequestBuilder().subject_name(name).sign(
          key.private_key(), hashes.SHA256())

  ``sign`` hashes the data locally (or takes a ``Prehashed`` digest) and asks
  the service to sign the digest (PsaSignHash); ECDSA signatures are returned
  DER-encoded as ``cryptography`` does. RSA paddings map to the key's policy:
  ``PKCS1v15`` -> ``rsa_pkcs1v15_sign``; ``PSS`` -> ``rsa_pss`` only with MGF1
  of the same hash and a salt as long as the hash (``PSS.DIGEST_LENGTH``), as
  PSA's RSA-PSS defines it. ``private_bytes`` and ``private_numbers`` raise
  :class:`PrivateKeyNotExportable`.
* :func:`key_to_psa`: ``cryptography`` keys to the PSA import format.
* :func:`ecdsa_to_der` / :func:`ecdsa_from_der`: ECDSA signature formats.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict, Optional, Tuple, Union

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils, x448, x25519

from ._enums import AlgorithmKind, EccFamily, Hash, KeyType
from ._types import Algorithm, KeyAttributes

if TYPE_CHECKING:  # pragma: no cover
    from ._client import Key

__all__ = [
    "ParsecEllipticCurvePrivateKey",
    "ParsecRSAPrivateKey",
    "ParsecPrivateKey",
    "PrivateKeyNotExportable",
    "PublicKey",
    "PrivateKey",
    "ImportableKey",
    "public_key_from_psa",
    "public_key_to_psa",
    "key_to_psa",
    "ecdsa_to_der",
    "ecdsa_from_der",
    "hash_from_cryptography",
    "hash_to_cryptography",
    "curve_for",
]

BytesLike = Union[bytes, bytearray, memoryview]
PublicKey = Union[ec.EllipticCurvePublicKey, rsa.RSAPublicKey, x25519.X25519PublicKey, x448.X448PublicKey]
#: The ``cryptography`` private keys :func:`key_to_psa` converts.
PrivateKey = Union[ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey, x25519.X25519PrivateKey, x448.X448PrivateKey]
#: What :meth:`parsec_sdk.Client.import_key` takes: PSA-format bytes or a ``cryptography`` key.
ImportableKey = Union[bytes, bytearray, memoryview, PrivateKey, PublicKey]


class PrivateKeyNotExportable(TypeError):
    """The private key is held by the Parsec service and cannot be serialised here."""


# ---- hashes ---------------------------------------------------------------------------------

_HASHES: Dict[str, Hash] = {
    "md5": Hash.MD5,
    "sha1": Hash.SHA1,
    "sha224": Hash.SHA224,
    "sha256": Hash.SHA256,
    "sha384": Hash.SHA384,
    "sha512": Hash.SHA512,
    "sha512-224": Hash.SHA512_224,
    "sha512-256": Hash.SHA512_256,
    "sha3-224": Hash.SHA3_224,
    "sha3-256": Hash.SHA3_256,
    "sha3-384": Hash.SHA3_384,
    "sha3-512": Hash.SHA3_512,
}
_CRYPTOGRAPHY_HASHES: Dict[Hash, Callable[[], hashes.HashAlgorithm]] = {
    Hash.MD5: hashes.MD5,
    Hash.SHA1: hashes.SHA1,
    Hash.SHA224: hashes.SHA224,
    Hash.SHA256: hashes.SHA256,
    Hash.SHA384: hashes.SHA384,
    Hash.SHA512: hashes.SHA512,
    Hash.SHA512_224: hashes.SHA512_224,
    Hash.SHA512_256: hashes.SHA512_256,
    Hash.SHA3_224: hashes.SHA3_224,
    Hash.SHA3_256: hashes.SHA3_256,
    Hash.SHA3_384: hashes.SHA3_384,
    Hash.SHA3_512: hashes.SHA3_512,
}


def hash_from_cryptography(algorithm: hashes.HashAlgorithm) -> Hash:
    """The :class:`Hash` of a ``cryptography`` hash algorithm (UnsupportedAlgorithm if none)."""
    h = _HASHES.get(algorithm.name)
    if h is None:
        raise UnsupportedAlgorithm(f"hash {algorithm.name} has no PSA equivalent")
    return h


def hash_to_cryptography(h: Hash) -> hashes.HashAlgorithm:
    """The ``cryptography`` hash algorithm of a :class:`Hash`."""
    try:
        return _CRYPTOGRAPHY_HASHES[Hash(h)]()
    except KeyError:
        raise UnsupportedAlgorithm(f"hash {Hash(h).name} has no cryptography equivalent") from None


def _digest(data: BytesLike, algorithm: Union[hashes.HashAlgorithm, utils.Prehashed]) -> Tuple[bytes, Hash]:
    """(digest, hash) of ``data``: hashed here, or taken as is for ``Prehashed``."""
    if isinstance(algorithm, utils.Prehashed):
        inner = algorithm._algorithm  # noqa: SLF001 - no public accessor before cryptography 42
        if len(data) != inner.digest_size:
            raise ValueError(f"the prehashed digest must be {inner.digest_size} bytes for {inner.name}")
        return bytes(data), hash_from_cryptography(inner)
    h = hash_from_cryptography(algorithm)
    ctx = hashes.Hash(algorithm)
    ctx.update(data)
    return ctx.finalize(), h


# ---- ECDSA signature formats -----------------------------------------------------------------

def ecdsa_to_der(signature: bytes) -> bytes:
    """``r || s`` (the PSA format, both halves of equal length) to a DER ``ECDSA-Sig-Value``."""
    if len(signature) == 0 or len(signature) % 2:
        raise ValueError("an r || s signature has an even, non-zero length")
    n = len(signature) // 2
    return utils.encode_dss_signature(int.from_bytes(signature[:n], "big"), int.from_bytes(signature[n:], "big"))


def ecdsa_from_der(signature: bytes, key_bits: int) -> bytes:
    """A DER ``ECDSA-Sig-Value`` to ``r || s`` for a curve of ``key_bits`` bits."""
    r, s = utils.decode_dss_signature(signature)
    n = (key_bits + 7) // 8
    return r.to_bytes(n, "big") + s.to_bytes(n, "big")


# ---- curves ------------------------------------------------------------------------------------

_CURVES: Dict[Tuple[EccFamily, int], Callable[[], ec.EllipticCurve]] = {
    (EccFamily.SECP_R1, 192): ec.SECP192R1,
    (EccFamily.SECP_R1, 224): ec.SECP224R1,
    (EccFamily.SECP_R1, 256): ec.SECP256R1,
    (EccFamily.SECP_R1, 384): ec.SECP384R1,
    (EccFamily.SECP_R1, 521): ec.SECP521R1,
    (EccFamily.SECP_K1, 256): ec.SECP256K1,
    (EccFamily.BRAINPOOL_P_R1, 256): ec.BrainpoolP256R1,
    (EccFamily.BRAINPOOL_P_R1, 384): ec.BrainpoolP384R1,
    (EccFamily.BRAINPOOL_P_R1, 512): ec.BrainpoolP512R1,
}
_FAMILIES: Dict[str, Tuple[EccFamily, int]] = {make().name: key for key, make in _CURVES.items()}


def curve_for(family: EccFamily, bits: int) -> ec.EllipticCurve:
    """The ``cryptography`` curve of a PSA (family, bits) pair."""
    try:
        return _CURVES[(EccFamily(family), bits)]()
    except KeyError:
        raise UnsupportedAlgorithm(f"no cryptography curve for {EccFamily(family).name} {bits} bits") from None


def _family_of(curve: ec.EllipticCurve) -> Tuple[EccFamily, int]:
    try:
        return _FAMILIES[curve.name]
    except KeyError:
        raise UnsupportedAlgorithm(f"curve {curve.name} has no PSA family here") from None


# ---- public keys ---------------------------------------------------------------------------------

def public_key_from_psa(attributes: KeyAttributes, data: bytes) -> PublicKey:
    """A ``cryptography`` public key from the service's export format.

    ECC (Weierstrass): ``04 || X || Y``; Montgomery: the raw u-coordinate;
    RSA: DER ``RSAPublicKey`` (PKCS#1).
    """
    if attributes.is_ecc:
        if attributes.family == EccFamily.MONTGOMERY:
            if attributes.bits == 255:
                return x25519.X25519PublicKey.from_public_bytes(data)
            if attributes.bits == 448:
                return x448.X448PublicKey.from_public_bytes(data)
            raise UnsupportedAlgorithm(f"Montgomery curve of {attributes.bits} bits")
        bits = attributes.bits or _bits_from_point(data)
        return ec.EllipticCurvePublicKey.from_encoded_point(curve_for(attributes.family, bits), data)
    if attributes.is_rsa:
        key = serialization.load_der_public_key(data)
        assert isinstance(key, rsa.RSAPublicKey)
        return key
    raise UnsupportedAlgorithm(f"no cryptography public key for {attributes.type.name}")


def _bits_from_point(data: bytes) -> int:
    n = (len(data) - 1) // 2
    return 521 if n == 66 else n * 8


def public_key_to_psa(key: PublicKey) -> bytes:
    """A ``cryptography`` public key in the PSA format (for import or key agreement)."""
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    if isinstance(key, rsa.RSAPublicKey):
        return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    if isinstance(key, (x25519.X25519PublicKey, x448.X448PublicKey)):
        return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    raise TypeError(f"unsupported public key type {type(key).__name__}")


def key_to_psa(key: Union[PrivateKey, PublicKey], policy: Optional[Algorithm] = None) -> Tuple[KeyAttributes, bytes]:
    """(default attributes, data in PSA format) for a ``cryptography`` key, for import.

    Default policies: ECDSA with the curve's hash for EC keys (P-256 SHA-256,
    P-384 SHA-384, P-521 SHA-512), RSA-PSS with SHA-256 for RSA keys, ECDH for
    X25519/X448.
    """
    if isinstance(key, (ParsecEllipticCurvePrivateKey, ParsecRSAPrivateKey)):
        raise TypeError("this key is already held by the Parsec service")
    if isinstance(key, ec.EllipticCurvePrivateKey):
        family, bits = _family_of(key.curve)
        scalar = key.private_numbers().private_value.to_bytes((bits + 7) // 8, "big")
        return KeyAttributes.ecc_key_pair(bits, policy, family), scalar
    if isinstance(key, ec.EllipticCurvePublicKey):
        family, bits = _family_of(key.curve)
        return KeyAttributes.ecc_public_key(bits, policy, family), public_key_to_psa(key)
    if isinstance(key, rsa.RSAPrivateKey):
        der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
        return KeyAttributes.rsa_key_pair(key.key_size, policy or Algorithm.rsa_pss()), der
    if isinstance(key, rsa.RSAPublicKey):
        return KeyAttributes.rsa_public_key(key.key_size, policy or Algorithm.rsa_pss()), public_key_to_psa(key)
    if isinstance(key, (x25519.X25519PrivateKey, x448.X448PrivateKey)):
        bits = 255 if isinstance(key, x25519.X25519PrivateKey) else 448
        raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
        return KeyAttributes.ecc_key_pair(bits, policy or Algorithm.ecdh(), EccFamily.MONTGOMERY), raw
    if isinstance(key, (x25519.X25519PublicKey, x448.X448PublicKey)):
        bits = 255 if isinstance(key, x25519.X25519PublicKey) else 448
        return (KeyAttributes.ecc_public_key(bits, policy or Algorithm.ecdh(), EccFamily.MONTGOMERY),
                public_key_to_psa(key))
    raise TypeError(f"unsupported key type {type(key).__name__}")


# ---- private keys backed by the service ------------------------------------------------------------

def _not_exportable(key: "Key") -> PrivateKeyNotExportable:
    return PrivateKeyNotExportable(
        f"the private key {key.name!r} is held by the Parsec service and never leaves it")


def _sign_alg(key: "Key", kinds: Tuple[AlgorithmKind, ...], h: Hash, what: str) -> Algorithm:
    """The algorithm of kind in ``kinds`` with hash ``h`` that the key's policy allows."""
    policy = key.policy
    if policy.kind not in kinds:
        raise UnsupportedAlgorithm(
            f"key {key.name!r} has policy {policy}, which does not allow {what}")
    if policy.kind in (AlgorithmKind.ECDSA_ANY, AlgorithmKind.RSA_PKCS1V15_SIGN_RAW):
        return policy
    if policy.hash_alg not in (Hash.ANY, h):
        raise UnsupportedAlgorithm(
            f"key {key.name!r} has policy {policy}, which does not allow {h.name}")
    return policy.with_hash(h)


class ParsecEllipticCurvePrivateKey(ec.EllipticCurvePrivateKey):
    """An ``ec.EllipticCurvePrivateKey`` whose private half lives in the Parsec service."""

    def __init__(self, key: "Key") -> None:
        if not (key.attributes.type == KeyType.ECC_KEY_PAIR and key.attributes.family != EccFamily.MONTGOMERY):
            raise TypeError(f"key {key.name!r} is not an ECC (Weierstrass) key pair")
        self._key = key
        self._public: Optional[ec.EllipticCurvePublicKey] = None

    @property
    def parsec_key(self) -> "Key":
        """The :class:`parsec_sdk.Key` behind this object."""
        return self._key

    @property
    def curve(self) -> ec.EllipticCurve:
        attrs = self._key.attributes
        return curve_for(attrs.family, attrs.bits) if attrs.bits else self.public_key().curve

    @property
    def key_size(self) -> int:
        return self.curve.key_size

    def public_key(self) -> ec.EllipticCurvePublicKey:
        if self._public is None:
            pub = self._key.public_key()
            assert isinstance(pub, ec.EllipticCurvePublicKey)
            self._public = pub
        return self._public

    def sign(self, data: BytesLike, signature_algorithm: ec.EllipticCurveSignatureAlgorithm) -> bytes:
        """ECDSA in the service; returns a DER signature like ``cryptography``."""
        if not isinstance(signature_algorithm, ec.ECDSA):
            raise UnsupportedAlgorithm("only ECDSA signatures are supported")
        digest, h = _digest(data, signature_algorithm.algorithm)
        kinds: Tuple[AlgorithmKind, ...] = (AlgorithmKind.ECDSA, AlgorithmKind.DETERMINISTIC_ECDSA,
                                            AlgorithmKind.ECDSA_ANY)
        if getattr(signature_algorithm, "deterministic_signing", False):
            kinds = (AlgorithmKind.DETERMINISTIC_ECDSA,)
        alg = _sign_alg(self._key, kinds, h, "ECDSA")
        return ecdsa_to_der(self._key.sign_hash(digest, alg))

    def exchange(self, algorithm: ec.ECDH, peer_public_key: ec.EllipticCurvePublicKey) -> bytes:
        """ECDH in the service (PsaRawKeyAgreement); the key's policy must allow ECDH."""
        if not isinstance(algorithm, ec.ECDH):
            raise UnsupportedAlgorithm("only ECDH is supported")
        from ._enums import RawKeyAgreement

        return self._key.agree(peer_public_key, RawKeyAgreement.ECDH)

    def private_numbers(self) -> ec.EllipticCurvePrivateNumbers:
        raise _not_exportable(self._key)

    def private_bytes(self, encoding: serialization.Encoding, format: serialization.PrivateFormat,
                      encryption_algorithm: serialization.KeySerializationEncryption) -> bytes:
        raise _not_exportable(self._key)

    def __copy__(self) -> "ParsecEllipticCurvePrivateKey":
        return self

    def __deepcopy__(self, memo: Dict[int, object]) -> "ParsecEllipticCurvePrivateKey":
        return self

    def __repr__(self) -> str:
        return f"<ParsecEllipticCurvePrivateKey {self._key.name!r}>"


class ParsecRSAPrivateKey(rsa.RSAPrivateKey):
    """An ``rsa.RSAPrivateKey`` whose private half lives in the Parsec service."""

    def __init__(self, key: "Key") -> None:
        if key.attributes.type != KeyType.RSA_KEY_PAIR:
            raise TypeError(f"key {key.name!r} is not an RSA key pair")
        self._key = key
        self._public: Optional[rsa.RSAPublicKey] = None

    @property
    def parsec_key(self) -> "Key":
        """The :class:`parsec_sdk.Key` behind this object."""
        return self._key

    @property
    def key_size(self) -> int:
        return self._key.attributes.bits or self.public_key().key_size

    def public_key(self) -> rsa.RSAPublicKey:
        if self._public is None:
            pub = self._key.public_key()
            assert isinstance(pub, rsa.RSAPublicKey)
            self._public = pub
        return self._public

    def sign(self, data: BytesLike, padding: _padding.AsymmetricPadding,
             algorithm: Union[hashes.HashAlgorithm, utils.Prehashed, "utils.NoDigestInfo"]) -> bytes:
        """RSA signature in the service (PKCS#1 v1.5 or PSS with salt = hash length).

        ``algorithm``: a hash algorithm (the data is hashed here), ``Prehashed``
        (the data is the digest), or ``NoDigestInfo`` with PKCS#1 v1.5 (the data
        is an encoded DigestInfo, signed with ``rsa_pkcs1v15_sign_raw``).
        """
        if not isinstance(algorithm, (hashes.HashAlgorithm, utils.Prehashed)):
            if type(algorithm).__name__ != "NoDigestInfo":
                raise TypeError(f"algorithm must be a hash, Prehashed or NoDigestInfo, not {type(algorithm).__name__}")
            if not isinstance(padding, _padding.PKCS1v15):
                raise UnsupportedAlgorithm("NoDigestInfo needs PKCS#1 v1.5 padding")
            raw = _sign_alg(self._key, (AlgorithmKind.RSA_PKCS1V15_SIGN_RAW,), Hash.NONE, "raw PKCS#1 v1.5")
            return self._key.sign_hash(bytes(data), raw)
        digest, h = _digest(data, algorithm)
        if isinstance(padding, _padding.PKCS1v15):
            alg = _sign_alg(self._key, (AlgorithmKind.RSA_PKCS1V15_SIGN,), h, "PKCS#1 v1.5 signatures")
        elif isinstance(padding, _padding.PSS):
            mgf = padding.mgf if hasattr(padding, "mgf") else padding._mgf  # noqa: SLF001
            if not isinstance(mgf, _padding.MGF1) or mgf._algorithm.name != hash_to_cryptography(h).name:  # noqa: SLF001
                raise UnsupportedAlgorithm("RSA-PSS in PSA uses MGF1 with the message hash")
            salt = padding._salt_length  # noqa: SLF001
            if not (salt is _padding.PSS.DIGEST_LENGTH or salt == h.digest_size):
                raise UnsupportedAlgorithm(
                    "RSA-PSS in PSA uses a salt as long as the hash: use salt_length=PSS.DIGEST_LENGTH")
            alg = _sign_alg(self._key, (AlgorithmKind.RSA_PSS,), h, "RSA-PSS signatures")
        else:
            raise UnsupportedAlgorithm(f"padding {padding.name} is not supported for signatures")
        return self._key.sign_hash(digest, alg)

    def decrypt(self, ciphertext: bytes, padding: _padding.AsymmetricPadding) -> bytes:
        """RSA decryption in the service (PKCS#1 v1.5 or OAEP with MGF1 of the same hash)."""
        if isinstance(padding, _padding.PKCS1v15):
            return self._key.decrypt(ciphertext, Algorithm.rsa_pkcs1v15_crypt())
        if isinstance(padding, _padding.OAEP):
            h = hash_from_cryptography(padding._algorithm)  # noqa: SLF001
            mgf = padding._mgf  # noqa: SLF001
            if not isinstance(mgf, _padding.MGF1) or mgf._algorithm.name != padding._algorithm.name:  # noqa: SLF001
                raise UnsupportedAlgorithm("RSA-OAEP in PSA uses MGF1 with the OAEP hash")
            return self._key.decrypt(ciphertext, Algorithm.rsa_oaep(h), salt=padding._label)  # noqa: SLF001
        raise UnsupportedAlgorithm(f"padding {padding.name} is not supported for decryption")

    def private_numbers(self) -> rsa.RSAPrivateNumbers:
        raise _not_exportable(self._key)

    def private_bytes(self, encoding: serialization.Encoding, format: serialization.PrivateFormat,
                      encryption_algorithm: serialization.KeySerializationEncryption) -> bytes:
        raise _not_exportable(self._key)

    def __copy__(self) -> "ParsecRSAPrivateKey":
        return self

    def __deepcopy__(self, memo: Dict[int, object]) -> "ParsecRSAPrivateKey":
        return self

    def __repr__(self) -> str:
        return f"<ParsecRSAPrivateKey {self._key.name!r}>"


# `padding` is also a parameter name of the RSA methods (as in cryptography's
# interface); the module is reached through this alias inside them.
_padding = padding

ParsecPrivateKey = Union[ParsecEllipticCurvePrivateKey, ParsecRSAPrivateKey]


def private_key(key: "Key") -> ParsecPrivateKey:
    """The ``cryptography`` private key object for a Parsec key pair."""
    t = key.attributes.type
    if t == KeyType.ECC_KEY_PAIR:
        return ParsecEllipticCurvePrivateKey(key)
    if t == KeyType.RSA_KEY_PAIR:
        return ParsecRSAPrivateKey(key)
    raise TypeError(f"key {key.name!r} ({t.name}) has no cryptography private key interface")
